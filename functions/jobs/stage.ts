// Submission's reading half: every line of the input is checked before anything is queued (a job is accepted whole
// or not at all), and the notes are cut into chunks of JOB_CHUNK_NOTES as byte ranges. A body is copied into parts in
// R2 as it streams by; notes uploaded under a prefix are read where they are, their etags kept so a change is caught.
import { ApiError } from "../errors.ts";
import { partKey, type ChunkMessage } from "./keys.ts";
import { isBlank, linesOf, parseNote, type Line } from "./lines.ts";

export interface StageLimits {
  maxNotes: number;
  maxTextChars: number;
  chunkNotes: number;
  maxBodyBytes: number;
  /** Where a body's parts are cut (default 8 MiB); small in tests, to make many. */
  partBytes?: number;
}

export interface LineError {
  line: number;
  object?: string;
  message: string;
}

/** Bad lines: the job is refused, listing the first of them. */
export class InvalidNotes extends Error {
  constructor(
    readonly lines: LineError[],
    readonly count: number,
  ) {
    super(`${count} line${count === 1 ? " is" : "s are"} not a note ({"id", "text"}); the job was not created`);
  }
}

export type Chunk = Omit<ChunkMessage, "job" | "chunk">;
type Range = { offset: number; length: number; notes: number };

/** Parts of a body are cut at chunk ends once this size is passed: a part is held in memory until it is written. */
const PART_BYTES = 8 * 1024 * 1024;
const LISTED_ERRORS = 20;
/** Each object is a read in the one submitting request, and Workers cap subrequests per request (docs/jobs.md#limits). */
const MAX_INPUT_OBJECTS = 1000;

/** Groups notes into chunks of `chunkNotes` as byte ranges, and counts and checks them on the way. */
class Chunker {
  private closed: Range[] = [];
  private open: Range | null = null;
  notes = 0;
  readonly errors: LineError[] = [];
  errorCount = 0;

  constructor(private readonly limits: StageLimits) {}

  /** Checks a line; true when it is a good note. */
  check(line: Line, object?: string): boolean {
    if (isBlank(line.bytes)) return false;
    if (++this.notes > this.limits.maxNotes) throw new ApiError(413, "too_many_notes", `more than ${this.limits.maxNotes} notes; split the job (MAX_JOB_NOTES)`);
    const parsed = parseNote(line.bytes, this.limits.maxTextChars);
    if ("note" in parsed) return true;
    if (this.errors.length < LISTED_ERRORS) this.errors.push({ line: line.number, ...(object !== undefined ? { object } : {}), message: parsed.error });
    this.errorCount++;
    return false;
  }

  /** Adds a note found at `offset` (of the object it is in); true when it ends a chunk. */
  place(offset: number, length: number): boolean {
    if (this.open) {
      this.open.length = offset + length - this.open.offset;
      this.open.notes++;
    } else this.open = { offset, length, notes: 1 };
    if (this.open.notes < this.limits.chunkNotes) return false;
    this.closed.push(this.open);
    this.open = null;
    return true;
  }

  /** Closes the open chunk, and hands over every chunk closed since the last call (for one object or part). */
  finish(): Range[] {
    if (this.open) this.closed.push(this.open);
    const out = this.closed;
    this.open = null;
    this.closed = [];
    return out;
  }

  throwIfInvalid(): void {
    if (this.errorCount) throw new InvalidNotes(this.errors, this.errorCount);
  }
}

const tooLarge = (max: number) => () => new ApiError(413, "body_too_large", `the body is over ${max} bytes (MAX_JOB_BODY_BYTES); upload the notes to R2 and send {"input": "<prefix>"}`);

/** Streams a body's notes into parts under the job, and returns its chunks. On any refusal, the parts are removed. */
export async function stageBody(bucket: R2Bucket, job: string, body: ReadableStream<Uint8Array>, limits: StageLimits): Promise<{ chunks: Chunk[]; notes: number; bytes: number }> {
  const c = new Chunker(limits);
  const chunks: Chunk[] = [];
  const written: string[] = [];
  let pieces: Uint8Array[] = [];
  let size = 0;
  let bytes = 0;
  const flush = async () => {
    const ranges = c.finish();
    if (!size) return;
    const key = partKey(job, written.length);
    const all = new Uint8Array(size);
    pieces.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    // Unconditional, so never null.
    const put = (await bucket.put(key, all))!;
    written.push(key);
    chunks.push(...ranges.map((r) => ({ key, offset: r.offset, length: r.length, etag: put.etag, notes: r.notes })));
    pieces = [];
    size = 0;
  };
  try {
    for await (const line of linesOf(body, { maxBytes: limits.maxBodyBytes, tooLarge: tooLarge(limits.maxBodyBytes) })) {
      bytes = line.offset + line.bytes.length;
      // After the first bad line nothing more is written: the rest is only read, to list the other bad lines.
      if (!c.check(line) || c.errorCount) continue;
      // Copied (the stream may reuse the buffer a line points into), with a newline if the body's last line had none.
      const ended = line.bytes[line.bytes.length - 1] === 10;
      const copy = new Uint8Array(line.bytes.length + (ended ? 0 : 1));
      copy.set(line.bytes);
      if (!ended) copy[line.bytes.length] = 10;
      pieces.push(copy);
      const chunkEnded = c.place(size, copy.length);
      size += copy.length;
      // Parts are cut only where a chunk ends, so that no chunk spans two.
      if (chunkEnded && size >= (limits.partBytes ?? PART_BYTES)) await flush();
    }
    c.throwIfInvalid();
    await flush();
  } catch (err) {
    if (written.length) await bucket.delete(written);
    throw err;
  }
  if (!c.notes) throw new ApiError(400, "no_notes", 'the body holds no notes: send one JSON object per line, {"id", "text"}');
  return { chunks, notes: c.notes, bytes };
}

/** Reads every object under `prefix` (in key order) and returns its chunks: ranges of those objects, with their etags. */
export async function scanPrefix(bucket: R2Bucket, prefix: string, limits: StageLimits): Promise<{ chunks: Chunk[]; notes: number; objects: number }> {
  const objects: R2Object[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    objects.push(...page.objects);
    if (objects.length > MAX_INPUT_OBJECTS) throw new ApiError(413, "too_many_objects", `more than ${MAX_INPUT_OBJECTS} objects under "${prefix}"; put the notes in fewer, larger objects, or split the job`);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  if (!objects.length) throw new ApiError(404, "input_not_found", `no objects under "${prefix}" in the JOBS bucket`);
  const c = new Chunker(limits);
  const chunks: Chunk[] = [];
  for (const o of objects) {
    // Read at the etag listed, so the chunks describe one version of the object.
    const got = await bucket.get(o.key, { onlyIf: { etagMatches: o.etag } });
    if (!got || !("body" in got)) throw new ApiError(409, "input_changed", `"${o.key}" changed while the job was being submitted; submit it again`);
    for await (const line of linesOf(got.body)) if (c.check(line, o.key)) c.place(line.offset, line.bytes.length);
    chunks.push(...c.finish().map((r) => ({ key: o.key, offset: r.offset, length: r.length, etag: o.etag, notes: r.notes })));
  }
  c.throwIfInvalid();
  if (!c.notes) throw new ApiError(400, "no_notes", `the objects under "${prefix}" hold no notes`);
  return { chunks, notes: c.notes, objects: objects.length };
}
