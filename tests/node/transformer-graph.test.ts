// The generated DistilBERT graphs compute DistilBertForTokenClassification: checked against a plain float64 forward
// pass from the weights map alone (trainer/distilbert/reference-forward.ts; no Python or torch runs in this project's
// CI), in both onnxruntime builds; plus the quantized graphs, the labels, the tokenizer, the folder, the CLI and what
// transformers.js loads.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { TransformerManifestSchema } from "../../core/transformer/index.ts";
import { generateTransformer, VOCAB_SIZES } from "../../scripts/generate-transformer.ts";
import { GraphBuilder } from "../../trainer/export/onnx-builder.ts";
import { buildDistilBertGraph, type GraphOptions } from "../../trainer/distilbert/distilbert-graph.ts";
import { buildTransformerFolder } from "../../trainer/distilbert/folder.ts";
import { TORCH_EXPORT, VARIANT_GRAPHS } from "../../trainer/distilbert/graph-variants.ts";
import { d4dataLabels, presetConfig } from "../../trainer/distilbert/hf-config.ts";
import { dequantize, quantizeBlockwise, quantizeSymmetric } from "../../trainer/export/quantize.ts";
import { buildVocab, clinicalTexts, tokenizerFiles } from "../../trainer/distilbert/vocab.ts";
import { referenceLogits } from "../../trainer/distilbert/reference-forward.ts";
import { randomDistilBertWeights } from "../../trainer/distilbert/weights.ts";

ortWeb.env.wasm.numThreads = 1;
type Ort = typeof ortWeb;
const RUNTIMES: Array<[string, Ort]> = [["onnxruntime-web", ortWeb], ["onnxruntime-node", ortNode as unknown as Ort]];

const vocab = buildVocab(clinicalTexts(), VOCAB_SIZES.tiny);
const config = presetConfig("tiny", vocab.length, d4dataLabels());
const weights = randomDistilBertWeights(config, 11);
const L = d4dataLabels().length;
const graph = (variant: "medner", dtype: "fp32" | "q8") => buildDistilBertGraph(config, weights, VARIANT_GRAPHS[variant][dtype], `${variant} ${dtype}`);

async function logits(ort: Ort, bytes: Uint8Array, rows: number[][], masks: number[][]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all" });
  const shape = [rows.length, rows[0]!.length];
  const out = await s.run({ input_ids: new ort.Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), shape), attention_mask: new ort.Tensor("int64", BigInt64Array.from(masks.flat(), BigInt), shape) });
  await s.release();
  return out.logits!.data as Float32Array;
}
/** The logits of the positions whose mask is 1, in order. */
const unpadded = (x: ArrayLike<number>, masks: number[][]) => masks.flat().flatMap((m, r) => (m ? Array.from({ length: L }, (_, k) => x[r * L + k]!) : []));
const argmaxes = (x: ArrayLike<number>) => Array.from({ length: x.length / L }, (_, r) => Array.from({ length: L }, (_, k) => x[r * L + k]!).reduce((b, v, k, a) => (v > a[b]! ? k : b), 0));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

// Two rows, the second padded after 5 tokens.
const rows = [
  [101, 400, 512, 633, 777, 812, 955, 102],
  [101, 300, 444, 555, 102, 0, 0, 0],
];
const masks = rows.map((r, i) => r.map((_, j) => (i === 1 && j >= 5 ? 0 : 1)));

