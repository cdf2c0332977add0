// Experiment (issue 6, token agreement): would a generated classifier fitted to the hidden states, as a fine-tuned
// head is, make the q8 graph agree on (nearly) every token? Builds the full-size seeded model (seed 7) two ways —
// fp32 and our q8 (a third, our imitation of quantize_dynamic, is gone with it) — with an identity "classifier" so the
// graphs output their final hidden states; clusters the fp32 states of 40 clinical training notes into 84 groups (k-means); and
// compares argmax agreement on the first 512 tokens of the dev notes for: the generator's random classifier, a
// nearest-centroid classifier, and softmax regression on the cluster ids. Run: npx tsx scripts/experiments/decisive-classifier.ts
// (about 2 minutes on 2 cores). Results are in docs/benchmarks.md.
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { WordPieceTokenizer } from "../../core/transformer/index.ts";
import { buildDistilBertGraph } from "../../trainer/distilbert/distilbert-graph.ts";
import { VARIANT_GRAPHS } from "../../trainer/distilbert/graph-variants.ts";
import { d4dataLabels, presetConfig } from "../../trainer/distilbert/hf-config.ts";
import { buildVocab, clinicalTexts, tokenizerFiles } from "../../trainer/distilbert/vocab.ts";
import { randomDistilBertWeights } from "../../trainer/distilbert/weights.ts";
import { rng } from "../../trainer/model/rng.ts";

const D = 768;
const vocab = buildVocab(clinicalTexts(), 30522);
const labels = d4dataLabels();
const w = randomDistilBertWeights(presetConfig("full", vocab.length, labels), 7);
const hc = presetConfig("full", vocab.length, Array.from({ length: D }, (_, i) => `H${i}`));
const eye = new Float32Array(D * D);
for (let i = 0; i < D; i++) eye[i * D + i] = 1;
const hw = new Map(w);
hw.set("classifier.weight", { shape: [D, D], data: eye });
hw.set("classifier.bias", { shape: [D], data: new Float32Array(D) });
const { tokenizerJson, tokenizerConfig } = tokenizerFiles(vocab);
const tok = new WordPieceTokenizer(tokenizerJson, tokenizerConfig);

const graphs = {
  fp32: VARIANT_GRAPHS.medner.fp32,
  ours: VARIANT_GRAPHS.medner.q8,
};
const sessions: Record<string, ort.InferenceSession> = {};
for (const [k, o] of Object.entries(graphs)) {
  sessions[k] = await ort.InferenceSession.create(buildDistilBertGraph(hc, hw, o, k));
  console.error("built", k);
}
async function hidden(k: string, text: string, max: number): Promise<Float32Array> {
  const pieces = tok.tokenize(text).slice(0, max - 2);
  const ids = [tok.clsId, ...pieces.map((p) => p.id), tok.sepId];
  const n = ids.length;
  const feeds = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, n]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(n).fill(1n), [1, n]),
  };
  const out = await sessions[k]!.run(feeds);
  return out[sessions[k]!.outputNames[0]!]!.data as Float32Array;
}
const trainTexts = (JSON.parse(readFileSync("data/clinical-notes/train.json", "utf8")) as Array<{ text: string }>).map((d) => d.text);
const devText = (JSON.parse(readFileSync("data/clinical-notes/dev.json", "utf8")) as Array<{ text: string }>).map((d) => d.text).join("\n\n");
// Calibration: fp32 hidden states of training notes.
const calib: Float32Array[] = [];
for (const t of trainTexts.slice(0, 40)) {
  const h = await hidden("fp32", t, 512);
  for (let i = 0; i < h.length / D; i++) calib.push(h.slice(i * D, (i + 1) * D));
}
console.error("calibration tokens", calib.length);
const evalH: Record<string, Float32Array> = {};
for (const k of Object.keys(graphs)) evalH[k] = await hidden(k, devText, 512);
const nEval = evalH.fp32!.length / D;

function kmeans(xs: Float32Array[], K: number, iters: number): Float32Array[] {
  const r = rng(1);
  let c = Array.from({ length: K }, () => xs[Math.floor(r() * xs.length)]!.slice());
  for (let it = 0; it < iters; it++) {
    const sums = Array.from({ length: K }, () => new Float64Array(D));
    const counts = new Array(K).fill(0);
    for (const x of xs) {
      let best = 0, bd = Infinity;
      for (let k = 0; k < K; k++) { let d = 0; const ck = c[k]!; for (let j = 0; j < D; j++) { const e = x[j]! - ck[j]!; d += e * e; } if (d < bd) { bd = d; best = k; } }
      counts[best]++; const s = sums[best]!; for (let j = 0; j < D; j++) s[j]! += x[j]!;
    }
    c = c.map((ck, k) => (counts[k] ? Float32Array.from(sums[k]!, (v) => v / counts[k]) : ck));
  }
  return c;
}

