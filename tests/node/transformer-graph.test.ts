// The generated DistilBERT graphs compute DistilBertForTokenClassification: checked against a plain float64 forward
// pass written here from the weights map alone (no GPU or Python reference is available to this project's CI), in
// both onnxruntime builds; plus the quantized variants, the tokenizer, the folder and what transformers.js loads.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../core/index.ts";
import { TransformerManifestSchema } from "../../core/transformer/index.ts";
import { generateTransformer } from "../../scripts/generate-transformer.ts";
import { buildDistilBertGraph, type GraphKind } from "../../trainer/transformer/distilbert-graph.ts";
import { buildTransformerFolder } from "../../trainer/transformer/folder.ts";
import { d4dataLabels, presetConfig, type DistilBertConfig } from "../../trainer/transformer/hf-config.ts";
import { buildVocab, clinicalTexts, tokenizerFiles } from "../../trainer/transformer/vocab.ts";
import { randomDistilBertWeights, type Weights } from "../../trainer/transformer/weights.ts";

ortWeb.env.wasm.numThreads = 1;

/** DistilBertForTokenClassification in float64, straight from the Hugging Face modeling code's equations. */
function referenceLogits(c: DistilBertConfig, w: Weights, ids: number[], mask: number[]): Float64Array {
  const S = ids.length;
  const D = c.dim;
  const H = c.n_heads;
  const Dh = D / H;
  const t = (n: string) => w.get(n)!.data;
  const linear = (x: Float64Array, n: string, inn: number, out: number) => {
    const W = t(`${n}.weight`);
    const b = t(`${n}.bias`);
    const y = new Float64Array(S * out);
    for (let s = 0; s < S; s++) for (let o = 0; o < out; o++) {
      let acc = b[o]!;
      for (let i = 0; i < inn; i++) acc += x[s * inn + i]! * W[o * inn + i]!;
      y[s * out + o] = acc;
    }
    return y;
  };
  const layerNorm = (x: Float64Array, n: string) => {
    const g = t(`${n}.weight`);
    const b = t(`${n}.bias`);
    const y = new Float64Array(x.length);
    for (let s = 0; s < S; s++) {
      let mean = 0;
      for (let d = 0; d < D; d++) mean += x[s * D + d]!;
      mean /= D;
      let v = 0;
      for (let d = 0; d < D; d++) v += (x[s * D + d]! - mean) ** 2;
      const inv = 1 / Math.sqrt(v / D + 1e-12);
      for (let d = 0; d < D; d++) y[s * D + d] = (x[s * D + d]! - mean) * inv * g[d]! + b[d]!;
    }
    return y;
  };
  const erf = (x: number) => {
    // Abramowitz–Stegun 7.1.26 is too coarse at 1e-4; integrate the series instead (|x| is small here).
    let sum = x;
    let term = x;
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };
  let x = new Float64Array(S * D);
  for (let s = 0; s < S; s++) for (let d = 0; d < D; d++) x[s * D + d] = t("distilbert.embeddings.word_embeddings.weight")[ids[s]! * D + d]! + t("distilbert.embeddings.position_embeddings.weight")[s * D + d]!;
  x = layerNorm(x, "distilbert.embeddings.LayerNorm");
  for (let l = 0; l < c.n_layers; l++) {
    const p = `distilbert.transformer.layer.${l}`;
    const q = linear(x, `${p}.attention.q_lin`, D, D);
    const k = linear(x, `${p}.attention.k_lin`, D, D);
    const v = linear(x, `${p}.attention.v_lin`, D, D);
    const ctx = new Float64Array(S * D);
    for (let h = 0; h < H; h++)
      for (let i = 0; i < S; i++) {
        const scores = Array.from({ length: S }, (_, j) => {
          if (mask[j] === 0) return -Infinity;
          let a = 0;
          for (let d = 0; d < Dh; d++) a += (q[i * D + h * Dh + d]! / Math.sqrt(Dh)) * k[j * D + h * Dh + d]!;
          return a;
        });
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let d = 0; d < Dh; d++) ctx[i * D + h * Dh + d] = e.reduce((acc, p, j) => acc + (p / z) * v[j * D + h * Dh + d]!, 0);
      }
    const attn = linear(ctx, `${p}.attention.out_lin`, D, D);
    x = layerNorm(attn.map((a, i) => a + x[i]!), `${p}.sa_layer_norm`);
    const h1 = linear(x, `${p}.ffn.lin1`, D, c.hidden_dim).map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2)));
    const h2 = linear(h1, `${p}.ffn.lin2`, c.hidden_dim, D);
    x = layerNorm(h2.map((a, i) => a + x[i]!), `${p}.output_layer_norm`);
  }
  return linear(x, "classifier", D, Object.keys(c.id2label).length);
}

const vocab = buildVocab(clinicalTexts(), 1200);
const config = presetConfig("tiny", vocab.length, d4dataLabels());
const weights = randomDistilBertWeights(config, 11);
const L = Object.keys(config.id2label).length;
// Two rows: the second is padded after 5 tokens.
const rows = [
  [101, 400, 512, 633, 777, 812, 955, 102],
  [101, 300, 444, 555, 102, 0, 0, 0],
];
const masks = rows.map((r, i) => r.map((_, j) => (i === 1 && j >= 5 ? 0 : 1)));