describe("the generated DistilBERT graphs", () => {
  // Every position, padded ones too: they still attend to the real tokens, in torch as in the graphs.
  const reference = rows.flatMap((r, i) => Array.from(referenceLogits(config, weights, r, masks[i])));

  // torch's export (plain ONNX attention) stays the builder's base and measure-graphs' fp32 baseline.
  const FP32: Array<[string, GraphOptions]> = [["torch export", TORCH_EXPORT], ["medner", VARIANT_GRAPHS.medner.fp32]];
  it.each(FP32)("%s fp32 computes DistilBertForTokenClassification: the float64 reference within 1e-4 on a padded batch", async (name, options) => {
    for (const [, ort] of RUNTIMES) {
      const got = await logits(ort, buildDistilBertGraph(config, weights, options, `${name} fp32`), rows, masks);
      expect(got.length).toBe(reference.length);
      expect(maxDiff(got, reference)).toBeLessThan(1e-4);
    }
  });

  it("padding leaves the real tokens' logits as they are without it (fp32 exactly, q8 in its labels)", async () => {
    const alone = async (dtype: "fp32" | "q8") => logits(ortNode as unknown as Ort, graph("medner", dtype), [rows[1]!.slice(0, 5)], [[1, 1, 1, 1, 1]]);
    const inBatch = async (dtype: "fp32" | "q8") => unpadded(await logits(ortNode as unknown as Ort, graph("medner", dtype), rows, masks), masks).slice(8 * L);
    expect(maxDiff(await inBatch("fp32"), await alone("fp32"))).toBeLessThan(1e-5);
    // Activations are quantized per tensor, so the padded batch shifts q8 logits slightly, but not their labels.
    expect(argmaxes(await inBatch("q8"))).toEqual(argmaxes(await alone("q8")));
  });

  it("q8 keeps fp32's labels on 512 tokens", async () => {
    let seed = 99;
    const ids = Array.from({ length: 8 }, () => [101, ...Array.from({ length: 62 }, () => 1000 + ((seed = (seed * 48271) % 2147483647) % (vocab.length - 1000))), 102]);
    const full = ids.map((r) => r.map(() => 1));
    const fp32 = await logits(ortNode as unknown as Ort, graph("medner", "fp32"), ids, full);
    const q8 = await logits(ortNode as unknown as Ort, graph("medner", "q8"), ids, full);
    const agreement = argmaxes(q8).filter((a, i) => a === argmaxes(fp32)[i]).length / (q8.length / L);
    expect(agreement).toBeGreaterThanOrEqual(0.99);
  });

  it("MatMulNBits (measured, not shipped): onnxruntime reads our blockwise 8- and 4-bit layouts as meant", async () => {
    const fp32 = await logits(ortNode as unknown as Ort, graph("medner", "fp32"), rows, masks);
    const meanErr = (x: Float32Array) => x.reduce((a, v, i) => a + Math.abs(v - fp32[i]!), 0) / x.length;
    const channel = meanErr(await logits(ortNode as unknown as Ort, graph("medner", "q8"), rows, masks));
    const labels = argmaxes(unpadded(fp32, masks));
    for (const [ort, name] of [[ortNode as unknown as Ort, "node"], [ortWeb, "web"]] as const)
      for (const linear of ["int8-block", "int4-block"] as const) {
        const got = await logits(ort, buildDistilBertGraph(config, weights, { ...VARIANT_GRAPHS.medner.q8, linear }, linear), rows, masks);
        // A misread layout (nibble order, block order, zero point) makes errors the size of the logits themselves.
        expect(meanErr(got), `${name} ${linear}`).toBeLessThan(2 * channel);
        expect(argmaxes(unpadded(got, masks)).filter((a, i) => a === labels[i]).length, `${name} ${linear}`).toBeGreaterThanOrEqual(labels.length - 2);
      }
  });

  it("MatMulNBits reads quantizeBlockwise's bytes as meant: three blocks along K and five columns whose sizes differ 10,000-fold", async () => {
    const [M, K, N] = [3, 96, 5];
    // Column n is scaled by 10^(n-2) and block b by (1, 30, 1/30): a scale read from the wrong block or column
    // would be off by 30× or more for some element.
    const w = Float32Array.from({ length: K * N }, (_, i) => Math.sin(i * 0.37) * 10 ** ((i % N) - 2) * [1, 30, 1 / 30][Math.floor(i / N / 32)]!);
    const x = Float32Array.from({ length: M * K }, (_, i) => Math.cos(i * 1.3)); // neighbours differ: a nibble swap shows
    const reference = Array.from({ length: M * N }, (_, o) => Array.from({ length: K }, (_, k) => x[Math.floor(o / N) * K + k]! * w[k * N + (o % N)]!).reduce((a, b) => a + b));
    for (const bits of [8, 4] as const) {
      const { b, scales, blocks } = quantizeBlockwise(w, K, N, bits, 32);
      expect(blocks).toBe(3);
      const g = new GraphBuilder();
      g.input("x", "float32", [M, K]);
      g.node("com.microsoft:MatMulNBits", ["x", g.constant("b", "uint8", [N, blocks, (32 * bits) / 8], b), g.constant("s", "float32", [N, blocks], scales)], { K, N, bits, block_size: 32, accuracy_level: 4 }, "y");
      g.output("y", "float32", [M, N]);
      for (const ort of [ortNode as unknown as Ort, ortWeb]) {
        const session = await ort.InferenceSession.create(g.build("nbits", 17, "MatMulNBits layout"));
        const y = (await session.run({ x: new ort.Tensor("float32", x, [M, K]) })).y!.data as Float32Array;
        await session.release();
        // Each column within a few percent of its own size (its largest product with the activations).
        for (let o = 0; o < M * N; o++) {
          const size = Math.max(...Array.from({ length: K }, (_, k) => Math.abs(w[k * N + (o % N)]!))) * K;
          expect(Math.abs(y[o]! - reference[o]!) / size, `${bits} bits, output ${o}`).toBeLessThan(bits === 8 ? 0.01 : 0.05);
        }
      }
    }
  });

  it("medner's contrib ops (MultiHeadAttention, DynamicQuantizeMatMul) give the same logits in onnxruntime-node and -web", async () => {
    for (const dtype of ["fp32", "q8"] as const) {
      const [web, node] = [await logits(ortWeb, graph("medner", dtype), rows, masks), await logits(ortNode as unknown as Ort, graph("medner", dtype), rows, masks)];
      expect(maxDiff(unpadded(web, masks), unpadded(node, masks))).toBeLessThan(1e-4);
    }
  });

  it("symmetric int8 quantization: |q| reaches 127 in every slice and decodes within half a step", () => {
    const [R, C] = [7, 5];
    const m = Float32Array.from({ length: R * C }, (_, i) => Math.sin(i * 1.7) * (1 + (i % C)));
    m.fill(0, 0, C); // row 0 is all zero
    for (const axis of ["tensor", "column", "row"] as const) {
      const quantized = quantizeSymmetric(m, R, C, axis);
      const slice = (i: number) => (axis === "tensor" ? 0 : axis === "column" ? i % C : Math.floor(i / C));
      const back = dequantize(quantized, R, C, axis);
      m.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(quantized.scales[slice(i)]! / 2 + 1e-7));
      const peak = new Map<number, number>();
      quantized.q.forEach((q, i) => peak.set(slice(i), Math.max(peak.get(slice(i)) ?? 0, Math.abs(q))));
      expect([...peak.values()]).toEqual([...peak.keys()].map((k) => (axis === "row" && k === 0 ? 0 : 127)));
    }
  });
});

