// The queue handler for both job queues. From medner-jobs: a chunk's notes through the models the job pinned, with
// /ner's own functions, into the chunk's result object (a redelivery rewrites the same key; a failed run writes
// nothing and is retried with backoff). From the dead-letter queue: the chunk's notes answered as failed. Neither ever
// throws for one message, so one bad chunk does not send its batch back.
import type { Bindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { ModelRegistry } from "../registry.ts";
import { formatted, modelRefs, recognize } from "../routes/ner.ts";
import { jobKey, resultKey, type ChunkMessage, type ChunkMeta, type JobOptionsValue, type JobRecord, type ModelRef } from "./keys.ts";
import { notesOf } from "./lines.ts";
import { readJob } from "./records.ts";

export interface ConsumerDeps {
  registryFor: (env: Bindings) => ModelRegistry;
  log?: (line: string) => void;
}

/** Seconds before a failed chunk is delivered again: 10, 20, 40, 80, 160 (five retries ≈ 5 min), capped at 10 min. */
export const backoffSeconds = (attempts: number) => Math.min(10 * 2 ** (attempts - 1), 600);

const DEAD_LETTER_DEFAULT = "medner-jobs-dlq";

type Outcome = "answered" | "failed" | "cancelled";
type Entities = Awaited<ReturnType<typeof recognize>>["results"][number];

/** A note's result line in the job's format (docs/jobs.md#results). */
function resultLine(o: JobOptionsValue, id: string, text: string, entities: Entities, models: ModelRef[]) {
  if (!o.format || o.format === "medner") return { id, entities };
  const body = formatted(o, text, entities, { models });
  return o.format === "hf" ? { id, entities: body } : o.format === "spacy" ? { id, doc: body } : { id, bundle: body };
}

const meta = (notes: number, failed: number, models: ModelRef[], startedAt: string, attempts: number): ChunkMeta => ({
  notes: String(notes),
  failed: String(failed),
  models: JSON.stringify(models),
  startedAt,
  finishedAt: new Date().toISOString(),
  attempts: String(attempts),
});

/** The chunk's notes, or null when its input is gone or changed since submission (the etag no longer matches). */
async function readChunk(bucket: R2Bucket, m: ChunkMessage) {
  const got = await bucket.get(m.key, { range: { offset: m.offset, length: m.length }, onlyIf: { etagMatches: m.etag } });
  return got && "body" in got ? notesOf(new Uint8Array(await got.arrayBuffer())) : null;
}

/** A cancel that raced this write: job.json is gone, so the result just written is removed (records.ts, deleteJob). */
async function keepOnlyIfLive(bucket: R2Bucket, m: ChunkMessage): Promise<Outcome | null> {
  if (await bucket.head(jobKey(m.job))) return null;
  await bucket.delete(resultKey(m.job, m.chunk));
  return "cancelled";
}

/**
 * Every note of the chunk answered with `error`, unless the chunk already has results: `etagDoesNotMatch: "*"` writes
 * only where no object is, so a failure never replaces answers a duplicate delivery wrote.
 */
async function failChunk(bucket: R2Bucket, m: ChunkMessage, ids: string[] | null, error: { code: string; message: string }, startedAt: string, attempts: number): Promise<Outcome> {
  const lines = (ids ?? Array<string | null>(m.notes).fill(null)).map((id) => JSON.stringify({ id, error }));
  await bucket.put(resultKey(m.job, m.chunk), `${lines.join("\n")}\n`, { onlyIf: { etagDoesNotMatch: "*" }, customMetadata: { ...meta(m.notes, m.notes, [], startedAt, attempts) } });
  return (await keepOnlyIfLive(bucket, m)) ?? "failed";
}

const inputChanged = { code: "input_changed", message: "the chunk's input object was changed or removed after the job was submitted" };

async function runChunk(bucket: R2Bucket, registry: ModelRegistry, m: ChunkMessage, record: JobRecord, attempts: number): Promise<Outcome> {
  const startedAt = new Date().toISOString();
  const notes = await readChunk(bucket, m);
  if (!notes) return failChunk(bucket, m, null, inputChanged, startedAt, attempts);
  let used;
  try {
    used = await Promise.all(record.models.map((p) => registry.resolve(p.name, p.version)));
  } catch (err) {
    // A pinned version that is gone will not come back by retrying; a store that is down may (the catch below).
    if (err instanceof ApiError && err.status === 404) return failChunk(bucket, m, notes.map((n) => n.id), { code: err.code, message: err.message }, startedAt, attempts);
    throw err;
  }
  const { results } = await recognize(used, notes.map((n) => n.text), record.options);
  const models = modelRefs(used);
  const lines = notes.map((n, i) => JSON.stringify(resultLine(record.options, n.id, n.text, results[i]!, models)));
  // Unconditional: a redelivered chunk overwrites its own results (the same notes through the same versions).
  await bucket.put(resultKey(m.job, m.chunk), `${lines.join("\n")}\n`, { customMetadata: { ...meta(notes.length, 0, models, startedAt, attempts) } });
  return (await keepOnlyIfLive(bucket, m)) ?? "answered";
}

async function deadLetter(bucket: R2Bucket, m: ChunkMessage, attempts: number): Promise<Outcome> {
  const startedAt = new Date().toISOString();
  const notes = await readChunk(bucket, m);
  const error = notes
    ? { code: "chunk_failed", message: "the chunk failed on every delivery and was dead-lettered; the Worker's logs have each error" }
    : inputChanged;
  return failChunk(bucket, m, notes?.map((n) => n.id) ?? null, error, startedAt, attempts);
}

export const consumeJobs = (deps: ConsumerDeps) => {
  const log = deps.log ?? ((line: string) => console.log(line));
  return async function queue(batch: MessageBatch<ChunkMessage>, env: Bindings): Promise<void> {
    const bucket = env.JOBS;
    // Without the bucket nothing can be done: the whole batch goes back, as a thrown handler's does.
    if (!bucket) throw new Error("the JOBS R2 binding is missing");
    const dead = batch.queue === (env.JOBS_DEAD_LETTER_QUEUE ?? DEAD_LETTER_DEFAULT);
    for (const msg of batch.messages) {
      const m = msg.body;
      const t0 = Date.now();
      const fields = { job: m.job, chunk: m.chunk, attempts: msg.attempts, queue: batch.queue };
      try {
        const record = await readJob(bucket, m.job);
        const outcome: Outcome = !record ? "cancelled" : dead ? await deadLetter(bucket, m, msg.attempts) : await runChunk(bucket, deps.registryFor(env), m, record, msg.attempts);
        msg.ack();
        log(JSON.stringify({ level: outcome === "failed" ? "warn" : "info", msg: "job chunk", ...fields, outcome, notes: m.notes, ms: Date.now() - t0 }));
      } catch (err) {
        msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
        // The error's own name and message only: never the notes.
        log(JSON.stringify({ level: "error", msg: "job chunk failed; retrying", ...fields, name: (err as Error)?.name, error: (err as Error)?.message ?? String(err), ms: Date.now() - t0 }));
      }
    }
  };
};
