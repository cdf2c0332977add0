// Weight quantization for both exports (the tagger's q8 graph and the DistilBERT folders). Symmetric int8 as
// onnxruntime's quantize_dynamic does it for int8 weights (zero point 0, scale = max|w| / 127, so -128 is never used),
// with one scale per tensor (quantize_dynamic's default) or per column or row (matmuls and embedding tables).
export type QuantAxis = "tensor" | "column" | "row";

export interface Quantized {
  q: Int8Array;
  /** One scale, or one per column / row. */
  scales: Float32Array;
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

/**
 * com.microsoft MatMulNBits' weight layout for a row-major [K, N] matrix: for each output column n and each block of
 * `blockSize` rows along K, `bits`-bit unsigned values (the default zero point 2^(bits-1), symmetric scale
 * max|w| / (2^(bits-1) - 1)), 4-bit values two to a byte, low nibble first. Shapes: B [N, blocks, blockSize·bits/8],
 * scales [N, blocks].
 */
export function quantizeBlockwise(m: Float32Array, K: number, N: number, bits: 4 | 8, blockSize: number): { b: Uint8Array; scales: Float32Array; blocks: number } {
  const blocks = Math.ceil(K / blockSize);
  const blob = (blockSize * bits) / 8;
  const zero = 2 ** (bits - 1);
  const b = new Uint8Array(N * blocks * blob);
  const scales = new Float32Array(N * blocks);
  for (let n = 0; n < N; n++)
    for (let blk = 0; blk < blocks; blk++) {
      let max = 0;
      for (let k = blk * blockSize; k < Math.min(K, (blk + 1) * blockSize); k++) max = Math.max(max, Math.abs(m[k * N + n]!));
      const scale = max / (zero - 1) || 1;
      scales[n * blocks + blk] = scale;
      for (let j = 0; j < blockSize; j++) {
        const k = blk * blockSize + j;
        const v = k < K ? Math.round(m[k * N + n]! / scale) + zero : zero;
        const at = (n * blocks + blk) * blob;
        if (bits === 8) b[at + j] = v;
        else b[at + (j >> 1)]! |= j & 1 ? v << 4 : v;
      }
    }
  return { b, scales, blocks };
}
