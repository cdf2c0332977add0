// Symmetric int8 weight quantization as onnxruntime's quantize_dynamic does it for int8 weights (zero point 0,
// scale = max|w| / 127, so -128 is never used), with one scale per tensor (quantize_dynamic's default) or per column
// or row (medner's matmuls and word embeddings).
export type QuantAxis = "tensor" | "column" | "row";

export interface Quantized {
  q: Int8Array;
  /** One scale, or one per column / row. */
  scales: Float32Array;
}

/** torch Linear's [out, in] weight → [in, out] (ONNX MatMul's right operand). */
export function transposed(t: { shape: number[]; data: Float32Array }): Float32Array {
  const [out, inn] = t.shape as [number, number];
  const r = new Float32Array(out * inn);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) r[i * out + o] = t.data[o * inn + i]!;
  return r;
}

/** A row-major [rows, cols] matrix as int8 with its scales. An all-zero slice gets scale 1 (any scale decodes 0). */
export function quantizeSymmetric(m: Float32Array, rows: number, cols: number, axis: QuantAxis): Quantized {
  const slot = axis === "tensor" ? () => 0 : axis === "column" ? (_r: number, c: number) => c : (r: number) => r;
  const scales = new Float32Array(axis === "tensor" ? 1 : axis === "column" ? cols : rows);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const s = slot(r, c);
      scales[s] = Math.max(scales[s]!, Math.abs(m[r * cols + c]!));
    }
  for (let s = 0; s < scales.length; s++) scales[s] = scales[s]! / 127 || 1;
  const q = new Int8Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) q[r * cols + c] = Math.round(m[r * cols + c]! / scales[slot(r, c)]!);
  return { q, scales };
}

/** What a quantized matrix decodes to (tests and error measurements). */
export function dequantize({ q, scales }: Quantized, rows: number, cols: number, axis: QuantAxis): Float32Array {
  const out = new Float32Array(q.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = q[r * cols + c]! * scales[axis === "tensor" ? 0 : axis === "column" ? c : r]!;
  return out;
}