describe("labels and tokenizer", () => {
  it("generated configs carry d4data/biomedical-ner-all's 84 labels in id order", () => {
    const labels = d4dataLabels();
    expect(labels.length).toBe(84);
    expect(labels[0]).toBe("O");
    expect(new Set(labels).size).toBe(84);
    for (const l of labels.slice(1)) expect(l).toMatch(/^[BI]-/);
    expect(Object.values(config.id2label)).toEqual(labels);
    expect(Object.entries(config.label2id!).every(([l, id]) => config.id2label[String(id)] === l)).toBe(true);
  });

  it("the tokenizer splits clinical text into the vocabulary's greedy longest-match pieces, in @huggingface/tokenizers and transformers.js alike", async () => {
    const { tokenizerJson, tokenizerConfig } = tokenizerFiles(vocab);
    const text = "Started Hydrochlorothiazide 25 mg; denies chest pain.";
    const known = new Set(vocab);
    // BERT's own algorithm, written out: lowercase, split at spaces and punctuation, longest vocabulary match first.
    const expected = text.toLowerCase().split(/\s+/).flatMap((w) => w.split(/([;.])/)).filter(Boolean).flatMap((word) => {
      const pieces: string[] = [];
      for (let start = 0; start < word.length; ) {
        let end = word.length;
        while (end > start && !known.has((start ? "##" : "") + word.slice(start, end))) end--;
        if (end === start) return ["[UNK]"];
        pieces.push((start ? "##" : "") + word.slice(start, end));
        start = end;
      }
      return pieces;
    });
    expect(expected.some((p) => p.startsWith("##"))).toBe(true);
    const enc = new Tokenizer(tokenizerJson, tokenizerConfig).encode(text);
    expect(enc.tokens).toEqual(["[CLS]", ...expected, "[SEP]"]);
    expect(enc.ids).toEqual([101, ...expected.map((p) => vocab.indexOf(p)), 102]);
    const dir = mkdtempSync(join(tmpdir(), "medner-tok-"));
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson));
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
    const { AutoTokenizer, env } = await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    expect(Array.from((await AutoTokenizer.from_pretrained(dir)).encode(text))).toEqual(enc.ids);
  });
});

