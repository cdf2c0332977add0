// Bulk jobs under at-least-once delivery, inside workerd with R2: a consumer that throws mid-chunk, duplicates in turn
// and at once, the dead-letter queue, a cancel racing a consumer, inputs and models that change under a job. Each
// ends with every note answered exactly once, in input order.
import { beforeAll, describe, expect, it } from "vitest";
import { modelKey } from "../../core/index.ts";
import { backoffSeconds } from "../../functions/jobs/consume.ts";
import { jobPrefix, resultKey } from "../../functions/jobs/keys.ts";
import { deleteJob } from "../../functions/jobs/records.ts";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { pointTo, publishFixture } from "./fixture.ts";
import { bucket, DLQ, faultyRunner, harness, models, ndjson, type Note, type ResultLine } from "./jobs-harness.ts";

const notes = (n: number, tag = "n"): Note[] => Array.from({ length: n }, (_, i) => ({ id: `${tag}-${i}`, text: TAGGER_NOTES[i % 4]! }));
/** Each note answered once, in input order, with entities (or, for `failed` ids, with that error code). */
function answeredOnce(lines: ResultLine[], input: Note[], failed: Record<string, string> = {}) {
  expect(lines.map((l) => l.id)).toEqual(input.map((n) => n.id));
  for (const l of lines) {
    if (failed[l.id!]) expect(l.error?.code).toBe(failed[l.id!]);
    else expect(l.entities).toEqual(expect.any(Array));
  }
}

beforeAll(async () => {
  for (const v of ["1", "2"]) await publishFixture(models, "custom", v);
  await pointTo(models, "custom", "1");
});

describe("a consumer that fails mid-chunk", () => {
  it("writes nothing for the chunk, retries it with backoff, and the redelivery answers each note once", async () => {
    const f = faultyRunner();
    const h = harness({ runner: f.runner });
    const input = notes(30);
    const { id } = await h.submit(input);
    expect(h.sent.map((m) => [m.chunk, m.notes])).toEqual([[0, 10], [1, 10], [2, 10]]);
    const before = f.runs();
    expect((await h.deliver([h.sent[0]!])).explicitAcks).toEqual(["msg-0-0"]);
    // A chunk takes several runs of the model: the fault lets the first half through and fails the chunk midway.
    const perChunk = f.runs() - before;
    expect(perChunk).toBeGreaterThanOrEqual(2);
    f.arm(Math.floor(perChunk / 2));
    const failed = await h.deliver([h.sent[1]!], { attempts: 3 });
    expect(f.runs() - before - perChunk).toBe(Math.floor(perChunk / 2) + 1);
    expect(failed).toMatchObject({ explicitAcks: [], retryMessages: [{ msgId: "msg-1-0", delaySeconds: backoffSeconds(3) }] });
    expect(backoffSeconds(3)).toBe(40);
    expect(await bucket.head(resultKey(id, 1))).toBeNull();
    expect(h.logs.at(-1)).toMatchObject({ level: "error", job: id, chunk: 1, attempts: 3, error: "injected fault" });
    expect(await h.status(id)).toMatchObject({ status: "running", counts: { total: 30, done: 10, failed: 0 }, chunks: { settled: 1 } });
    f.disarm();
    expect((await h.deliver([h.sent[1]!, h.sent[2]!], { attempts: 4 })).explicitAcks).toHaveLength(2);
    expect(await h.status(id)).toMatchObject({ status: "done", counts: { total: 30, done: 30, failed: 0 } });
    answeredOnce(await h.results(id), input);
  });
});

describe("duplicate delivery", () => {
  it("never double-counts: a chunk delivered again, or twice at once, is one result object with the same answers", async () => {
    const h = harness();
    const input = notes(25);
    const { id } = await h.submit(input);
    await h.deliver(h.sent);
    const first = await h.results(id);
    await h.deliver([h.sent[1]!], { attempts: 2 });
    await Promise.all([h.deliver([h.sent[2]!]), h.deliver([h.sent[2]!]), h.deliver([h.sent[2]!, h.sent[2]!])]);
    expect(await h.status(id)).toMatchObject({ status: "done", counts: { total: 25, done: 25, failed: 0 }, chunks: { total: 3, settled: 3 } });
    expect((await bucket.list({ prefix: `${jobPrefix(id)}results/` })).objects).toHaveLength(3);
    expect(await h.results(id)).toEqual(first);
    answeredOnce(first, input);
  });

  it("a retried chunk overwrites its own output", async () => {
    const h = harness();
    const input = notes(20);
    const { id } = await h.submit(input);
    await h.deliver(h.sent);
    // What an earlier attempt might have left: wrong lines under the chunk's key.
    await bucket.put(resultKey(id, 1), '{"id":"stale","entities":[]}\n', { customMetadata: { notes: "1", failed: "0", models: "[]", startedAt: "2020-01-01T00:00:00.000Z", finishedAt: "2020-01-01T00:00:00.000Z", attempts: "1" } });
    await h.deliver([h.sent[1]!], { attempts: 2 });
    expect((await h.status(id)).counts).toEqual({ total: 20, done: 20, failed: 0 });
    answeredOnce(await h.results(id), input);
  });
});

