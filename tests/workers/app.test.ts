// The Worker as deployed, inside workerd (SELF.fetch), with R2 seeded through the publisher's key functions.
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { ScoredEntity, SourcedEntity } from "../../core/index.ts";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { pointTo, publishFixture } from "./fixture.ts";

const bucket = (env as unknown as { MODELS: R2Bucket }).MODELS;
/** What the fixture tagger's ONNX file finds in TAGGER_NOTES, worked out without core's engine (vitest.config.ts). */
const reference = (env as unknown as { TAGGER_REFERENCE: { tagger: ScoredEntity[][] } }).TAGGER_REFERENCE.tagger;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  SELF.fetch(`https://medner.test${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
type Entity = SourcedEntity;

beforeAll(async () => {
  await publishFixture(bucket, "custom", "1");
  await publishFixture(bucket, "custom", "2");
  await pointTo(bucket, "custom", "1");
});

describe("POST /ner", () => {
  it("finds the entities the model's ONNX file defines, with exact offsets, sorted, with score and source", async () => {
    const text = TAGGER_NOTES[0]!;
    const res = await post("/ner", { text });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entities: Entity[]; model: { name: string; version: string; sha256: string }; timings: Record<string, number> };
    expect(reference[0]!.length).toBeGreaterThan(2);
    expect(body.entities.map(({ text, label, start, end }) => ({ text, label, start, end }))).toEqual(reference[0]!.map(({ text, label, start, end }) => ({ label, start, end, text })));
    body.entities.forEach((e, i) => expect(e.score).toBeCloseTo(reference[0]![i]!.score, 5));
    for (const e of body.entities) expect(e.source).toBe("custom");
    expect(body.entities.map((e) => e.start)).toEqual([...body.entities.map((e) => e.start)].sort((a, b) => a - b));
    expect(body.model).toMatchObject({ name: "custom", version: "1", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(body.timings).toEqual({ totalMs: expect.any(Number), inferenceMs: expect.any(Number) });
  });

  it("applies the document rules: a short form defined in the note is found wherever it recurs, in that note only", async () => {
    const text = "Pt on lisinopril (LSN) daily for HTN. LSN held.";
    const entities = async (body: unknown, path = "/ner") => ((await (await post(path, body)).json()) as { entities: Entity[] }).entities;
    const found = (await entities({ text })).map(({ text, label, start }) => [text, label, start]);
    expect(found).toEqual([
      ["lisinopril", "MEDICATION", 6],
      ["LSN", "MEDICATION", 18],
      ["HTN", "DISEASE", 33],
      ["LSN", "MEDICATION", 38],
    ]);
    // "documentRules": false answers the tagger alone.
    expect((await entities({ text, documentRules: false })).map((e) => e.text)).toEqual(["lisinopril", "HTN"]);
    // Texts of a batch are separate notes: the definition in the first does not reach the second.
    const batch = (await (await post("/ner/batch", { texts: [text.slice(0, 37), "LSN held."] })).json()) as { results: Array<{ entities: Entity[] }> };
    expect(batch.results[1]!.entities).toEqual([]);
  });

  it("filters by labels and minScore, and serves an explicit version", async () => {
    const text = TAGGER_NOTES[0]!;
    const entities = async (body: object) => ((await (await post("/ner", { text, ...body })).json()) as { entities: Entity[]; model: { version: string } });
    const all = (await entities({})).entities;
    const only = await entities({ labels: ["MEDICATION"], version: "2" });
    expect(only.model.version).toBe("2");
    expect(only.entities.map((e) => e.text)).toEqual(["lisinopril"]);
    // A threshold between the scores: the entities at or above it, no fewer and no more.
    const scores = all.map((e) => e.score).sort((a, b) => a - b);
    expect(scores[0]).toBeLessThan(scores.at(-1)!);
    const minScore = (scores[0]! + scores.at(-1)!) / 2;
    const kept = (await entities({ minScore })).entities;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(all.length);
    expect(kept).toEqual(all.filter((e) => e.score >= minScore));
  });

  it.each([
    ["malformed JSON", "/ner", "{not json", 400, "invalid_json"],
    ["a schema violation, naming the field", "/ner", { text: "x", minScore: "high" }, 400, "invalid_request"],
    ["an unknown field", "/ner", { text: "x", colour: 1 }, 400, "invalid_request"],
    ["text over MAX_TEXT_CHARS", "/ner", { text: "a ".repeat(10001) }, 413, "text_too_long"],
    ["a body over MAX_BODY_BYTES", "/ner/batch", { texts: Array(64).fill("é".repeat(19000)) }, 413, "body_too_large"],
    ["an unknown model", "/ner", { text: "x", model: "nope" }, 404, "model_not_found"],
    ["an unknown version", "/ner", { text: "x", version: "99" }, 404, "model_not_found"],
    ["a batch of 65", "/ner/batch", { texts: Array(65).fill("x") }, 400, "invalid_request"],
  ])("%s → %s %i %s", async (_what, path, body, status, code) => {
    const res = await post(path, body);
    expect(res.status).toBe(status);
    const e = await errorOf(res);
    expect(e.code).toBe(code);
    expect(e.message).not.toMatch(/\n\s+at /);
  });

  it("names the field of a schema violation; 415 for another content type", async () => {
    expect((await errorOf(await post("/ner", { text: "x", minScore: "high" }))).message).toMatch(/^minScore: /);
    const res = await SELF.fetch("https://medner.test/ner", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(res.status).toBe(415);
    // Other JSON media types are other formats (a JSON Patch, a JSON text sequence), not a /ner request.
    for (const type of ["application/json-patch+json", "application/json-seq", "application/jsonx"]) {
      const other = await SELF.fetch("https://medner.test/ner", { method: "POST", headers: { "content-type": type }, body: '{"text":"x"}' });
      expect(other.status, type).toBe(415);
    }
    for (const type of ["application/json", "Application/JSON; charset=utf-8", "application/json ;charset=UTF-8"]) {
      const ok = await SELF.fetch("https://medner.test/ner", { method: "POST", headers: { "content-type": type }, body: '{"text":"x"}' });
      expect(ok.status, type).toBe(200);
    }
  });
});

describe("POST /ner/batch", () => {
  it("answers one result per text, in order, the same as one at a time", async () => {
    const texts = [...TAGGER_NOTES].reverse();
    const res = await post("/ner/batch", { texts });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<{ entities: Entity[] }> };
    expect(body.results).toHaveLength(texts.length);
    const singles = await Promise.all(texts.map(async (text) => ((await (await post("/ner", { text })).json()) as { entities: Entity[] }).entities));
    expect(singles.flat().length).toBeGreaterThan(5);
    expect(body.results.map((r) => r.entities)).toEqual(singles);
  });

  it("concurrent requests are all answered by the one loaded version (load sharing: tests/node/registry.test.ts)", async () => {
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => post("/ner", { text: TAGGER_NOTES[i % 4]! })));
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    const health = (await (await SELF.fetch("https://medner.test/health")).json()) as { models: Array<{ name: string; version: string }> };
    expect(health.models.filter((m) => m.name === "custom" && m.version === "1")).toHaveLength(1);
  });
});

describe("models from R2", () => {
  it("GET /models and /models/:name describe what is published", async () => {
    const list = (await (await SELF.fetch("https://medner.test/models")).json()) as { models: Array<{ name: string; currentVersion: string; versions: string[] }> };
    expect(list.models).toContainEqual(expect.objectContaining({ name: "custom", currentVersion: "1", versions: ["1", "2"] }));
    const one = (await (await SELF.fetch("https://medner.test/models/custom")).json()) as { labels: string[]; versions: Array<{ version: string; current: boolean; devMetrics: unknown }> };
    expect(one.labels).toEqual(["DISEASE", "MEDICATION", "TREATMENT"]);
    expect(one.versions.map((v) => [v.version, v.current])).toEqual([["1", true], ["2", false]]);
    expect((await SELF.fetch("https://medner.test/models/nope")).status).toBe(404);
  });

  it("a pointer flip is picked up without a restart; a broken new version leaves the old one serving", async () => {
    await pointTo(bucket, "custom", "2");
    expect(((await (await post("/ner", { text: "HTN" })).json()) as { model: { version: string } }).model.version).toBe("2");
    await publishFixture(bucket, "custom", "3", true);
    await pointTo(bucket, "custom", "3");
    const res = await post("/ner", { text: "HTN" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: { version: string } }).model.version).toBe("2");
    const health = (await (await SELF.fetch("https://medner.test/health")).json()) as { failures: Array<{ name: string; version: string; error: string }> };
    expect(health.failures).toContainEqual(expect.objectContaining({ name: "custom", version: "3", error: expect.stringMatching(/E402: model_quantized\.onnx: sha256 mismatch/) }));
    await pointTo(bucket, "custom", "1");
  });

  it("a model whose only version is broken answers 503 with Retry-After", async () => {
    await publishFixture(bucket, "broken", "1", true);
    await pointTo(bucket, "broken", "1");
    const res = await post("/ner", { text: "x", model: "broken" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect((await errorOf(res)).code).toBe("model_unavailable");
  });
});

describe("GET /health and the rest", () => {
  it("says auth is disabled here, and unknown routes get the error shape", async () => {
    const health = (await (await SELF.fetch("https://medner.test/health")).json()) as { status: string; auth: string };
    expect(health).toMatchObject({ status: "ok", auth: "disabled" });
    const res = await SELF.fetch("https://medner.test/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "no route for GET /nope" } });
  });
});
