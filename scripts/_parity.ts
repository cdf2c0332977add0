import * as ort from "onnxruntime-web";
import { initBackend } from "../trainer/backend.ts";
import { readCorpus } from "../trainer/corpus/index.ts";
import { loadConfig } from "../trainer/model/config.ts";
import { loadTagger } from "../trainer/model/io.ts";
import { runTraining } from "../trainer/run-training.ts";
import { exportTaggerOnnx } from "../trainer/export/tagger-onnx.ts";
import { attributeSlots } from "../core/index.ts";
import { existsSync } from "node:fs";
async function main() {
  const backend = await initBackend("wasm");
  const docs = readCorpus("tests/fixtures/corpora/clinical-small.json").docs;
  const cfg = loadConfig("tests/fixtures/tiny-config.json", ["training.maxSteps=50"]);
  (cfg.features.attributes as any).push({ type: "ngrams", n: 3, max: 8, rows: 500 });
  if (!existsSync("/tmp/par/model-best")) await runTraining({ config: cfg, train: docs, dev: docs, out: "/tmp/par", backend, dataDescription: {} });
  const tagger = loadTagger("/tmp/par/model-best");
  ort.env.wasm.numThreads = 1;
  for (const dtype of ["fp32", "q8"] as const) {
    const bytes = exportTaggerOnnx(tagger, dtype);
    const session = await ort.InferenceSession.create(bytes);
    const texts = docs.slice(0, 3).map((d) => d.text);
    const feats = texts.map((t) => tagger.featurize(t));
    const T = Math.max(...feats.map((f) => f.tokens.length));
    const S = attributeSlots(tagger.config.features).reduce((a, b) => a + b, 0);
    const ids = new Int32Array(feats.length * T * S).fill(-1);
    const mask = new Float32Array(feats.length * T);
    feats.forEach((f, b) => { ids.set(f.ids, b * T * S); mask.fill(1, b * T, b * T + f.tokens.length); });
    const t0 = performance.now();
    const out = await session.run({ ids: new ort.Tensor("int32", ids, [feats.length, T, S]), mask: new ort.Tensor("float32", mask, [feats.length, T]) });
    const lp = out.logprobs!.data as Float32Array;
    const K = tagger.tags.length;
    let maxDiff = 0;
    feats.forEach((f, b) => {
      const ref = tagger.logProbs([f]);
      for (let t = 0; t < f.tokens.length; t++) for (let k = 0; k < K; k++) { const d = Math.abs(ref[t * K + k]! - lp[(b * T + t) * K + k]!); if (d > 1 && dtype === "q8") console.log(b, t, f.tokens.length, T, k, ref[t*K+k], lp[(b*T+t)*K+k]); maxDiff = Math.max(maxDiff, d); }
    });
    console.log(dtype, bytes.length, "bytes, max |diff|", maxDiff, (performance.now() - t0).toFixed(1), "ms");
  }
}
main();
