// Wraps an onnxruntime-web InferenceSession as the engine's TaggerRunner. Shared by the Node and workerd adapters,
// which differ only in how onnxruntime-web is initialized.
import type * as Ort from "onnxruntime-web";
import type { TaggerRunner } from "../../core/index.ts";
import type { TransformerRunner } from "../../core/transformer/index.ts";

/**
 * Session options for every runtime. `disable_quant_qdq` lets onnxruntime constant-fold DequantizeLinear over the q8
 * weight initializers once at load, instead of dequantizing them on every run: measured 22 ms → 8.6 ms per 140-token
 * note on the BC5CDR model, the same as fp32, while the file stays 4× smaller.
 */
export const SESSION_OPTIONS = { graphOptimizationLevel: "all", extra: { session: { disable_quant_qdq: "1" } } } as const;

/**
 * Session options for transformers. No `disable_quant_qdq` here: folding the int8 weights of a full-size DistilBERT
 * back to fp32 at load would take ~265 MB, twice a Worker isolate's 128 MB; its int8 matmuls run as integer ops.
 */
export const TRANSFORMER_SESSION_OPTIONS = { graphOptimizationLevel: "all" } as const;

/**
 * Loading an ORT-format twin (the Worker): onnxruntime uses its weights in place from the model bytes, which must then
 * outlive the session (ort-wasm-heap.ts owns them), and runs no graph optimization: the graph was optimized once when
 * the twin was converted (trainer/export/ort-format.ts), and optimizing at load would allocate new tensors.
 */
export const ORT_FORMAT_SESSION_OPTIONS = {
  graphOptimizationLevel: "disabled",
  extra: { session: { use_ort_model_bytes_directly: "1", use_ort_model_bytes_for_initializers: "1" } },
} as const;

/**
 * How each kind's ORT-format twin is optimized once, at conversion: what the ONNX file gets at load above, at the
 * "extended" level ("all" adds layout changes specific to the converting machine's CPU).
 */
export const ORT_CONVERSION_OPTIONS = {
  tagger: { ...SESSION_OPTIONS, graphOptimizationLevel: "extended" },
  transformer: { ...TRANSFORMER_SESSION_OPTIONS, graphOptimizationLevel: "extended" },
} as const;

export function sessionRunner(ort: typeof Ort, session: Ort.InferenceSession): TaggerRunner {
  return {
    async run(ids, mask, batch, tokens, slots) {
      const feeds = {
        ids: new ort.Tensor("int32", ids, [batch, tokens, slots]),
        mask: new ort.Tensor("float32", mask, [batch, tokens]),
      };
      const out = await session.run(feeds);
      const lp = out.logprobs;
      if (!lp) throw new Error("the model has no 'logprobs' output");
      const data = lp.data as Float32Array;
      lp.dispose();
      return data;
    },
    release: () => session.release(),
  };
}

/** Wraps a transformer token-classification session (int64 `input_ids`/`attention_mask` → float32 `logits`). */
export function transformerSessionRunner(ort: typeof Ort, session: Ort.InferenceSession): TransformerRunner {
  return {
    async run(inputIds, attentionMask, batch, seq) {
      const feeds = {
        input_ids: new ort.Tensor("int64", inputIds, [batch, seq]),
        attention_mask: new ort.Tensor("int64", attentionMask, [batch, seq]),
      };
      const out = await session.run(feeds);
      const logits = out.logits;
      if (!logits) throw new Error("the model has no 'logits' output");
      const data = logits.data as Float32Array;
      logits.dispose();
      return data;
    },
    release: () => session.release(),
  };
}
