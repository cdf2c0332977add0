// Export to ONNX: parity with tfjs, the manifest, the q8 guard, and verification of what is loaded.
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { attributeSlots, loadExportedTagger, sha256Hex, TaggerEngine, type Doc } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { initBackend } from "../../trainer/backend.ts";
import { readCorpus } from "../../trainer/corpus/index.ts";
import { exportModel } from "../../trainer/export/export-model.ts";
import { exportTaggerOnnx } from "../../trainer/export/tagger-onnx.ts";
import { openModel } from "../../trainer/model/any-model.ts";
import { loadConfig } from "../../trainer/model/config.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { runTraining } from "../../trainer/run-training.ts";
import { HAND_CHECKED, TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { taggerReference } from "../fixtures/tagger-reference.ts";
import { medner, ROOT } from "./cli.ts";

const CORPUS = join(ROOT, "tests/fixtures/corpora/clinical-small.json");
const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");
const tmp = () => mkdtempSync(join(tmpdir(), "medner-export-"));
let docs: Doc[];
let model: string;

beforeAll(async () => {
  const backend = await initBackend();
  docs = readCorpus(CORPUS).docs;
  const out = tmp();
  await runTraining({ config: loadConfig(join(ROOT, "tests/fixtures/tiny-config.json")), train: docs, dev: docs, out, backend, dataDescription: {} });
  model = join(out, "model-best");
}, 120_000);

const readDir = (dir: string) => async (name: string) => {
  try {
    return new Uint8Array(readFileSync(join(dir, name)));
  } catch {
    return null;
  }
};

describe("ONNX export", () => {
  it("fp32 tag scores match tfjs within 1e-4 (batched with padding)", async () => {
    const tagger = loadTagger(model);
    const { InferenceSession, Tensor } = await import("onnxruntime-web");
    const session = await InferenceSession.create(exportTaggerOnnx(tagger, "fp32"));
    const feats = docs.map((d) => tagger.featurize(d.text));
    const T = Math.max(...feats.map((f) => f.tokens.length));
    const S = attributeSlots(tagger.config.features).reduce((a, b) => a + b, 0);
    const ids = new Int32Array(feats.length * T * S).fill(-1);
    const mask = new Float32Array(feats.length * T);
    feats.forEach((f, b) => {
      ids.set(f.ids, b * T * S);
      mask.fill(1, b * T, b * T + f.tokens.length);
    });
    const out = await session.run({ ids: new Tensor("int32", ids, [feats.length, T, S]), mask: new Tensor("float32", mask, [feats.length, T]) });
    const onnx = out.logprobs!.data as Float32Array;
    const K = tagger.tags.length;
    let maxDiff = 0;
    feats.forEach((f, b) => {
      const ref = tagger.logProbs([f]);
      for (let i = 0; i < f.tokens.length * K; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i]! - onnx[b * T * K + i]!));
    });
    expect(maxDiff).toBeLessThan(1e-4);
    tagger.dispose();
  });

  it("writes the transformers.js file names and a manifest with sha256, size, labels, featurizer and metrics", async () => {
    const out = tmp();
    const q8 = await exportModel({ modelDir: model, out, dtype: "q8", name: "clinical", version: "7", dev: docs });
    await exportModel({ modelDir: model, out, dtype: "fp32", name: "clinical", version: "7", dev: docs });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.files).sort()).toEqual(["model.onnx", "model_quantized.onnx", "model_quantized.ort"]);
    // The ORT-format twin (what the Worker loads) answers as the q8 ONNX file does.
    const ortRunner = await createNodeRunner(new Uint8Array(readFileSync(join(out, "model_quantized.ort"))));
    const [ortEngine, onnxEngine] = [new TaggerEngine(manifest, ortRunner), await loadExportedTagger(readDir(out), createNodeRunner)];
    const texts = docs.slice(0, 5).map((d) => d.text);
    const [fromOrt, fromOnnx] = [await ortEngine.predict(texts, { documentRules: false }), await onnxEngine.predict(texts, { documentRules: false })];
    expect(fromOrt.flat().length).toBeGreaterThan(3);
    expect(fromOrt.map((es) => es.map(({ score, ...e }) => e))).toEqual(fromOnnx.map((es) => es.map(({ score, ...e }) => e)));
    fromOrt.flat().forEach((e, i) => expect(e.score).toBeCloseTo(fromOnnx.flat()[i]!.score, 5));
    for (const [file, entry] of Object.entries(manifest.files as Record<string, { sha256: string; size: number }>)) {
      const bytes = readFileSync(join(out, file));
      expect(entry).toMatchObject({ sha256: await sha256Hex(bytes), size: bytes.length });
    }
    expect(manifest).toMatchObject({ name: "clinical", version: "7", dtype: "q8", kind: "tagger", labels: ["DISEASE", "MEDICATION", "TREATMENT"], scheme: "BILOU" });
    expect(manifest.featurizer.config).toEqual({ attributes: loadConfig(join(ROOT, "tests/fixtures/tiny-config.json")).features.attributes, seeds: 2 });
    expect(manifest.trainDataSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.devMetrics.q8.micro.f1).toBeGreaterThan(0.9);
    expect(manifest.devMetrics.fp32.micro.f1).toBeGreaterThan(0.9);
    expect(Date.parse(manifest.createdAt)).not.toBeNaN();
    expect(q8.guard).toMatchObject({ passed: true });
    expect(manifest.files["model_quantized.onnx"].size).toBeLessThan(manifest.files["model.onnx"].size / 3);
  });

  it("an exported folder answers evaluate and predict like the tfjs model", async () => {
    const out = tmp();
    await exportModel({ modelDir: model, out, dtype: "fp32", name: "m" });
    const texts = docs.map((d) => d.text);
    const [tfjs, onnx] = [await openModel(model), await openModel(out)];
    const strip = (xs: Array<Array<{ score: number }>>) => xs.map((es) => es.map(({ score, ...r }) => r));
    const fromTfjs = await tfjs.predict(texts, { documentRules: false });
    expect(fromTfjs.flat().length).toBeGreaterThan(10);
    expect(strip(await onnx.predict(texts, { documentRules: false }))).toEqual(strip(fromTfjs));
    tfjs.dispose();
    const a = JSON.parse(medner("evaluate", "--model", model, "--data", CORPUS, "--json").stdout);
    const b = JSON.parse(medner("evaluate", "--model", out, "--data", CORPUS, "--json").stdout);
    expect(b).toEqual(a);
  });

  it("the q8 guard refuses with a clear message and a non-zero exit, unless --force", () => {
    const out = tmp();
    const refused = medner("export", "--model", model, "--out", out, "--dtype", "q8", "--data", CORPUS, "--guard-agreement", "100.01");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^medner: E403: q8 refused: dev F1 \d\.\d{4} vs fp32 \d\.\d{4} \(limit: 0\.30 points lost\), entity agreement [\d.]+% \(limit: 100\.01%\); pass --force/);
    const forced = medner("export", "--model", model, "--out", out, "--dtype", "q8", "--data", CORPUS, "--guard-agreement", "100.01", "--force", "--json");
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).guard.passed).toBe(false);
  });
});