function logitsOf(h: Float32Array, W: Float32Array[], b: number[]): Float32Array[] {
  const out: Float32Array[] = [];
  for (let t = 0; t < h.length / D; t++) {
    const row = new Float32Array(W.length);
    for (let k = 0; k < W.length; k++) { let s = b[k]!; const wk = W[k]!; for (let j = 0; j < D; j++) s += wk[j]! * h[t * D + j]!; row[k] = s; }
    out.push(row);
  }
  return out;
}
const argmax = (r: Float32Array) => r.indexOf(Math.max(...r));
function report(name: string, W: Float32Array[], b: number[]) {
  const L = Object.fromEntries(Object.entries(evalH).map(([k, h]) => [k, logitsOf(h, W, b)]));
  let oursF = 0;
  const margins: number[] = [];
  const errs: number[] = [];
  for (let t = 0; t < nEval; t++) {
    oursF += +(argmax(L.ours![t]!) === argmax(L.fp32![t]!));
    const sorted = [...L.fp32![t]!].sort((x, y) => y - x);
    margins.push(sorted[0]! - sorted[1]!);
    errs.push(Math.max(...L.ours![t]!.map((v, k) => Math.abs(v - L.fp32![t]![k]!))));
  }
  margins.sort((x, y) => x - y); errs.sort((x, y) => x - y);
  const distinct = new Set(L.fp32!.map(argmax)).size;
  console.log(`${name}: tokens ${nEval}, ours~fp32 ${(oursF / nEval * 100).toFixed(2)}%, margin p10 ${margins[Math.floor(nEval * 0.1)]!.toFixed(2)} p50 ${margins[Math.floor(nEval / 2)]!.toFixed(2)}, ours err p99 ${errs[Math.floor(nEval * 0.99)]!.toFixed(2)}, labels used ${distinct}`);
}
const Wr = Array.from({ length: labels.length }, (_, k) => w.get("classifier.weight")!.data.slice(k * D, (k + 1) * D));
report("random", Wr, labels.map(() => 0));
{
  // Nearest centroid: logit_k = c_k·h − |c_k|²/2 (argmax is scale-free).
  const c = kmeans(calib, labels.length, 10);
  report("nearest centroid (k-means, 10 rounds)", c, c.map((ck) => -ck.reduce((s, v) => s + v * v, 0) / 2));
}

// Softmax regression on the cluster ids (what a fine-tuned head does: push tokens away from the boundaries).
{
  const K = labels.length;
  const c = kmeans(calib, K, 10);
  const assign = calib.map((x) => { let best = 0, bd = Infinity; c.forEach((ck, k) => { let d = 0; for (let j = 0; j < D; j++) { const e = x[j]! - ck[j]!; d += e * e; } if (d < bd) { bd = d; best = k; } }); return best; });
  const W = c.map((ck) => ck.slice());
  const b = c.map((ck) => -ck.reduce((s, v) => s + v * v, 0) / 2);
  const mW = W.map(() => new Float32Array(D)), vW = W.map(() => new Float32Array(D));
  const mb = new Float64Array(K), vb = new Float64Array(K);
  const lr = 0.01;
  let step = 0;
  for (let epoch = 1; epoch <= 30; epoch++) {
    const gW = W.map(() => new Float32Array(D)); const gb = new Float64Array(K); let loss = 0;
    calib.forEach((x, i) => {
      const z = W.map((wk, k) => { let s = b[k]!; for (let j = 0; j < D; j++) s += wk[j]! * x[j]!; return s; });
      const m = Math.max(...z); const e = z.map((v) => Math.exp(v - m)); const Z = e.reduce((s, v) => s + v, 0);
      loss += -(z[assign[i]!]! - m - Math.log(Z));
      e.forEach((v, k) => { const g = v / Z - (k === assign[i] ? 1 : 0); if (Math.abs(g) < 1e-6) return; gb[k]! += g; const gk = gW[k]!; for (let j = 0; j < D; j++) gk[j]! += g * x[j]!; });
    });
    step++;
    const n = calib.length;
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < D; j++) { const g = gW[k]![j]! / n; mW[k]![j] = 0.9 * mW[k]![j]! + 0.1 * g; vW[k]![j] = 0.999 * vW[k]![j]! + 0.001 * g * g; W[k]![j]! -= lr * (mW[k]![j]! / (1 - 0.9 ** step)) / (Math.sqrt(vW[k]![j]! / (1 - 0.999 ** step)) + 1e-8); }
      const g = gb[k]! / n; mb[k] = 0.9 * mb[k]! + 0.1 * g; vb[k] = 0.999 * vb[k]! + 0.001 * g * g; b[k]! -= lr * (mb[k]! / (1 - 0.9 ** step)) / (Math.sqrt(vb[k]! / (1 - 0.999 ** step)) + 1e-8);
    }
    if (epoch % 10 === 0) { console.error("epoch", epoch, "loss", (loss / n).toFixed(4)); report(`softmax regression epoch ${epoch}`, W, b); }
  }
}
