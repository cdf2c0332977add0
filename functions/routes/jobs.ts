// Bulk jobs: POST /jobs (an NDJSON body, or notes already in R2 under a prefix), GET /jobs/:id, GET /jobs/:id/results,
// DELETE /jobs/:id. Submission checks every line and pins the model versions, writes the chunks' input to R2 and sends
// one queue message per chunk; functions/jobs/consume.ts answers them. docs/jobs.md has the design and the limits.
import { Hono, type Context, type MiddlewareHandler } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { jobKey, JOB_ID, resultKey, type ChunkMessage, type JobOptionsValue, type JobRecord } from "../jobs/keys.ts";
import { deleteJob, readJob, settledChunks, statusOf } from "../jobs/records.ts";
import { InvalidNotes, scanPrefix, stageBody, type Chunk, type StageLimits } from "../jobs/stage.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { JobInputRequest, JobOptions } from "../schemas.ts";
import { modelRefs, resolveModels } from "./ner.ts";

const NDJSON_TYPE = /^application\/(x-ndjson|ndjson|jsonl)\s*(;|$)/i;
/** Queues takes at most 100 messages per sendBatch. */
const SEND_BATCH = 100;

function bindings(c: Context<AppEnv>) {
  const { JOBS: bucket, JOBS_QUEUE: queue } = c.env;
  if (!bucket || !queue) throw new ApiError(503, "jobs_unavailable", "bulk jobs need the JOBS R2 binding and the JOBS_QUEUE queue (docs/jobs.md#deploying); this server has neither");
  return { bucket, queue: queue as Queue<ChunkMessage> };
}

const limitsOf = (c: Context<AppEnv>): StageLimits => ({
  maxNotes: Number(c.env.MAX_JOB_NOTES ?? 1_000_000),
  maxTextChars: Number(c.env.MAX_TEXT_CHARS ?? 20000),
  chunkNotes: Number(c.env.JOB_CHUNK_NOTES ?? 100),
  maxBodyBytes: Number(c.env.MAX_JOB_BODY_BYTES ?? 50_000_000),
});

const firstIssue = (error: z.ZodError) => {
  const issue = error.issues[0]!;
  return new ApiError(400, "invalid_request", `${issue.path.join(".") || "(options)"}: ${issue.message}`);
};

/**
 * An NDJSON body's options, from the query string: strings as given (model=custom), lists comma-separated
 * (labels=DISEASE,MEDICATION), anything else as JSON (context=false, minScore=0.5, fhir={"subject":"Patient/1"}).
 * Read from JobOptions' own fields, so an option /ner gains is an option here too.
 */
export function optionsFromQuery(query: Record<string, string>): JobOptionsValue {
  const fields = JobOptions.shape as Record<string, z.ZodOptional<z.ZodType>>;
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    const type = fields[k]?.unwrap().def.type;
    if (type === undefined) throw new ApiError(400, "invalid_request", `${k}: not an option (${Object.keys(fields).join(", ")})`);
    if (type === "string" || type === "enum") raw[k] = v;
    else if (type === "array") raw[k] = v.split(",").map((s) => s.trim());
    else {
      try {
        raw[k] = JSON.parse(v);
      } catch {
        throw new ApiError(400, "invalid_request", `${k}: ${JSON.stringify(v)} is not a JSON value`);
      }
    }
  }
  const parsed = JobOptions.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error);
  return parsed.data;
}

/** The job's options checked, and its models resolved now: their versions are the job's. */
async function pin(c: Context<AppEnv>, o: JobOptionsValue) {
  if (o.fhir?.documentId) throw new ApiError(400, "invalid_request", "fhir.documentId: every note of a job is its own document; leave it out");
  const models = modelRefs(await resolveModels(c.var.registry, o));
  Object.assign(c.var.log, { model: models.map((m) => m.name).join("+"), version: models.map((m) => m.version).join("+") });
  return models;
}

/** Records the job and sends its chunks; if the queue refuses midway, the job is removed whole and 503 answered. */
async function enqueue(c: Context<AppEnv>, record: JobRecord, chunks: Chunk[]) {
  const { bucket, queue } = bindings(c);
  await bucket.put(jobKey(record.id), JSON.stringify(record), { httpMetadata: { contentType: "application/json" } });
  try {
    for (let i = 0; i < chunks.length; i += SEND_BATCH) await queue.sendBatch(chunks.slice(i, i + SEND_BATCH).map((ch, j) => ({ body: { job: record.id, chunk: i + j, ...ch } })));
  } catch (err) {
    await deleteJob(bucket, record.id);
    throw new ApiError(503, "queue_unavailable", `the job could not be queued (${(err as Error).message}); nothing was kept, submit it again`, { "Retry-After": "30" });
  }
  Object.assign(c.var.log, { job: record.id, notes: record.notes, chunks: record.chunks });
  c.header("Location", `/jobs/${record.id}`);
  return c.json({ id: record.id, status: "queued" as const, notes: record.notes, chunks: record.chunks, models: record.models }, 202);
}