describe("loading an exported model", () => {
  it("the hand-marked entities are where the notes say", () => {
    HAND_CHECKED.forEach((es, i) => es.forEach((e) => expect(TAGGER_NOTES[i]!.slice(e.start, e.end)).toBe(e.text)));
  });

  it.each(["tiny-tagger", "tiny-tagger-crf"])("the committed %s finds in Node what its ONNX file defines (the workerd test checks the same), the hand-marked entities among them", async (name) => {
    const dir = join(ROOT, "tests/fixtures/models", name);
    const want = await taggerReference(dir, TAGGER_NOTES);
    const unscored = (xs: Array<Array<{ score: number }>>) => xs.map((es) => es.map(({ score, ...r }) => r));
    unscored(want).forEach((es, i) => expect(es).toEqual(expect.arrayContaining(HAND_CHECKED[i]!)));
    const got = await (await loadExportedTagger(readDir(dir), createNodeRunner)).predict(TAGGER_NOTES, { documentRules: false });
    expect(unscored(got)).toEqual(unscored(want));
    got.flat().forEach((e, i) => expect(e.score).toBeCloseTo(want.flat()[i]!.score, 5));
  });

  it("a truncated or tampered ONNX file fails with E402 naming the sha256 mismatch; a missing file or manifest with E401", async () => {
    const dir = tmp();
    cpSync(FIXTURE, dir, { recursive: true });
    const file = join(dir, "model_quantized.onnx");
    const good = readFileSync(file);
    writeFileSync(file, good.subarray(0, good.length - 1000));
    await expect(loadExportedTagger(readDir(dir), createNodeRunner)).rejects.toThrow(/^E402: model_quantized\.onnx: sha256 mismatch \(expected [0-9a-f]{12}… for \d+ bytes, got [0-9a-f]{12}… for \d+ bytes\): truncated or tampered$/);
    const tampered = Buffer.from(good);
    tampered[5000]! ^= 1;
    writeFileSync(file, tampered);
    await expect(loadExportedTagger(readDir(dir), createNodeRunner)).rejects.toThrow(/E402: model_quantized\.onnx: sha256 mismatch/);
    await expect(loadExportedTagger(readDir(join(dir, "nope")), createNodeRunner)).rejects.toThrow(/E401: manifest\.json is missing/);
    await expect(loadExportedTagger(readDir(dir), createNodeRunner, { dtype: "fp32" })).rejects.toThrow(/E401: model\.onnx is missing/);
    // Bytes that pass the manifest but are not ONNX: onnxruntime's error, wrapped, never a crash.
    const garbage = new TextEncoder().encode("not an onnx model");
    writeFileSync(file, garbage);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    manifest.files["model_quantized.onnx"] = { sha256: await sha256Hex(garbage), size: garbage.length };
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    await expect(loadExportedTagger(readDir(dir), createNodeRunner)).rejects.toThrow(/^E401: model_quantized\.onnx: onnxruntime could not load it/);
  });
});
