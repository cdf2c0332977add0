// A job's state, kept in R2 alone: job.json (written once) and one result object per settled chunk. Progress is what
// a listing of the results finds, so a chunk answered twice (Queues delivers at least once) is still one object,
// counted once, and no counter can drift from the results it counts. No Durable Object is needed for that: R2 is
// strongly consistent for a read or list after a write, and each chunk has its own key, so writers never contend.
import { chunkOfResultKey, jobKey, jobPrefix, resultsPrefix, type ChunkMeta, type JobRecord } from "./keys.ts";

export async function readJob(bucket: R2Bucket, id: string): Promise<JobRecord | null> {
  const obj = await bucket.get(jobKey(id));
  return obj ? ((await obj.json()) as JobRecord) : null;
}

export interface SettledChunk {
  chunk: number;
  meta: ChunkMeta;
}

/** Every settled chunk of a job, with the counts it wrote beside its results. */
export async function settledChunks(bucket: R2Bucket, id: string): Promise<SettledChunk[]> {
  const out: SettledChunk[] = [];
  let cursor: string | undefined;
  do {
    // `include` is honoured since compatibility date 2022-08-04; the default workers-types entry omits it.
    const page = await bucket.list({ prefix: resultsPrefix(id), include: ["customMetadata"], ...(cursor ? { cursor } : {}) } as R2ListOptions);
    for (const o of page.objects) out.push({ chunk: chunkOfResultKey(o.key), meta: o.customMetadata as unknown as ChunkMeta });
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

/**
 * Cancels a job: job.json goes first, so that from then on every consumer drops the job's chunks, then everything under
 * the job. A consumer that wrote a result just before checks job.json after its write and removes what it wrote: since
 * R2 reads and lists see every write before them, either that check or the listing here finds it.
 */
export async function deleteJob(bucket: R2Bucket, id: string): Promise<number> {
  await bucket.delete(jobKey(id));
  let removed = 1;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: jobPrefix(id), ...(cursor ? { cursor } : {}) });
    if (page.objects.length) await bucket.delete(page.objects.map((o) => o.key));
    removed += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return removed;
}

type Status = "queued" | "running" | "done" | "failed";

/** GET /jobs/:id: counts, state and timings, derived from the settled chunks. */
export function statusOf(record: JobRecord, settled: SettledChunk[], now: number) {
  let done = 0;
  let failed = 0;
  let startedAt: string | null = null;
  let finishedAt: string | null = null;
  const used = new Map<string, JobRecord["models"][number]>();
  for (const { meta } of settled) {
    failed += Number(meta.failed);
    done += Number(meta.notes) - Number(meta.failed);
    if (!startedAt || meta.startedAt < startedAt) startedAt = meta.startedAt;
    if (!finishedAt || meta.finishedAt > finishedAt) finishedAt = meta.finishedAt;
    for (const m of JSON.parse(meta.models) as JobRecord["models"]) used.set(`${m.name}@${m.version}:${m.sha256}`, m);
  }
  const all = settled.length === record.chunks;
  const status: Status = all ? (failed ? "failed" : "done") : settled.length ? "running" : "queued";
  const ms = (a: string | null, b: string | number | null) => (a && b !== null ? new Date(b).getTime() - new Date(a).getTime() : null);
  return {
    id: record.id,
    status,
    counts: { total: record.notes, done, failed },
    chunks: { total: record.chunks, settled: settled.length },
    models: record.models,
    modelsUsed: [...used.values()],
    options: record.options,
    createdAt: record.createdAt,
    timings: {
      startedAt,
      finishedAt: all ? finishedAt : null,
      queuedMs: ms(record.createdAt, startedAt),
      runningMs: ms(startedAt, all ? finishedAt : now),
    },
  };
}
