// The biomedical transformer path inside workerd: a tiny generated DistilBERT published to R2 with the publisher's
// key functions, answered through the deployed Worker (SELF.fetch), and the same entities as the Node engine.
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { entityLabels, modelKey, pointerKey, sha256Hex, type SourcedEntity } from "../../core/index.ts";
import { loadTransformer, type TransformerEntity } from "../../core/transformer/index.ts";
import { createWorkerdTransformerRunner, heapSession, transformerRunnerOf, WORKING_BYTES } from "../../functions/adapters/ort-workerd.ts";
import { pointTo, publishFixture } from "./fixture.ts";

interface Fixture {
  files: Record<string, string>;
  texts: string[];
  expected: Record<string, TransformerEntity[][]>;
  /** Where each int8 weight matrix lies in the ORT-format file (tests/fixtures/tiny-transformer.ts). */
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

beforeAll(async () => {
  for (const f of Object.keys(tiny.files)) await bucket.put(modelKey("transformer", "1", f), bytes(f));
  await bucket.put(pointerKey("transformer"), JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(bytes("manifest.json")) }));
  await publishFixture(bucket, "custom", "1");
  await pointTo(bucket, "custom", "1");
});

describe("the transformer in workerd", () => {
  it("the engine through the workerd adapter finds exactly what the Node engine finds, for every aggregation", async () => {
    const engine = await loadTransformer(async (f) => (tiny.files[f] ? bytes(f) : null), createWorkerdTransformerRunner);
    for (const [aggregation, expected] of Object.entries(tiny.expected)) {
      const got = await engine.predict(tiny.texts, { aggregation: aggregation as "none" });
      expect(got.map((es) => es.map((e) => [e.label, e.start, e.end]))).toEqual(expected.map((es) => es.map((e) => [e.label, e.start, e.end])));
      got.flat().forEach((e, i) => expect(e.score).toBeCloseTo(expected.flat()[i]!.score, 4));
    }
  });

  it('POST /ner with "model": "transformer" answers its entities with exact offsets and source', async () => {
    for (const aggregation of ["simple", "first", "max"] as const) {
      const res = await post({ text: tiny.texts[1], model: "transformer", aggregation });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { entities: Entity[]; model: { name: string; version: string } };
      expect(body.model).toMatchObject({ name: "transformer", version: "1" });
      expect(body.entities.map((e) => [e.label, e.start, e.end])).toEqual(tiny.expected[aggregation]![1]!.map((e) => [e.label, e.start, e.end]));
      for (const e of body.entities) {
        expect(tiny.texts[1]!.slice(e.start, e.end)).toBe(e.text);
        expect(e.source).toBe("transformer");
      }
    }
  });

  it('"model": "ensemble" runs both models and never answers overlapping entities', async () => {
    const res = await post({ text: tiny.texts[0], model: "ensemble" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entities: Entity[]; models: Array<{ name: string }> };
    expect(body.models.map((m) => m.name)).toEqual(["custom", "transformer"]);
    const sorted = [...body.entities].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
    for (const e of body.entities) expect(["custom", "transformer", "custom+transformer"]).toContain(e.source);
    expect((await post({ text: "x", model: "ensemble", version: "1" })).status).toBe(400);
  });

  it("GET /models/transformer lists the entity labels, canonical where the table maps them", async () => {
    const res = await SELF.fetch("https://medner.test/models/transformer");
    const m = (await res.json()) as { kind: string; labels: string[] };
    expect(m.kind).toBe("transformer");
    const manifest = JSON.parse(new TextDecoder().decode(bytes("manifest.json"))) as { labels: string[] };
    expect(m.labels).toEqual(entityLabels(manifest.labels));
    expect(m.labels).toEqual(expect.arrayContaining(["MEDICATION", "DISEASE", "TREATMENT", "Sign_symptom"]));
    expect(m.labels).not.toContain("Medication");
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