type Ort = typeof ortWeb;
async function run(ort: Ort, bytes: Uint8Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all" });
  const feeds = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), [2, 8]),
    attention_mask: new ort.Tensor("int64", BigInt64Array.from(masks.flat(), BigInt), [2, 8]),
  };
  return (await s.run(feeds)).logits!.data as Float32Array;
}
const argmaxes = (x: ArrayLike<number>) => Array.from({ length: x.length / L }, (_, r) => {
  let best = 0;
  for (let k = 1; k < L; k++) if (x[r * L + k]! > x[r * L + best]!) best = k;
  return best;
});
const validRows = (x: ArrayLike<number>) => masks.flat().flatMap((m, r) => (m ? Array.from({ length: L }, (_, k) => x[r * L + k]!) : []));

describe("the generated DistilBERT graph", () => {
  const graphs = Object.fromEntries((["fp32", "standard", "medner"] as GraphKind[]).map((k) => [k, buildDistilBertGraph(config, weights, k)])) as Record<GraphKind, Uint8Array>;
  const reference = rows.flatMap((r, i) => Array.from(referenceLogits(config, weights, r.slice(0, masks[i]!.filter(Boolean).length), masks[i]!.filter(Boolean))));

  it("fp32 computes DistilBertForTokenClassification: the float64 reference within 1e-4, padding ignored, in both runtimes", async () => {
    for (const ort of [ortWeb, ortNode as unknown as Ort]) {
      const got = validRows(await run(ort, graphs.fp32));
      expect(got.length).toBe(reference.length);
      const worst = Math.max(...got.map((g, i) => Math.abs(g - reference[i]!)));
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it("q8: both quantized variants keep the labels; the medner one stays closer to fp32", async () => {
    const fp = validRows(await run(ortWeb, graphs.fp32));
    const errs: Record<string, number> = {};
    for (const k of ["standard", "medner"] as const) {
      const q = validRows(await run(ortWeb, graphs[k]));
      const agree = argmaxes(q).filter((a, i) => a === argmaxes(fp)[i]).length / argmaxes(fp).length;
      expect(agree).toBeGreaterThanOrEqual(0.9);
      errs[k] = q.reduce((a, v, i) => a + Math.abs(v - fp[i]!), 0) / q.length;
    }
    expect(errs.medner!).toBeLessThan(errs.standard!);
    // Smaller than fp32, but per-row scales and the fp32 classifier cost the medner file a little more than standard.
    expect(graphs.medner.length).toBeLessThan(graphs.fp32.length);
  });

  it("the medner variant's fused contrib op runs the same in onnxruntime-node and onnxruntime-web", async () => {
    const [a, b] = [await run(ortWeb, graphs.medner), await run(ortNode as unknown as Ort, graphs.medner)];
    expect(Math.max(...validRows(a).map((v, i) => Math.abs(v - validRows(b)[i]!)))).toBeLessThan(1e-3);
  });
});

describe("the generated folder", () => {
  let dir: string;
  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), "medner-tiny-")), "standard");
    generateTransformer({ size: "tiny", variant: "standard", out: dir, seed: 3 });
  });

  it("has every file with its sha256 in a valid manifest, and the tiny model stays well under 1 MB", async () => {
    const m = TransformerManifestSchema.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
    for (const [file, e] of Object.entries(m.files)) {
      const bytes = readFileSync(join(dir, file));
      expect(await sha256Hex(bytes)).toBe(e.sha256);
      expect(bytes.byteLength).toBe(e.size);
    }
    expect(m.files["onnx/model_quantized.onnx"]!.size).toBeLessThan(300_000);
    expect(m.labels).toEqual(d4dataLabels());
    expect(m.shape).toMatchObject({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 1200, maxPositions: 512 });
  });

  it("a failure while writing leaves no folder and no temporary folder", () => {
    const parent = mkdtempSync(join(tmpdir(), "medner-fail-"));
    const broken = new Map(weights);
    broken.delete("classifier.bias");
    expect(() => buildTransformerFolder(join(parent, "m"), { config, weights: broken, ...tokenizerFiles(vocab), name: "t", version: "1", variant: "medner", source: {} })).toThrow(/E513: weights: classifier\.bias is missing/);
    const shortVocab = { ...config, vocab_size: 10 };
    expect(() => buildTransformerFolder(join(parent, "m"), { config: shortVocab, weights, ...tokenizerFiles(vocab), name: "t", version: "1", variant: "medner", source: {} })).toThrow(/word_embeddings\.weight has shape/);
    expect(existsSync(join(parent, "m"))).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("the tokenizer splits clinical text into the vocabulary's pieces, in @huggingface/tokenizers and transformers.js alike", async () => {
    const tj = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
    const tc = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
    const tok = new Tokenizer(tj, tc);
    const enc = tok.encode("Metformin 500 mg BID.");
    expect(enc.ids[0]).toBe(101);
    expect(enc.ids.at(-1)).toBe(102);
    for (const piece of enc.tokens.slice(1, -1)) expect(vocab).toContain(piece);
    expect(enc.tokens.slice(1, -1).join(" ").replace(/ ##/g, "")).toBe("metformin 500 mg bid .");
    const { AutoTokenizer, env } = await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    const auto = await AutoTokenizer.from_pretrained(dir);
    expect(Array.from(auto.encode("Metformin 500 mg BID."))).toEqual(enc.ids);
  });

  it("transformers.js runs it as a token-classification pipeline, fp32 and q8", async () => {
    const { pipeline, env } = await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    for (const dtype of ["fp32", "q8"] as const) {
      const pipe = await pipeline("token-classification", dir, { dtype });
      const out = (await pipe("Aspirin for chest pain.", { ignore_labels: [] })) as Array<{ entity: string }>;
      expect(out.length).toBeGreaterThan(3);
      for (const e of out) expect(d4dataLabels()).toContain(e.entity);
      await pipe.dispose();
    }
  });
});