const rejected = (c: Context<AppEnv>, err: InvalidNotes) => c.json({ error: { code: "invalid_notes", message: err.message, lines: err.lines } }, 400);

/** POST /jobs with an NDJSON body: answered here; any other body goes on to the JSON form. */
const ndjsonJob: MiddlewareHandler<AppEnv> = async function ndjsonJob(c, next) {
  if (!NDJSON_TYPE.test(c.req.header("content-type") ?? "")) return next();
  const { bucket } = bindings(c);
  const limits = limitsOf(c);
  if (Number(c.req.header("content-length") ?? 0) > limits.maxBodyBytes) throw new ApiError(413, "body_too_large", `the body is over ${limits.maxBodyBytes} bytes (MAX_JOB_BODY_BYTES)`);
  const options = optionsFromQuery(c.req.query());
  const models = await pin(c, options);
  const id = crypto.randomUUID();
  try {
    const staged = await stageBody(bucket, id, c.req.raw.body ?? new Blob([]).stream(), limits);
    const record: JobRecord = { id, createdAt: new Date().toISOString(), notes: staged.notes, chunks: staged.chunks.length, options, models, input: { kind: "body", bytes: staged.bytes } };
    return await enqueue(c, record, staged.chunks);
  } catch (err) {
    if (err instanceof InvalidNotes) return rejected(c, err);
    throw err;
  }
};

const jobOf = async (c: Context<AppEnv>) => {
  const id = c.req.param("id") ?? "";
  const record = JOB_ID.test(id) ? await readJob(bindings(c).bucket, id) : null;
  if (!record) throw new ApiError(404, "job_not_found", `no job ${JSON.stringify(id)} (finished jobs stay until deleted)`);
  c.var.log.job = id;
  return record;
};

export const jobs = new Hono<AppEnv>()
  .post("/jobs", ndjsonJob, jsonBody(JobInputRequest), async (c) => {
    if (Object.keys(c.req.query()).length) throw new ApiError(400, "invalid_request", "with a JSON body, options go in the body beside input, not in the query string");
    const { input, ...options } = c.req.valid("json");
    const models = await pin(c, options);
    try {
      const scanned = await scanPrefix(bindings(c).bucket, input, limitsOf(c));
      const record: JobRecord = { id: crypto.randomUUID(), createdAt: new Date().toISOString(), notes: scanned.notes, chunks: scanned.chunks.length, options, models, input: { kind: "prefix", prefix: input, objects: scanned.objects } };
      return await enqueue(c, record, scanned.chunks);
    } catch (err) {
      if (err instanceof InvalidNotes) return rejected(c, err);
      throw err;
    }
  })
  .get("/jobs/:id", async (c) => {
    const record = await jobOf(c);
    return c.json(statusOf(record, await settledChunks(bindings(c).bucket, record.id), Date.now()));
  })
  .get("/jobs/:id/results", async (c) => {
    const record = await jobOf(c);
    const { bucket } = bindings(c);
    const settled = (await settledChunks(bucket, record.id)).length;
    if (settled < record.chunks) throw new ApiError(409, "job_not_finished", `${settled} of ${record.chunks} chunks are answered; GET /jobs/${record.id} shows progress`, { "Retry-After": "10" });
    const from = Number(c.req.query("from") ?? 0);
    if (!Number.isInteger(from) || from < 0 || from >= record.chunks) throw new ApiError(400, "invalid_request", `from: a chunk index from 0 to ${record.chunks - 1}`);
    // Each chunk is a read, and a request may make only so many (docs/jobs.md#limits).
    const to = Math.min(record.chunks, from + Number(c.env.JOB_RESULTS_PAGE_CHUNKS ?? 1000));
    if (to < record.chunks) c.header("Link", `</jobs/${record.id}/results?from=${to}>; rel="next"`);
    c.header("X-Medner-Models", record.models.map((m) => `${m.name}@${m.version}`).join(","));
    let next = from;
    // One result object at a time, in chunk order: the answer is never held whole.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (next === to) return controller.close();
        const obj = await bucket.get(resultKey(record.id, next++));
        if (!obj) return controller.error(new Error(`job ${record.id} was deleted while its results were read`));
        controller.enqueue(new Uint8Array(await obj.arrayBuffer()));
      },
    });
    return c.body(body, 200, { "Content-Type": "application/x-ndjson; charset=utf-8" });
  })
  .delete("/jobs/:id", async (c) => {
    const record = await jobOf(c);
    const objects = await deleteJob(bindings(c).bucket, record.id);
    return c.json({ id: record.id, status: "deleted" as const, objects });
  });
