// DistilBertForTokenClassification as an ONNX graph, built from a config and a weights map (onnx-proto, opset 17):
// inputs `input_ids` / `attention_mask` int64 [batch, seq], output `logits` float32 [batch, seq, labels] — the names
// and types optimum's export uses, so transformers.js and our engine both run it. Three ways to build the linear
// layers and embeddings:
//   fp32     — plain MatMul + Add (model.onnx of both variants);
//   standard — what onnxruntime's quantize_dynamic writes (and transformers.js ships): per-tensor symmetric int8
//              weights, DynamicQuantizeLinear + MatMulInteger + scale Mul, int8 Gather + DequantizeLinear embeddings;
//   medner   — per-output-channel int8 weights through com.microsoft DynamicQuantizeMatMul (one fused op), word
//              embeddings int8 with one scale per row (a rare word's row keeps its own precision), and the small
//              position table and classifier left in fp32 (0.1% of the weights, decisive for the labels).
import { GraphBuilder } from "../export/onnx-builder.ts";
import type { DistilBertConfig } from "./hf-config.ts";
import type { Weights } from "./weights.ts";

export type GraphKind = "fp32" | "standard" | "medner";

const f32 = (v: number) => Float32Array.of(v);

/** [out, in] (torch Linear) → [in, out] (ONNX MatMul's right operand), optionally scaled. */
function transposed(t: { shape: number[]; data: Float32Array }, scale = 1): Float32Array {
  const [out, inn] = t.shape as [number, number];
  const r = new Float32Array(out * inn);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) r[i * out + o] = t.data[o * inn + i]! * scale;
  return r;
}

/** Symmetric int8 of a [rows, cols] matrix: one scale per column (`perColumn`) or one for all. */
function quantizeInt8(m: Float32Array, rows: number, cols: number, perColumn: boolean): { q: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(perColumn ? cols : 1);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const s = perColumn ? c : 0;
      scales[s] = Math.max(scales[s]!, Math.abs(m[r * cols + c]!));
    }
  for (let s = 0; s < scales.length; s++) scales[s] = scales[s]! / 127 || 1;
  const q = new Int8Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) q[r * cols + c] = Math.round(m[r * cols + c]! / scales[perColumn ? c : 0]!);
  return { q, scales };
}

