// DistilBertForTokenClassification as an ONNX graph (onnx-proto, opset 17) built from a config and a weights map:
// inputs `input_ids` / `attention_mask` int64 [batch_size, sequence_length], output `logits` float32
// [batch_size, sequence_length, labels] — the names and types optimum's export uses, so transformers.js and our engine
// both run it. GraphOptions say how each part is built; graph-variants.ts names the combinations we ship.
import { floatAttr, GraphBuilder } from "../export/onnx-builder.ts";
import { quantizeBlockwise, quantizeSymmetric } from "../export/quantize.ts";
import { MednerError } from "../../core/errors.ts";
import type { DistilBertConfig } from "./hf-config.ts";
import type { Weights } from "./weights.ts";

export interface GraphOptions {
  /**
   * fp32: MatMul (+ Add). int8-channel: com.microsoft DynamicQuantizeMatMul with one scale per output column. int8-block / int4-block: com.microsoft MatMulNBits,
   * a scale per 32 rows of each column, activations quantized per block to int8 inside (accuracy_level 4).
   */
  linear: "fp32" | "int8-channel" | "int8-block" | "int4-block";
  /** Word embeddings: fp32, or int8 with a scale per word. */
  embeddings: "fp32" | "int8-row";
  /** Keep the classifier fp32 whatever `linear` says. */
  fp32Classifier: boolean;
  /** onnx: Reshape/Transpose/MatMul/Where/Softmax as torch exports DistilBERT; mha: com.microsoft MultiHeadAttention. */
  attention: "onnx" | "mha";
}

const EPS = floatAttr(1e-12);
/** MatMulNBits' block along K. */
const BLOCK = 32;
const f32 = (v: number) => Float32Array.of(v);

/** torch Linear's [out, in] weight → [in, out] (ONNX MatMul's right operand). */
function transposed(t: { shape: number[]; data: Float32Array }): Float32Array {
  const [out, inn] = t.shape as [number, number];
  const r = new Float32Array(out * inn);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) r[i * out + o] = t.data[o * inn + i]!;
  return r;
}

