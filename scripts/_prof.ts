import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../trainer/backend.ts";
import { defaultConfig, applyOverrides, parseConfig } from "../trainer/model/config.ts";
import { Tagger } from "../trainer/model/tagger.ts";
import { boundaries, forward } from "../trainer/model/network.ts";
async function main() {
  await initBackend((process.env.BE ?? "wasm") as any);
  const config = parseConfig(applyOverrides(defaultConfig(), process.argv.slice(2)), "x");
  const tagger = Tagger.create(config, ["Chemical", "Disease"]);
  const n = 2000;
  const ids = new Int32Array(n * 4 * 4).map((_, i) => (i * 7919) % 2000);
  let t = performance.now();
  for (let i = 0; i < 5; i++) tagger.embed.lookup(ids, n);
  console.log("lookup", ((performance.now() - t) / 5).toFixed(1), "ms");
  const g = new Float32Array(n * 256).fill(0.01);
  t = performance.now();
  for (let i = 0; i < 5; i++) tagger.embed.update(ids, n, g, { lr: 0.001, beta1: 0.9, beta2: 0.999, step: i + 1, scale: 1 });
  console.log("update", ((performance.now() - t) / 5).toFixed(1), "ms");
  const x0 = tf.tensor2d(tagger.embed.lookup(ids, n), [n, 256]);
  const b = boundaries(Array(100).fill(20), config.model.window);
  const names = [...tagger.params.keys()];
  const target = tf.oneHot(tf.tensor1d(new Int32Array(n), "int32"), tagger.tags.length);
  const f = (x: tf.Tensor, ...ps: tf.Tensor[]) => tf.losses.softmaxCrossEntropy(target, forward(config, new Map(names.map((nm, i) => [nm, ps[i]!])), x as tf.Tensor2D, b, { training: true, seed: 1 })) as tf.Scalar;
  for (let i = 0; i < 2; i++) { const r = tf.valueAndGrads(f)([x0, ...names.map((nm) => tagger.params.get(nm)!)]); r.value.dataSync(); tf.dispose([r.value, ...r.grads]); }
  t = performance.now();
  for (let i = 0; i < 3; i++) { const r = tf.valueAndGrads(f)([x0, ...names.map((nm) => tagger.params.get(nm)!)]); r.grads.forEach((g) => g.dataSync()); tf.dispose([r.value, ...r.grads]); }
  console.log("fwd+bwd", ((performance.now() - t) / 3).toFixed(0), "ms");
  t = performance.now();
  for (let i = 0; i < 3; i++) { const y = tf.tidy(() => forward(config, tagger.params, x0, b, { training: false })); y.dataSync(); y.dispose(); }
  console.log("fwd", ((performance.now() - t) / 3).toFixed(0), "ms");
  const prof = await tf.profile(() => { const r = tf.valueAndGrads(f)([x0, ...names.map((nm) => tagger.params.get(nm)!)]); return r.grads[0]!; });
  const agg = new Map<string, number>();
  for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  console.log([...agg].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", "));
}
main();
