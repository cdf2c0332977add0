// The pieces of bulk jobs that need no runtime: NDJSON lines with exact byte offsets however the stream is cut, the
// note check, options from a query string, the backoff, wrangler.toml's queues agreeing with the Worker's vars, and
// the Node server, which has no queue, saying so.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import { backoffSeconds } from "../../functions/jobs/consume.ts";
import { linesOf, notesOf, parseNote } from "../../functions/jobs/lines.ts";
import { optionsFromQuery } from "../../functions/routes/jobs.ts";
import { ROOT } from "./cli.ts";

const enc = new TextEncoder();
/** `text` as a stream cut into pieces of `size` bytes (through multi-byte characters too). */
const streamOf = (bytes: Uint8Array, size: number) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += size) c.enqueue(bytes.slice(i, i + size));
      c.close();
    },
  });

describe("linesOf", () => {
  const text = '{"id":"a","text":"é𝄞"}\n\n{"id":"b","text":"x"}\r\n{"id":"c","text":"last, no newline"}';
  const bytes = enc.encode(text);

  it.each([1, 2, 3, 7, 64, 4096])("finds the same lines and offsets with pieces of %i bytes", async (size) => {
    const lines = [];
    for await (const l of linesOf(streamOf(bytes, size))) lines.push({ number: l.number, offset: l.offset, text: new TextDecoder().decode(l.bytes) });
    expect(lines.map((l) => l.number)).toEqual([1, 2, 3, 4]);
    expect(lines.map((l) => l.text)).toEqual(['{"id":"a","text":"é𝄞"}\n', "\n", '{"id":"b","text":"x"}\r\n', '{"id":"c","text":"last, no newline"}']);
    // Offsets are of bytes, so a range read of [offset, offset + length) gives the line back.
    for (const l of lines) expect(new TextDecoder().decode(bytes.subarray(l.offset, l.offset + enc.encode(l.text).length))).toBe(l.text);
  });

  it("stops once more than maxBytes arrive", async () => {
    const read = async () => {
      for await (const _ of linesOf(streamOf(bytes, 10), { maxBytes: 30, tooLarge: () => new Error("too large") }));
    };
    await expect(read()).rejects.toThrow("too large");
  });

  it("notesOf reads back a range of lines, skipping blank ones", () => {
    expect(notesOf(bytes.subarray(0, 49))).toEqual([{ id: "a", text: "é𝄞" }, { id: "b", text: "x" }]);
  });
});

describe("parseNote", () => {
  it.each([
    ['{"id":"a","text":"HTN"}', { note: { id: "a", text: "HTN" } }],
    ["[1]", { error: expect.stringMatching(/^\(line\): /) }],
    ['{"id":1,"text":"x"}', { error: expect.stringMatching(/^id: /) }],
    ['{"id":"a"}', { error: expect.stringMatching(/^text: /) }],
    ['{"id":"a","text":"x","note":"y"}', { error: expect.stringMatching(/unrecognized key/i) }],
    ['{"id":"a","text":"123456"}', { error: "text has 6 characters; the limit is 5" }],
    ["{oops", { error: "not JSON" }],
  ])("%s", (line, expected) => expect(parseNote(enc.encode(line), 5)).toEqual(expected));
});

describe("optionsFromQuery", () => {
  it("reads each option by its type in the /ner schema", () => {
    expect(optionsFromQuery({ model: "ensemble", labels: "DISEASE, MEDICATION", minScore: "0.5", documentRules: "false", aggregation: "max", fhir: '{"subject":"Patient/1"}' })).toEqual({
      model: "ensemble",
      labels: ["DISEASE", "MEDICATION"],
      minScore: 0.5,
      documentRules: false,
      aggregation: "max",
      fhir: { subject: "Patient/1" },
    });
  });

  it.each([
    [{ modle: "custom" }, /^modle: not an option/],
    [{ context: "no" }, /^context: "no" is not a JSON value/],
    [{ context: "1" }, /^context: /],
    [{ format: "xml" }, /^format: /],
  ])("refuses %j", (query, message) => expect(() => optionsFromQuery(query)).toThrow(message));
});

it("retries back off 10, 20, 40 … seconds, at most 10 minutes", () => {
  expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffSeconds)).toEqual([10, 20, 40, 80, 160, 320, 600, 600]);
});

describe("wrangler.toml's queues", () => {
  // wrangler's own reader, as for deploys.
  const config = experimental_readRawConfig({ config: join(ROOT, "wrangler.toml") }).rawConfig as unknown as {
    vars: Record<string, string>;
    r2_buckets: Array<{ binding: string }>;
    queues: { producers: Array<{ queue: string; binding: string }>; consumers: Array<{ queue: string; dead_letter_queue?: string; max_retries?: number; max_batch_size?: number }> };
  };

  it("the Worker produces to the queue it consumes, whose dead letters it also consumes under the name its var gives", () => {
    const main = config.queues.consumers.find((c) => c.dead_letter_queue)!;
    expect(config.queues.producers).toEqual([{ queue: main.queue, binding: "JOBS_QUEUE" }]);
    expect(main.dead_letter_queue).toBe(config.vars.JOBS_DEAD_LETTER_QUEUE);
    expect(config.queues.consumers.map((c) => c.queue)).toEqual([main.queue, main.dead_letter_queue]);
    expect(config.r2_buckets.map((b) => b.binding)).toContain("JOBS");
  });

  it("dead letters are retried longer than chunks: a message the DLQ consumer gives up on is deleted", () => {
    const [main, dlq] = config.queues.consumers;
    expect(dlq!.max_retries).toBeGreaterThan(main!.max_retries!);
    // Five retries fit well inside the backoff's cap, so each retry waits longer than the one before.
    expect(backoffSeconds(main!.max_retries!)).toBeLessThan(600);
  });
});

it("a server without the JOBS bucket and queue (the Node server) answers 503 jobs_unavailable", async () => {
  const app = createApp({ createRunner: createNodeRunner, storeOf: () => fsStore(ROOT), log: () => {} });
  for (const [path, method] of [["/jobs", "POST"], ["/jobs/00000000-0000-4000-8000-000000000000", "GET"]] as const) {
    const res = await app.request(path, { method, headers: { "content-type": "application/x-ndjson" }, ...(method === "POST" ? { body: '{"id":"a","text":"HTN"}' } : {}) }, { AUTH_DISABLED: "true" });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([503, "jobs_unavailable"]);
  }
});
