// medner's transformer path against Hugging Face's own Python: models that transformers saved with save_pretrained,
// imported with `models:import` from a local server in the hub's layout (the path a user takes), compared with what
// transformers' token-classification pipeline answered (tests/fixtures/reference, made by scripts/reference).
// Numbers and what they mean: docs/transformer.md#verified-against-hugging-faces-python.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadTransformer, planWindows, type TransformerRunner } from "../../core/transformer/index.ts";
import type { Dtype } from "../../core/manifest.ts";
import type { RunnerFactory } from "../../core/model-stream.ts";
import { createNativeTransformerRunner } from "../../functions/adapters/ort-native-node.ts";
import { createNodeTransformerRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { readTransformerManifest } from "../../trainer/distilbert/folder.ts";
import { importReference, readReference, REFERENCE_COMMIT, REFERENCE_DIR, REFERENCE_MODELS, referenceRepo, referenceTexts, serveReferenceHub, type ReferenceModel } from "../fixtures/reference/hub.ts";
import { codePointIndex, entityParity, FP32_TOLERANCE, maxLogitDiff, Q8_BOUNDS, q8Agreement, STRATEGIES, strideDifferences, type StrideAggregation } from "../fixtures/reference/reference.ts";

const RUNNERS: Record<string, RunnerFactory<TransformerRunner>> = { "onnxruntime-web": createNodeTransformerRunner, "onnxruntime-node": createNativeTransformerRunner };
const texts = new Map(referenceTexts().map((t) => [t.id, t.text]));
const textOf = (id: string) => texts.get(id)!;
let parent: string;
const folder = (model: ReferenceModel) => join(parent, model);
const load = (model: ReferenceModel, dtype: Dtype, runner = createNodeTransformerRunner) =>
  loadTransformer(async (f) => new Uint8Array(readFileSync(join(folder(model), f))), runner, { dtype });

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), "medner-reference-"));
  const hub = await serveReferenceHub();
  try {
    for (const model of REFERENCE_MODELS) await importReference(hub, model, "medner", folder(model));
  } finally {
    await hub.close();
  }
}, 180_000);
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe.each(REFERENCE_MODELS)("the %s reference model", (model) => {
  const { fixture, logits } = readReference(model);

  test("the import read the served repository as Python saved it", () => {
    const manifest = readTransformerManifest(folder(model));
    expect(manifest.source).toMatchObject({ kind: "hub", repo: referenceRepo(model), commit: REFERENCE_COMMIT, tokenizer: "tokenizer.json" });
    const sha256 = (f: string) => createHash("sha256").update(readFileSync(join(REFERENCE_DIR, "models", model, f))).digest("hex");
    const files = manifest.source.files as Record<string, { sha256: string }>;
    expect(Object.keys(files).sort()).toEqual(["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
    for (const [f, d] of Object.entries(files)) expect(d.sha256, f).toBe(sha256(f));
    expect(manifest.labels).toHaveLength(84); // d4data's
  });

  test("every text: the pieces and code-point offsets of the Rust tokenizers", async () => {
    const engine = await load(model, "fp32");
    const { tokenizer } = engine;
    for (const t of fixture.texts) {
      const text = textOf(t.id);
      const cp = codePointIndex(text);
      const ours = tokenizer.tokenize(text);
      expect(ours.map((p) => p.id), t.id).toEqual(t.ids);
      expect(ours.map((p) => [cp(p.start), cp(p.end)]), t.id).toEqual(t.offsets);
    }
    await engine.release();
  });

  describe("fp32", () => {
    test.each(Object.keys(RUNNERS))("%s: every piece's logits within 1e-4 of torch's; long notes in the same windows", async (runner) => {
      const engine = await load(model, "fp32", RUNNERS[runner]);
      expect(await maxLogitDiff(engine, fixture, logits, textOf)).toBeLessThan(FP32_TOLERANCE);
      for (const t of fixture.texts.filter((t) => t.windows))
        expect(planWindows(t.ids.length, fixture.window.pieces, fixture.window.overlap), t.id).toEqual(t.windows!.map(([start, end]) => ({ start, end })));
      await engine.release();
    });

    test("every strategy: the pipeline's entities (type, start, end, word), scores within 1e-4", async () => {
      const engine = await load(model, "fp32");
      const { mismatches, maxScoreDiff } = await entityParity(engine, fixture, textOf);
      expect(mismatches).toEqual([]);
      expect(maxScoreDiff).toBeLessThan(FP32_TOLERANCE);
      await engine.release();
    });
  });

  test("q8: per-piece argmax and entities agree with torch fp32 within the measured bounds", async () => {
    const engine = await load(model, "q8");
    const q8 = await q8Agreement(engine, fixture, logits, textOf);
    const bounds = Q8_BOUNDS.medner;
    expect(q8.argmax).toBeGreaterThanOrEqual(bounds.argmax);
    // What q8 labels differently, torch's fp32 decided narrowly.
    expect(q8.flippedMargin).toBeLessThan(bounds.flipsBelowMargin);
    for (const strategy of STRATEGIES) expect(q8.entities[strategy], strategy).toBeGreaterThanOrEqual(bounds.entities);
    await engine.release();
  });
});

// medner merges long notes' windows per piece before aggregating; the pipeline's stride aggregates each chunk and drops
// overlapping entities. The fixtures hold both answers (their stride chunks cut as tokenizers 0.22.2 cuts them).
describe("long notes: medner's merge and the pipeline's stride", () => {
  /**
   * Entities (not O) on the long notes: medner's (the fixture's `pipeline`, which the engine reproduces: above), the
   * stride's, and those only one side found, by where they lie (touching a piece two chunks share; else one whose
   * window differs). Measured on the fixtures; docs/transformer.md.
   */
  const MEASURED: Record<ReferenceModel, Record<StrideAggregation, [ours: number, stride: number, overlap: number, otherWindow: number]>> = {
    tiny: { simple: [1810, 1769, 401, 720], first: [1021, 1008, 226, 451], average: [958, 936, 210, 440], max: [1009, 980, 227, 446] },
    small: { simple: [1030, 1001, 328, 409], first: [859, 827, 275, 339], average: [835, 800, 264, 331], max: [844, 807, 262, 333] },
  };

  test.each(REFERENCE_MODELS)("%s: they differ only where a piece's window differs, by the measured counts", (model) => {
    const long = readReference(model).fixture.texts.filter((t) => t.stride);
    expect(long.map((t) => t.id)).toEqual(model === "tiny" ? ["long-1", "long-2", "long-3"] : ["long-1", "long-2"]);
    for (const strategy of STRATEGIES.slice(1) as StrideAggregation[]) {
      const d = long.map((t) => strideDifferences(t, strategy));
      const sum = (k: keyof (typeof d)[number]) => d.reduce((n, x) => n + x[k], 0);
      expect(sum("same"), strategy).toBe(0);
      expect([sum("ours"), sum("stride"), sum("overlap"), sum("otherWindow")], strategy).toEqual(MEASURED[model][strategy]);
    }
  });
});
