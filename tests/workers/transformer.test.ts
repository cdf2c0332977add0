// The biomedical transformer path inside workerd: a tiny generated DistilBERT published to R2 with the publisher's
// key functions, answered through the deployed Worker (SELF.fetch), checked against transformers.js on the same files.
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { modelKey, pointerKey, sha256Hex, type SourcedEntity } from "../../core/index.ts";
import { loadTransformer, type GroupEntity, type TokenEntity } from "../../core/transformer/index.ts";
import { createWorkerdTransformerRunner, heapSession, transformerRunnerOf, WORKING_BYTES } from "../../functions/adapters/ort-workerd.ts";
import type { TjsGroup, TjsToken } from "../fixtures/tiny-transformer.ts";
import { pointTo, publishFixture } from "./fixture.ts";

interface Fixture {
  files: Record<string, string>;
  texts: string[];
  /** What transformers.js's pipeline answers for each text, nothing ignored (tests/fixtures/tiny-transformer.ts). */
  reference: { none: TjsToken[][]; simple: TjsGroup[][] };
  /** Where each int8 weight matrix lies in the ORT-format file. */
  inPlace: Array<{ name: string; offset: number; length: number }>;
}
const tiny = (env as unknown as { TINY_TRANSFORMER: Fixture }).TINY_TRANSFORMER;
const bytes = (f: string) => Uint8Array.from(atob(tiny.files[f]!), (c) => c.charCodeAt(0));
const bucket = (env as unknown as { MODELS: R2Bucket }).MODELS;
const post = (body: unknown) => SELF.fetch("https://medner.test/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
type Entity = SourcedEntity;
const ORT = "onnx/model_quantized.ort";
const streamOf = (b: Uint8Array) => ({ size: b.byteLength, body: new Blob([b]).stream() });
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
interface Memory {
  wasmMemoryBytes: number;
  modelBlockBytes: number;
  models: Array<{ name: string; kind: string }>;
}
const probe = async () => (await (await SELF.fetch("https://medner.test/debug/memory")).json()) as Memory;
/** The table docs/transformer.md gives from d4data entity types to medner's labels; other types pass through. */
const CANONICAL: Record<string, string> = { Medication: "MEDICATION", Disease_disorder: "DISEASE", Therapeutic_procedure: "TREATMENT" };
const ner = async (body: object) => {
  const res = await post(body);
  expect(res.status).toBe(200);
  return (await res.json()) as { entities: Entity[]; models: Array<{ name: string; version: string }>; model: { name: string; version: string } };
};

beforeAll(async () => {
  for (const f of Object.keys(tiny.files)) await bucket.put(modelKey("transformer", "1", f), bytes(f));
  await bucket.put(pointerKey("transformer"), JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(bytes("manifest.json")) }));
  await publishFixture(bucket, "custom", "1");
  await pointTo(bucket, "custom", "1");
});