export function buildDistilBertGraph(c: DistilBertConfig, w: Weights, kind: GraphKind): Uint8Array {
  const g = new GraphBuilder();
  const D = c.dim;
  const H = c.n_heads;
  const Dh = D / H;
  const L = Object.keys(c.id2label).length;
  const W = (name: string) => w.get(name)!;
  const ids = g.input("input_ids", "int64", ["batch", "sequence"]);
  const mask = g.input("attention_mask", "int64", ["batch", "sequence"]);

  const linear = (x: string, prefix: string, inn: number, out: number, opts: { scale?: number; fp32?: boolean } = {}): string => {
    const weight = transposed(W(`${prefix}.weight`), opts.scale ?? 1);
    const bias = W(`${prefix}.bias`).data.map((b) => b * (opts.scale ?? 1));
    const b = g.constant(`${prefix}.bias`, "float32", [out], bias);
    if (kind === "fp32" || opts.fp32) return g.node("Add", [g.node("MatMul", [x, g.constant(`${prefix}.weight`, "float32", [inn, out], weight)]), b]);
    const { q, scales } = quantizeInt8(weight, inn, out, kind === "medner");
    const wq = g.constant(`${prefix}.weight_quantized`, "int8", [inn, out], q);
    const ws = g.constant(`${prefix}.weight_scale`, "float32", kind === "medner" ? [out] : [], scales);
    if (kind === "medner") {
      const zp = g.constant(`${prefix}.weight_zero_point`, "int8", [out], new Int8Array(out));
      return g.node("com.microsoft:DynamicQuantizeMatMul", [x, wq, ws, zp, b]);
    }
    const [xq, xs, xzp] = g.nodeN("DynamicQuantizeLinear", [x], 3);
    const zp = g.constant(`${prefix}.weight_zero_point`, "int8", [], new Int8Array(1));
    const acc = g.node("MatMulInteger", [xq!, wq, xzp!, zp]);
    const scale = g.node("Mul", [xs!, ws]);
    return g.node("Add", [g.node("Mul", [g.node("Cast", [acc], { to: 1 }), scale]), b]);
  };

  const layerNorm = (x: string, prefix: string) =>
    g.node("LayerNormalization", [x, g.constant(`${prefix}.weight`, "float32", [D], W(`${prefix}.weight`).data), g.constant(`${prefix}.bias`, "float32", [D], W(`${prefix}.bias`).data)], { axis: -1, epsilon: 1e-12 });

  // Embeddings: words + positions 0..seq-1, then LayerNorm.
  const wordTable = W("distilbert.embeddings.word_embeddings.weight");
  let words: string;
  if (kind === "fp32") words = g.node("Gather", [g.constant("word_embeddings", "float32", [c.vocab_size, D], wordTable.data), ids]);
  else if (kind === "standard") {
    const { q, scales } = quantizeInt8(wordTable.data, c.vocab_size, D, false);
    const gathered = g.node("Gather", [g.constant("word_embeddings_quantized", "int8", [c.vocab_size, D], q), ids]);
    words = g.node("DequantizeLinear", [gathered, g.constant("word_embeddings_scale", "float32", [], scales), g.constant("word_embeddings_zero_point", "int8", [], new Int8Array(1))]);
  } else {
    // One scale per row: quantize the transposed table per column, i.e. per word.
    const rows = new Float32Array(c.vocab_size * D);
    for (let v = 0; v < c.vocab_size; v++) for (let d = 0; d < D; d++) rows[d * c.vocab_size + v] = wordTable.data[v * D + d]!;
    const { scales } = quantizeInt8(rows, D, c.vocab_size, true);
    const q = new Int8Array(c.vocab_size * D);
    for (let v = 0; v < c.vocab_size; v++) for (let d = 0; d < D; d++) q[v * D + d] = Math.round(wordTable.data[v * D + d]! / scales[v]!);
    const gathered = g.node("Cast", [g.node("Gather", [g.constant("word_embeddings_quantized", "int8", [c.vocab_size, D], q), ids])], { to: 1 });
    const rowScale = g.node("Unsqueeze", [g.node("Gather", [g.constant("word_embeddings_scale", "float32", [c.vocab_size], scales), ids]), g.ints([-1])]);
    words = g.node("Mul", [gathered, rowScale]);
  }
  const seqLen = g.node("Gather", [g.node("Shape", [ids]), g.constant("one", "int64", [], BigInt64Array.of(1n))], { axis: 0 });
  const positionIds = g.node("Range", [g.constant("zero", "int64", [], BigInt64Array.of(0n)), seqLen, g.constant("step", "int64", [], BigInt64Array.of(1n))]);
  const positions = g.node("Gather", [g.constant("position_embeddings", "float32", [c.max_position_embeddings, D], W("distilbert.embeddings.position_embeddings.weight").data), positionIds]);
  let x = layerNorm(g.node("Add", [words, positions]), "distilbert.embeddings.LayerNorm");

  // Padding: 0 where attention_mask is 1, a large negative where it is 0, added to every head's scores.
  const maskF = g.node("Cast", [mask], { to: 1 });
  const maskBias = g.node("Unsqueeze", [g.node("Mul", [g.node("Sub", [maskF, g.constant("ones", "float32", [], f32(1))]), g.constant("neg", "float32", [], f32(3.0e38))]), g.ints([1, 2])]);
  const heads = g.ints([0, 0, H, Dh]);
  const merged = g.ints([0, 0, D]);
  const split = (t: string, perm: number[]) => g.node("Transpose", [g.node("Reshape", [t, heads])], { perm });

  for (let i = 0; i < c.n_layers; i++) {
    const p = `distilbert.transformer.layer.${i}`;
    // DistilBERT divides q by √(head size) before q·k; folded into q_lin's weights and bias.
    const q = split(linear(x, `${p}.attention.q_lin`, D, D, { scale: 1 / Math.sqrt(Dh) }), [0, 2, 1, 3]);
    const k = split(linear(x, `${p}.attention.k_lin`, D, D), [0, 2, 3, 1]);
    const v = split(linear(x, `${p}.attention.v_lin`, D, D), [0, 2, 1, 3]);
    const probs = g.node("Softmax", [g.node("Add", [g.node("MatMul", [q, k]), maskBias])], { axis: -1 });
    const context = g.node("Reshape", [g.node("Transpose", [g.node("MatMul", [probs, v])], { perm: [0, 2, 1, 3] }), merged]);
    x = layerNorm(g.node("Add", [linear(context, `${p}.attention.out_lin`, D, D), x]), `${p}.sa_layer_norm`);
    const h = linear(x, `${p}.ffn.lin1`, D, c.hidden_dim);
    // Exact GELU, as torch's nn.GELU(): 0.5·h·(1 + erf(h/√2)).
    const gelu = g.node("Mul", [g.node("Mul", [h, g.node("Add", [g.node("Erf", [g.node("Mul", [h, g.constant(`${p}.inv_sqrt2`, "float32", [], f32(Math.SQRT1_2))])]), g.constant(`${p}.one`, "float32", [], f32(1))])]), g.constant(`${p}.half`, "float32", [], f32(0.5))]);
    x = layerNorm(g.node("Add", [linear(gelu, `${p}.ffn.lin2`, c.hidden_dim, D), x]), `${p}.output_layer_norm`);
  }
  g.node("Identity", [linear(x, "classifier", D, L, { fp32: kind === "medner" })], {}, "logits");
  g.output("logits", "float32", ["batch", "sequence", L]);
  return g.build("distilbert_token_classification", 17, `DistilBertForTokenClassification (${kind}) built by medner`);
}