describe("the generated folder", () => {
  const parent = mkdtempSync(join(tmpdir(), "medner-tiny-"));
  const dir = join(parent, "medner");
  beforeAll(async () => {
    await generateTransformer({ size: "tiny", variant: "medner", out: dir, seed: 3 });
  });

  it("has every file with its sha256 in a valid manifest, the graphs it was built from, and stays well under 1 MB", () => {
    const m = TransformerManifestSchema.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
    expect(Object.keys(m.files).sort()).toEqual(["config.json", "onnx/model.onnx", "onnx/model_quantized.onnx", "onnx/model_quantized.ort", "tokenizer.json", "tokenizer_config.json"]);
    for (const [file, e] of Object.entries(m.files)) {
      const bytes = readFileSync(join(dir, file));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(e.sha256);
      expect(bytes.byteLength).toBe(e.size);
    }
    expect(m.files["onnx/model_quantized.onnx"]!.size).toBeLessThan(300_000);
    expect(m.labels).toEqual(d4dataLabels());
    expect(m.shape).toEqual({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: VOCAB_SIZES.tiny, maxPositions: 512 });
    expect(m.graph).toMatchObject({ variant: "medner", q8: VARIANT_GRAPHS.medner.q8, fp32: VARIANT_GRAPHS.medner.fp32 });
  });

  it("a failure while writing leaves neither a folder nor a temporary one, and keeps the folder it would have replaced", async () => {
    const root = mkdtempSync(join(tmpdir(), "medner-fail-"));
    const input = { config, weights, ...tokenizerFiles(vocab), name: "t", version: "1", variant: "medner" as const, source: {} };
    const broken = new Map(weights);
    broken.delete("classifier.bias");
    await expect(buildTransformerFolder(join(root, "m"), { ...input, weights: broken })).rejects.toThrow(/E513: weights: classifier\.bias is missing/);
    await expect(buildTransformerFolder(join(root, "m"), { ...input, config: { ...config, vocab_size: 10 } })).rejects.toThrow(/word_embeddings\.weight has shape \[\d+,32\], the config needs \[10,32\]/);
    // Fails after config, tokenizer and fp32 graph are on disk.
    const diskFull = (f: string) => {
      if (f.endsWith("model_quantized.onnx")) throw new Error("ENOSPC: no space left on device");
    };
    await expect(buildTransformerFolder(join(root, "m"), { ...input, onStep: diskFull })).rejects.toThrow(/E401: .*ENOSPC/);
    expect(readdirSync(root)).toEqual([]);
    mkdirSync(join(root, "m"));
    writeFileSync(join(root, "m", "keep.txt"), "previous model");
    await expect(buildTransformerFolder(join(root, "m"), { ...input, onStep: diskFull })).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(root)).toEqual(["m"]);
    expect(readFileSync(join(root, "m", "keep.txt"), "utf8")).toBe("previous model");
  });

  it("transformers.js runs the folder as a token-classification pipeline, fp32 and q8", async () => {
    const { pipeline, env } = await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    env.localModelPath = parent;
    for (const dtype of ["fp32", "q8"] as const) {
      const pipe = await pipeline("token-classification", "medner", { dtype });
      const out = (await pipe("Aspirin for chest pain.", { ignore_labels: [] })) as Array<{ entity: string }>;
      expect(out.length).toBeGreaterThan(3);
      for (const e of out) expect(d4dataLabels()).toContain(e.entity);
      await pipe.dispose();
    }
  });

  it("the CLI prints one line per file, and a bad argument as one line with exit code 1", async () => {
    const run = promisify(execFile);
    const cli = ["--import", "tsx", "scripts/generate-transformer.ts"];
    const out = join(parent, "cli");
    const ok = await run(process.execPath, [...cli, "--size", "tiny", "--variant", "medner", "--out", out, "--seed", "4"]);
    expect(ok.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0])).toEqual(["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx", "onnx/model_quantized.onnx", "onnx/model_quantized.ort", "manifest.json"]);
    expect(existsSync(join(out, "manifest.json"))).toBe(true);
    const bad = await run(process.execPath, [...cli, "--size", "huge", "--out", join(parent, "bad")]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(parent, "bad"))).toBe(false);
  });
});