export function buildDistilBertGraph(c: DistilBertConfig, w: Weights, o: GraphOptions, doc: string): Uint8Array {
  const g = new GraphBuilder();
  const D = c.dim;
  const H = c.n_heads;
  const Dh = D / H;
  const L = Object.keys(c.id2label).length;
  const W = (name: string) => {
    const t = w.get(name);
    if (!t) throw new MednerError("E513", `weights: ${name} is missing`);
    return t;
  };
  const ids = g.input("input_ids", "int64", ["batch_size", "sequence_length"]);
  const mask = g.input("attention_mask", "int64", ["batch_size", "sequence_length"]);

  /** The biases of torch Linears laid side by side, as one initializer. */
  const biasOf = (prefixes: string[], name: string) => {
    const parts = prefixes.map((p) => W(`${p}.bias`).data);
    const b = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (b.set(p, at), at + p.length), 0);
    return g.constant(`${name}.bias`, "float32", [b.length], b);
  };

  /** x·Wᵀ (+ bias when given) for the torch Linear `name`. */
  const matmul = (x: string, name: string, bias: string | null, fp32 = o.linear === "fp32"): string => {
    const [out, inn] = W(`${name}.weight`).shape as [number, number];
    const weight = transposed(W(`${name}.weight`));
    const withBias = (y: string) => (bias ? g.node("Add", [y, bias]) : y);
    if (fp32) return withBias(g.node("MatMul", [x, g.constant(`${name}.weight`, "float32", [inn, out], weight)]));
    if (o.linear === "int8-channel") {
      const { q, scales } = quantizeSymmetric(weight, inn, out, "column");
      const inputs = [x, g.constant(`${name}.weight_quantized`, "int8", [inn, out], q), g.constant(`${name}.weight_scale`, "float32", [out], scales)];
      return g.node("com.microsoft:DynamicQuantizeMatMul", bias ? [...inputs, "", bias] : inputs);
    }
    const bits = o.linear === "int8-block" ? 8 : 4;
    const { b, scales, blocks } = quantizeBlockwise(weight, inn, out, bits, BLOCK);
    const inputs = [x, g.constant(`${name}.weight_nbits`, "uint8", [out, blocks, (BLOCK * bits) / 8], b), g.constant(`${name}.weight_scale`, "float32", [out, blocks], scales)];
    return withBias(g.node("com.microsoft:MatMulNBits", inputs, { K: inn, N: out, bits, block_size: BLOCK, accuracy_level: 4 }));
  };

  const gammaBeta = (prefix: string) => [g.constant(`${prefix}.weight`, "float32", [D], W(`${prefix}.weight`).data), g.constant(`${prefix}.bias`, "float32", [D], W(`${prefix}.bias`).data)];
  /** LayerNorm(y + residual). */
  const addNorm = (y: string, residual: string, prefix: string) => g.node("LayerNormalization", [g.node("Add", [y, residual]), ...gammaBeta(prefix)], { axis: -1, epsilon: EPS });

  // Embeddings: word + position (0..sequence_length-1), then LayerNorm.
  const table = W("distilbert.embeddings.word_embeddings.weight");
  let words: string;
  if (o.embeddings === "fp32") words = g.node("Gather", [g.constant("word_embeddings", "float32", [c.vocab_size, D], table.data), ids]);
  else {
    const { q, scales } = quantizeSymmetric(table.data, c.vocab_size, D, "row");
    const gathered = g.node("Gather", [g.constant("word_embeddings_quantized", "int8", [c.vocab_size, D], q), ids]);
    // Scales stored [vocab, 1], so gathering them gives [batch, seq, 1], which broadcasts over the row.
    words = g.node("Mul", [g.node("Cast", [gathered], { to: 1 }), g.node("Gather", [g.constant("word_embeddings_scale", "float32", [c.vocab_size, 1], scales), ids])]);
  }
  const seqLen = g.node("Gather", [g.node("Shape", [ids]), g.constant("one", "int64", [], BigInt64Array.of(1n))], { axis: 0 });
  const positionIds = g.node("Range", [g.constant("zero", "int64", [], BigInt64Array.of(0n)), seqLen, g.constant("step", "int64", [], BigInt64Array.of(1n))]);
  const positions = g.node("Gather", [g.constant("position_embeddings", "float32", [c.max_position_embeddings, D], W("distilbert.embeddings.position_embeddings.weight").data), positionIds]);
  let x = g.node("LayerNormalization", [g.node("Add", [words, positions]), ...gammaBeta("distilbert.embeddings.LayerNorm")], { axis: -1, epsilon: EPS });

  // Padding, computed once for every layer: torch's masked_fill(mask == 0, finfo.min), or MHA's int32 key mask.
  const keyMask = o.attention === "mha" ? g.node("Cast", [mask], { to: 6 }) : g.node("Unsqueeze", [g.node("Equal", [mask, g.constant("mask_off", "int64", [], BigInt64Array.of(0n))]), g.ints([1, 2])]);
  const shapes = o.attention === "onnx" ? { heads: g.ints([0, 0, H, Dh]), merged: g.ints([0, 0, D]) } : null;

  const attention = (q: string, k: string, v: string, bias: string | null, p: string): string => {
    if (!shapes) return g.node("com.microsoft:MultiHeadAttention", [q, k, v, bias ?? "", keyMask], { num_heads: H });
    const split = (t: string, perm: number[]) => g.node("Transpose", [g.node("Reshape", [t, shapes.heads])], { perm });
    const q4 = g.node("Div", [split(q, [0, 2, 1, 3]), g.constant(`${p}.sqrt_head_size`, "float32", [], f32(Math.sqrt(Dh)))]);
    const scores = g.node("Where", [keyMask, g.constant(`${p}.min`, "float32", [], f32(-3.4028234663852886e38)), g.node("MatMul", [q4, split(k, [0, 2, 3, 1])])]);
    const probs = g.node("Softmax", [scores], { axis: -1 });
    return g.node("Reshape", [g.node("Transpose", [g.node("MatMul", [probs, split(v, [0, 2, 1, 3])])], { perm: [0, 2, 1, 3] }), shapes.merged]);
  };

  for (let i = 0; i < c.n_layers; i++) {
    const p = `distilbert.transformer.layer.${i}`;
    const qkv = ["q_lin", "k_lin", "v_lin"].map((n) => `${p}.attention.${n}`);
    // MHA adds the q/k/v biases itself; the ONNX path adds them after each matmul, as torch's Linear does.
    const fusedBias = o.attention === "mha";
    const [q, k, v] = qkv.map((n) => matmul(x, n, fusedBias ? null : biasOf([n], n))) as [string, string, string];
    const context = attention(q, k, v, fusedBias ? biasOf(qkv, `${p}.attention.qkv`) : null, p);
    x = addNorm(matmul(context, `${p}.attention.out_lin`, biasOf([`${p}.attention.out_lin`], `${p}.attention.out_lin`)), x, `${p}.sa_layer_norm`);
    // Exact GELU as torch exports it (Div/Erf/Add/Mul/Mul); onnxruntime fuses it into its Gelu op at load.
    const h = matmul(x, `${p}.ffn.lin1`, biasOf([`${p}.ffn.lin1`], `${p}.ffn.lin1`));
    const erf = g.node("Erf", [g.node("Div", [h, g.constant(`${p}.sqrt2`, "float32", [], f32(Math.SQRT2))])]);
    const gelu = g.node("Mul", [g.node("Mul", [h, g.node("Add", [erf, g.constant(`${p}.one`, "float32", [], f32(1))])]), g.constant(`${p}.half`, "float32", [], f32(0.5))]);
    x = addNorm(matmul(gelu, `${p}.ffn.lin2`, biasOf([`${p}.ffn.lin2`], `${p}.ffn.lin2`)), x, `${p}.output_layer_norm`);
  }
  const fp32Classifier = o.fp32Classifier || o.linear === "fp32";
  g.node("Identity", [matmul(x, "classifier", biasOf(["classifier"], "classifier"), fp32Classifier)], {}, "logits");
  g.output("logits", "float32", ["batch_size", "sequence_length", L]);
  return g.build("distilbert_token_classification", 17, doc);
}
