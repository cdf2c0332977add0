// The graphs a transformer folder ships, per variant and dtype, and why the medner ones are built as they are.
import type { Dtype } from "../../core/manifest.ts";
import type { GraphOptions } from "./distilbert-graph.ts";

// The "standard" variant (an imitation of quantize_dynamic) is gone: it differed from the real toolchain's artifact
// (issue #19), which scripts/reference/export_standard.py now makes.
export type Variant = "medner";
export const VARIANTS: readonly Variant[] = ["medner"];

/** torch.onnx / optimum's export of DistilBertForTokenClassification: plain ONNX ops, fp32. */
export const TORCH_EXPORT: GraphOptions = { linear: "fp32", embeddings: "fp32", fp32Classifier: true, attention: "onnx" };

/**
 * medner, measured on the full size (scripts/experiments/measure-graphs.ts, 2 shared cores, onnxruntime 1.30), against
 * the former per-tensor imitation of quantize_dynamic:
 *   - per-column int8 weights (DynamicQuantizeMatMul), per-row int8 word embeddings, fp32 classifier: mean absolute
 *     logit error against fp32 0.132 instead of 0.200, argmax agreement 97.3–97.5% instead of 96.4–96.9% (seeded random
 *     weights, 640 tokens); +0.5 MB (68.3 MB).
 *   - com.microsoft MultiHeadAttention: onnxruntime cannot fuse torch's masked_fill attention itself; 512 tokens in
 *     onnxruntime-node 91 ms instead of 101 (p50 of 25 rounds). Packing q, k, v into one matmul: no difference.
 *   - SkipLayerNormalization and BiasGelu: slower in onnxruntime-node (113 and 106 ms against 101), equal in wasm.
 *     onnxruntime already fuses torch's Div/Erf/Mul GELU into its Gelu op at load, leaving the bias in the matmul.
 *     Packed q/k/v, SkipLayerNormalization and BiasGelu were dropped from the builder after these measurements.
 *   - In onnxruntime-web (one thread) every q8 graph runs alike: ~200 ms for 128 tokens, ~1.0 s for 512 (fp32 ~2×
 *     slower); the int8 matmuls are the time. Optimization levels change nothing there; in onnxruntime-node the
 *     per-tensor MatMulInteger graph (quantize_dynamic's) needs level ≥ extended, the medner one is as fast at any level.
 *   - com.microsoft MatMulNBits (a scale per 32 weights of a column, activations quantized per block inside,
 *     accuracy_level 4), 2026-11-25: int8 blocks halve the logit error (0.092 against 0.132; agreement with fp32 98.8%
 *     against 97.3%) but take 295 ms at 512 tokens against 125 in onnxruntime-node and 2.4 s against 1.1 in wasm;
 *     4-bit blocks (52 MB) are as slow and far less exact (error 0.97, agreement 84%). Its kernels are built for
 *     one-token LLM decoding, not 512-row batches. Not shipped; the builder keeps both (tested) as candidates to re-measure.
 *   - Memory: either q8 graph leaves a 184 MB wasm heap after loading (the model bytes, their parsed copy and the
 *     tensors); onnxruntime never folds the int8 weights to fp32 here (that alone would take ~265 MB).
 */
export const VARIANT_GRAPHS: Record<Variant, Record<Dtype, GraphOptions>> = {
  medner: {
    fp32: { ...TORCH_EXPORT, attention: "mha" },
    q8: { ...TORCH_EXPORT, attention: "mha", linear: "int8-channel", embeddings: "int8-row", fp32Classifier: true },
  },
};
