// Bulk jobs end to end inside workerd: POST /jobs through SELF, the chunks through the real queue (Miniflare's, as
// wrangler.toml configures it) into the Worker's own consumer, results read back from R2 over HTTP.
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { jobKey, partKey, resultKey } from "../../functions/jobs/keys.ts";
import { JobAccepted, JobResultLine, JobStatus } from "../../functions/schemas.ts";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { pointTo, publishFixture } from "./fixture.ts";

const models = (env as unknown as { MODELS: R2Bucket }).MODELS;
const bucket = (env as unknown as { JOBS: R2Bucket }).JOBS;
const BASE = "https://medner.test";
const ndjson = (notes: Array<{ id: string; text: string }>) => notes.map((n) => JSON.stringify(n)).join("\n") + "\n";
const submit = (body: string, query = "", type = "application/x-ndjson") => SELF.fetch(`${BASE}/jobs${query}`, { method: "POST", headers: { "content-type": type }, body });
const statusOf = async (id: string) => JobStatus.parse(await (await SELF.fetch(`${BASE}/jobs/${id}`)).json());
/** Notes of the fixture's kind, each with a distinct id, `n` of them. */
const notes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `note-${i}`, text: TAGGER_NOTES[i % TAGGER_NOTES.length]! }));

async function settle(id: string, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const s = await statusOf(id);
    if (s.status === "done" || s.status === "failed") return s;
    if (Date.now() > until) throw new Error(`job ${id} still ${s.status} after ${ms} ms: ${JSON.stringify(s.chunks)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function results(id: string) {
  const res = await SELF.fetch(`${BASE}/jobs/${id}/results`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
  return (await res.text()).trimEnd().split("\n").map((l) => JobResultLine.parse(JSON.parse(l)) as { id: string; entities?: unknown[]; error?: { code: string } });
}

beforeAll(async () => {
  await publishFixture(models, "custom", "1");
  await pointTo(models, "custom", "1");
});

describe("a job end to end, through the queue", () => {
  it("answers every note once, in input order, as /ner/batch answers the same notes", async () => {
    const input = notes(230);
    const res = await submit(ndjson(input), "?context=false&labels=DISEASE,MEDICATION");
    expect(res.status).toBe(202);
    const accepted = JobAccepted.parse(await res.json());
    expect(accepted).toMatchObject({ status: "queued", notes: 230, chunks: 3, models: [{ name: "custom", version: "1" }] });
    expect(res.headers.get("location")).toBe(`/jobs/${accepted.id}`);
    const done = await settle(accepted.id);
    expect(done).toMatchObject({ status: "done", counts: { total: 230, done: 230, failed: 0 }, chunks: { total: 3, settled: 3 }, options: { context: false, labels: ["DISEASE", "MEDICATION"] } });
    expect(done.modelsUsed).toEqual(accepted.models);
    expect(done.timings.runningMs).toBeGreaterThanOrEqual(0);
    const lines = await results(accepted.id);
    expect(lines.map((l) => l.id)).toEqual(input.map((n) => n.id));
    const batch = (await (await SELF.fetch(`${BASE}/ner/batch`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ texts: TAGGER_NOTES, context: false, labels: ["DISEASE", "MEDICATION"] }) })).json()) as { results: Array<{ entities: unknown[] }> };
    expect(batch.results.some((r) => r.entities.length > 0)).toBe(true);
    lines.forEach((l, i) => expect(l.entities).toEqual(batch.results[i % TAGGER_NOTES.length]!.entities));
  });

  it("takes the notes already in R2 under a prefix, each object in key order", async () => {
    const input = notes(150);
    await bucket.put("uploads/b.ndjson", ndjson(input.slice(40)));
    await bucket.put("uploads/a.ndjson", ndjson(input.slice(0, 40)));
    const res = await SELF.fetch(`${BASE}/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: "uploads/", format: "spacy" }) });
    expect(res.status).toBe(202);
    const { id, chunks } = JobAccepted.parse(await res.json());
    // a.ndjson is one chunk of 40, b.ndjson one of 100 and one of 10: a chunk never spans two objects.
    expect(chunks).toBe(3);
    expect((await settle(id)).status).toBe("done");
    const lines = (await results(id)) as Array<{ id: string; doc?: { text: string } }>;
    expect(lines.map((l) => [l.id, l.doc?.text])).toEqual(input.map((n) => [n.id, n.text]));
  });

  it("deletes a job and everything it wrote; its id is then unknown", async () => {
    const { id } = JobAccepted.parse(await (await submit(ndjson(notes(30)))).json());
    await settle(id);
    expect(await bucket.head(resultKey(id, 0))).not.toBeNull();
    const res = await SELF.fetch(`${BASE}/jobs/${id}`, { method: "DELETE" });
    expect(await res.json()).toEqual({ id, status: "deleted", objects: 3 });
    expect((await bucket.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
    expect((await SELF.fetch(`${BASE}/jobs/${id}`)).status).toBe(404);
    expect((await SELF.fetch(`${BASE}/jobs/${id}`, { method: "DELETE" })).status).toBe(404);
    expect(await bucket.head(jobKey(id))).toBeNull();
    expect(await bucket.head(partKey(id, 0))).toBeNull();
  });
});
