// Wraps an onnxruntime-web InferenceSession as the engine's TaggerRunner. Shared by the Node and workerd adapters,
// which differ only in how onnxruntime-web is initialized.
import type * as Ort from "onnxruntime-web";
import type { TaggerRunner } from "../../core/index.ts";

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
  };
}