describe("the transformer in workerd", () => {
  it("the engine through the workerd adapter labels every piece as transformers.js does, and groups them alike", async () => {
    const engine = await loadTransformer(async (f) => (tiny.files[f] ? bytes(f) : null), createWorkerdTransformerRunner);
    for (const [i, text] of tiny.texts.entries()) {
      const theirs = tiny.reference.none[i]!;
      expect(theirs.length).toBeGreaterThan(20);
      // One note at a time, as the pipeline ran: q8 answers depend on what shares a batch.
      const ours = (await engine.predict([text], { aggregation: "none", ignoreLabels: [] }))[0] as TokenEntity[];
      // transformers.js drops [UNK] pieces from its answer (it decodes each id, skipping special tokens); the rest match.
      const unk = new Set(engine.tokenizer.tokenize(text).flatMap((p, k) => (p.id === engine.tokenizer.unkId ? [k + 1] : [])));
      expect(theirs.map((t) => t.index)).toEqual(ours.map((e) => e.index).filter((k) => !unk.has(k)));
      const byIndex = new Map(ours.map((e) => [e.index, e]));
      expect(theirs.map((t) => [byIndex.get(t.index)!.entity, byIndex.get(t.index)!.word])).toEqual(theirs.map((t) => [t.entity, t.word]));
      theirs.forEach((t) => expect(byIndex.get(t.index)!.score).toBeCloseTo(t.score, 4));
    }
    // The first note has no [UNK], so "simple" must give transformers.js's groups exactly.
    const groups = (await engine.predict([tiny.texts[0]!], { aggregation: "simple", ignoreLabels: [] }))[0] as GroupEntity[];
    expect(groups.map((g) => [g.entity_group, g.word])).toEqual(tiny.reference.simple[0]!.map((g) => [g.entity_group, g.word]));
    groups.forEach((g, k) => expect(g.score).toBeCloseTo(tiny.reference.simple[0]![k]!.score, 4));
  });

  it('POST /ner with "model": "transformer" answers transformers.js\'s groups with medner\'s labels, exact offsets and source', async () => {
    const text = tiny.texts[0]!;
    const body = await ner({ text, model: "transformer", aggregation: "simple" });
    expect(body.model).toMatchObject({ name: "transformer", version: "1" });
    const theirs = tiny.reference.simple[0]!.filter((g) => g.entity_group !== "O");
    expect(theirs.map((g) => g.entity_group)).toEqual(expect.arrayContaining(Object.keys(CANONICAL)));
    expect(body.entities.map((e) => e.label)).toEqual(theirs.map((g) => CANONICAL[g.entity_group] ?? g.entity_group));
    body.entities.forEach((e, k) => expect(e.score).toBeCloseTo(theirs[k]!.score, 4));
    for (const e of body.entities) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(e.source).toBe("transformer");
    }
    // The aggregation reaches the engine: "simple" leaves metformin in its three pieces, a word strategy makes it one.
    const inMetformin = (es: Entity[]) => es.filter((e) => e.start >= text.indexOf("metformin") && e.end <= text.indexOf(" 500")).map((e) => e.text);
    expect(inMetformin(body.entities)).toEqual(["met", "for", "min"]);
    for (const aggregation of ["first", "max"]) expect(inMetformin((await ner({ text, model: "transformer", aggregation })).entities), aggregation).toEqual(["metformin"]);
  });

  it('format "hf" with aggregation "none" gives each piece\'s B-/I- tag and index, as the pipeline\'s entity field', async () => {
    const text = tiny.texts[0]!;
    const res = await post({ text, model: "transformer", aggregation: "none", format: "hf" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<{ entity: string; index: number; word: string; score: number }>;
    // The route drops "O" pieces, as the Python pipeline does by default; the first note has no [UNK].
    const theirs = tiny.reference.none[0]!.filter((t) => t.entity !== "O");
    expect(theirs.length).toBeGreaterThan(5);
    expect(theirs.some((t) => t.entity.startsWith("I-"))).toBe(true);
    expect(body.map((e) => [e.entity, e.index])).toEqual(theirs.map((t) => [t.entity, t.index]));
    body.forEach((e, k) => expect(e.score).toBeCloseTo(theirs[k]!.score, 4));
  });

  it('"model": "ensemble" runs both models and never answers overlapping entities, where their answers overlap', async () => {
    const text = tiny.texts[0]!;
    const [custom, transformer, body] = await Promise.all([ner({ text }), ner({ text, model: "transformer" }), ner({ text, model: "ensemble" })]);
    // The premise: each model alone finds entities, and some of the two overlap.
    expect(custom.entities.length).toBeGreaterThan(0);
    expect(custom.entities.some((c) => transformer.entities.some((t) => t.start < c.end && c.start < t.end))).toBe(true);
    expect(body.models.map((m) => m.name)).toEqual(["custom", "transformer"]);
    expect(body.entities.length).toBeGreaterThan(0);
    for (let i = 1; i < body.entities.length; i++) expect(body.entities[i]!.start).toBeGreaterThanOrEqual(body.entities[i - 1]!.end);
    // Each entity is one that the model (or both models) named in its source found.
    const key = (e: Entity) => `${e.label} ${e.start}-${e.end}`;
    const byModel: Record<string, Set<string>> = { custom: new Set(custom.entities.map(key)), transformer: new Set(transformer.entities.map(key)) };
    for (const e of body.entities) for (const m of e.source.split("+")) expect(byModel[m]?.has(key(e)), `${key(e)} from ${m}`).toBe(true);
    expect((await post({ text: "x", model: "ensemble", version: "1" })).status).toBe(400);
  });

  it("GET /models/transformer lists the entity labels, canonical where the table maps them", async () => {
    const res = await SELF.fetch("https://medner.test/models/transformer");
    const m = (await res.json()) as { kind: string; labels: string[] };
    expect(m.kind).toBe("transformer");
    // d4data/biomedical-ner-all's 43 entity types in id order (models/transformer/d4data-labels.json), three renamed.
    expect(m.labels).toEqual([
      "Activity", "Administration", "Age", "Area", "Biological_attribute", "Biological_structure", "Clinical_event", "Color",
      "Coreference", "Date", "Detailed_description", "Diagnostic_procedure", "DISEASE", "Distance", "Dosage", "Duration",
      "Family_history", "Frequency", "Height", "History", "Lab_value", "Mass", "MEDICATION", "Non[biological](Detailed_description",
      "Nonbiological_location", "Occupation", "Other_entity", "Other_event", "Outcome", "Personal_[back](Biological_structure",
      "Personal_background", "Qualitative_concept", "Quantitative_concept", "Severity", "Sex", "Shape", "Sign_symptom", "Subject",
      "Texture", "TREATMENT", "Time", "Volume", "Weight",
    ]);
  });

  it.each([
    ["a flipped byte", (b: Uint8Array) => b.map((v, i) => (i === b.length - 100 ? v ^ 0xff : v)), /E402: onnx\/model_quantized\.ort: sha256 mismatch/],
    ["a truncated file", (b: Uint8Array) => b.slice(0, b.length - 10), /E402: onnx\/model_quantized\.ort: the store holds \d+ bytes, the manifest says \d+/],
    ["no file", () => null, /E401: onnx\/model_quantized\.ort is missing/],
  ])("the served ORT file with %s is refused (503) and never served", async (what, tamper, error) => {
    const name = `broken-${what.split(" ").at(-2)}`;
    for (const f of Object.keys(tiny.files)) {
      const b = f === ORT ? tamper(bytes(f)) : bytes(f);
      if (b) await bucket.put(modelKey(name, "1", f), b);
    }
    await bucket.put(pointerKey(name), JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(bytes("manifest.json")) }));
    const res = await post({ text: "aspirin", model: name });
    expect(res.status).toBe(503);
    const health = (await (await SELF.fetch("https://medner.test/health")).json()) as { failures: Array<{ name: string; error: string }> };
    expect(health.failures.find((f) => f.name === name)?.error).toMatch(error);
  });

  it("reads every int8 weight matrix in place from the streamed ORT file: overwriting one in the heap changes the answer", async () => {
    expect(tiny.inPlace.length).toBeGreaterThanOrEqual(13); // word embeddings + 6 matrices per layer × 2 layers
    const { session, block } = await heapSession(streamOf(bytes(ORT)), "ort", 0, {});
    const runner = transformerRunnerOf(session);
    const T = 24;
    const ids = BigInt64Array.from({ length: T }, (_, i) => BigInt(i === 0 ? 2 : i === T - 1 ? 3 : 100 + 37 * i));
    const run = () => runner.run(ids, new BigInt64Array(T).fill(1n), 1, T);
    const base = await run();
    try {
      for (const r of tiny.inPlace) {
        const saved = block!.view().slice(r.offset, r.offset + r.length);
        block!.view().fill(0, r.offset, r.offset + r.length);
        // A session holding its own copy of this matrix would answer exactly as before.
        expect(maxDiff(await run(), base), r.name).toBeGreaterThan(1e-3);
        block!.view().set(saved, r.offset);
      }
      expect(await run()).toEqual(base);
    } finally {
      await runner.release!();
      block!.free();
    }
  });

  it("GET /debug/memory: the served transformer's ORT file sits in the wasm heap, which grew by no more than it and its working memory", async () => {
    await bucket.put(modelKey("transformer-memory", "1", "manifest.json"), bytes("manifest.json"));
    for (const f of Object.keys(tiny.files)) await bucket.put(modelKey("transformer-memory", "1", f), bytes(f));
    await bucket.put(pointerKey("transformer-memory"), JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(bytes("manifest.json")) }));
    await post({ text: "aspirin", model: "custom" }); // ort is running before the measurement starts
    const before = await probe();
    const res = await post({ text: tiny.texts[0], model: "transformer-memory" });
    expect(res.status).toBe(200);
    const after = await probe();
    const ortBytes = bytes(ORT).byteLength;
    expect(after.models.map((m) => m.name)).toContain("transformer-memory");
    expect(after.modelBlockBytes - before.modelBlockBytes).toBe(ortBytes);
    // A session holding a second copy of the weights would need its model's bytes again; the bound leaves 1 MiB for its
    // graph and the heap's 64 KiB growth steps. (The full-size figures: npm run bench -- memory.)
    expect(after.wasmMemoryBytes - before.wasmMemoryBytes).toBeLessThanOrEqual(ortBytes + WORKING_BYTES.transformer + (1 << 20));
  });
});