describe("the dead-letter queue", () => {
  it("answers a chunk that kept failing as failed, note by note; a later success replaces that, a later failure does not replace answers", async () => {
    const h = harness();
    const input = notes(30);
    const { id } = await h.submit(input);
    await h.deliver([h.sent[0]!, h.sent[2]!]);
    expect((await h.deliver([h.sent[1]!], { queue: DLQ })).explicitAcks).toEqual(["msg-1-0"]);
    const failed = Object.fromEntries(input.slice(10, 20).map((n) => [n.id, "chunk_failed"]));
    expect(await h.status(id)).toMatchObject({ status: "failed", counts: { total: 30, done: 20, failed: 10 } });
    answeredOnce(await h.results(id), input, failed);
    // At-least-once: a copy of the message may still succeed on the main queue.
    await h.deliver([h.sent[1]!]);
    expect(await h.status(id)).toMatchObject({ status: "done", counts: { done: 30, failed: 0 } });
    await h.deliver([h.sent[1]!], { queue: DLQ });
    answeredOnce(await h.results(id), input);
  });
});

describe("changes under a job", () => {
  it("runs the versions pinned at submission, though another is published before the chunks run", async () => {
    const h = harness();
    const { id, models: pinned } = await h.submit(notes(10));
    await pointTo(models, "custom", "2");
    try {
      const ner = (await (await h.request("/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "HTN." }) })).json()) as { model: { version: string } };
      expect(ner.model.version).toBe("2");
      await h.deliver(h.sent);
      const s = await h.status(id);
      expect(pinned.map((m) => m.version)).toEqual(["1"]);
      expect(s.modelsUsed).toEqual(pinned);
    } finally {
      await pointTo(models, "custom", "1");
    }
  });

  it("a pinned version removed before its chunks run: each note fails with model_not_found at once, not after retries", async () => {
    await publishFixture(models, "gone", "1");
    await pointTo(models, "gone", "1");
    const h = harness();
    const input = notes(5);
    const { id } = await h.submit(input, "?model=gone");
    await models.delete(modelKey("gone", "1", "manifest.json"));
    expect((await h.deliver(h.sent)).explicitAcks).toHaveLength(1);
    answeredOnce(await h.results(id), input, Object.fromEntries(input.map((n) => [n.id, "model_not_found"])));
  });

  it("an uploaded input replaced after submission: its notes fail with input_changed (their ids can no longer be read)", async () => {
    const h = harness();
    await bucket.put("changing/notes.ndjson", ndjson(notes(4)));
    const res = await h.request("/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: "changing/" }) });
    const { id } = (await res.json()) as { id: string };
    await bucket.put("changing/notes.ndjson", ndjson(notes(4, "other")));
    await h.deliver(h.sent);
    expect(await h.status(id)).toMatchObject({ status: "failed", counts: { total: 4, done: 0, failed: 4 } });
    expect((await h.results(id)).map((l) => [l.id, l.error?.code])).toEqual(Array(4).fill([null, "input_changed"]));
  });

  it("a store that fails: the chunk is retried, not failed", async () => {
    const h = harness({ store: { get: () => Promise.reject(new Error("R2 down")), list: async () => [] } });
    await expect(h.submit(notes(3))).rejects.toThrow(/503/);
    const ok = harness();
    const { id } = await ok.submit(notes(3));
    expect((await h.deliver(ok.sent)).retryMessages).toEqual([{ msgId: "msg-0-0", delaySeconds: 10 }]);
    expect(await bucket.head(resultKey(id, 0))).toBeNull();
  });
});

describe("cancel", () => {
  it("chunks delivered after DELETE are acked and write nothing", async () => {
    const h = harness();
    const { id } = await h.submit(notes(20));
    expect((await h.request(`/jobs/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await h.deliver(h.sent)).explicitAcks).toHaveLength(2);
    expect((await bucket.list({ prefix: jobPrefix(id) })).objects).toEqual([]);
    expect(h.logs.map((l) => l.outcome)).toEqual(["cancelled", "cancelled"]);
  });

  it("a cancel that completes while a consumer runs: the result it writes afterwards is removed by the consumer", async () => {
    let cancelDuring: string | null = null;
    // The consumer's result write happens after the whole DELETE (job.json and the listing) has run.
    const racing = new Proxy(bucket, {
      get: (b, p) =>
        p === "put"
          ? async (key: string, ...rest: unknown[]) => {
              if (cancelDuring && key.startsWith(`${jobPrefix(cancelDuring)}results/`)) await deleteJob(bucket, cancelDuring);
              return (b.put as (...a: unknown[]) => Promise<unknown>).call(b, key, ...rest);
            }
          : (b[p as keyof R2Bucket] as (...a: unknown[]) => unknown).bind(b),
    });
    const h = harness({ jobs: racing });
    const { id } = await h.submit(notes(5));
    cancelDuring = id;
    expect((await h.deliver(h.sent)).explicitAcks).toHaveLength(1);
    expect(h.logs.at(-1)).toMatchObject({ outcome: "cancelled" });
    expect((await bucket.list({ prefix: jobPrefix(id) })).objects).toEqual([]);
  });
});
