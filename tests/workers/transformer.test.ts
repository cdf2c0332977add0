// The biomedical transformer path inside workerd: a tiny generated DistilBERT published to R2 with the publisher's
// key functions, answered through the deployed Worker (SELF.fetch), and the same entities as the Node engine.
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { entityLabels, modelKey, pointerKey, sha256Hex, type SourcedEntity } from "../../core/index.ts";
import { loadTransformer, type TransformerEntity } from "../../core/transformer/index.ts";
import { createWorkerdTransformerRunner } from "../../functions/adapters/ort-workerd.ts";
import { pointTo, publishFixture } from "./fixture.ts";

interface Fixture {
  files: Record<string, string>;
  texts: string[];
  expected: Record<string, TransformerEntity[][]>;
}
const tiny = (env as unknown as { TINY_TRANSFORMER: Fixture }).TINY_TRANSFORMER;
const bytes = (f: string) => Uint8Array.from(atob(tiny.files[f]!), (c) => c.charCodeAt(0));
const bucket = (env as unknown as { MODELS: R2Bucket }).MODELS;
const post = (body: unknown) => SELF.fetch("https://medner.test/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
type Entity = SourcedEntity;

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

  it("a tampered transformer file is refused (503) and never served", async () => {
    const onnx = bytes("onnx/model_quantized.onnx");
    onnx[onnx.length - 100]! ^= 0xff;
    for (const f of Object.keys(tiny.files)) await bucket.put(modelKey("broken", "1", f), f === "onnx/model_quantized.onnx" ? onnx : bytes(f));
    await bucket.put(pointerKey("broken"), JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(bytes("manifest.json")) }));
    const res = await post({ text: "aspirin", model: "broken" });
    expect(res.status).toBe(503);
    const health = (await (await SELF.fetch("https://medner.test/health")).json()) as { failures: Array<{ name: string; error: string }> };
    expect(health.failures.find((f) => f.name === "broken")?.error).toMatch(/E402: onnx\/model_quantized\.onnx: sha256 mismatch/);
  });
});
