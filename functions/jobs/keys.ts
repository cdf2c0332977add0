// Where a bulk job lives in the JOBS bucket, and the shapes it leaves there. Every key is made here, so the routes, the
// consumers and the tests that seed or inspect R2 agree on them.
import type { z } from "zod";
import type { JobOptions } from "../schemas.ts";

/** Job ids are UUIDs (crypto.randomUUID): a path segment that matches nothing else is a 404, never a listing. */
export const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The prefix all jobs' data is under; an `input` prefix may not reach into it. */
export const JOBS_ROOT = "jobs/";

export const jobPrefix = (id: string) => `${JOBS_ROOT}${id}/`;
/** The job's record: written once at submission, deleted first on cancel (consumers then drop the job's chunks). */
export const jobKey = (id: string) => `${jobPrefix(id)}job.json`;
/** A slice of a body's notes as received: chunks are byte ranges inside parts. */
export const partKey = (id: string, part: number) => `${jobPrefix(id)}input/${String(part).padStart(6, "0")}.ndjson`;
export const resultsPrefix = (id: string) => `${jobPrefix(id)}results/`;
/** One object per chunk, one NDJSON line per note: the only record of progress (GET /jobs/:id lists them). */
export const resultKey = (id: string, chunk: number) => `${resultsPrefix(id)}${String(chunk).padStart(6, "0")}.ndjson`;
export const chunkOfResultKey = (key: string) => Number(/(\d+)\.ndjson$/.exec(key)![1]);

export type JobOptionsValue = z.infer<typeof JobOptions>;
export interface ModelRef {
  name: string;
  version: string;
  sha256: string;
}

/** job.json. */
export interface JobRecord {
  id: string;
  createdAt: string;
  notes: number;
  chunks: number;
  options: JobOptionsValue;
  /** The versions resolved at submission: every chunk runs these, whatever is published meanwhile. */
  models: ModelRef[];
  input: { kind: "body"; bytes: number } | { kind: "prefix"; prefix: string; objects: number };
}

/** One queue message: everything a consumer needs to find a chunk's notes, without reading any index. */
export interface ChunkMessage {
  job: string;
  chunk: number;
  /** The object holding the notes, the byte range of the chunk's lines in it, and its etag then (changes are refused). */
  key: string;
  offset: number;
  length: number;
  etag: string;
  /** Notes in the range (blank lines are not notes). */
  notes: number;
}

/** A result object's custom metadata (strings, as R2 keeps them): what status counts, without reading bodies. */
export interface ChunkMeta {
  notes: string;
  failed: string;
  /** JSON: the ModelRefs that answered (empty for a failed chunk). */
  models: string;
  startedAt: string;
  finishedAt: string;
  attempts: string;
}
