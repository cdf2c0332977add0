// NDJSON notes read as a stream, line by line, with each line's byte offset: a job's chunks are byte ranges of the
// input, so a body is never held whole (50 MB of text would be 100 MB of JavaScript string in a 128 MB isolate).
import { JobNote } from "../schemas.ts";

export interface Line {
  /** 1-based, counting blank lines, as an editor shows them. */
  number: number;
  /** Byte offset of the line's first byte in the stream. */
  offset: number;
  /** The line's bytes with its "\n" (none on a last line without one). */
  bytes: Uint8Array;
}

const NEWLINE = 10;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The lines of a byte stream. Throws `tooLarge()` once more than `maxBytes` have arrived. */
export async function* linesOf(stream: ReadableStream<Uint8Array>, o: { maxBytes?: number; tooLarge?: () => Error } = {}): AsyncGenerator<Line> {
  let carry = new Uint8Array(0);
  let carryOffset = 0;
  let seen = 0;
  let number = 0;
  for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) {
    seen += piece.length;
    if (o.maxBytes !== undefined && seen > o.maxBytes) throw o.tooLarge?.() ?? new Error(`more than ${o.maxBytes} bytes`);
    const buf = carry.length ? concat(carry, piece) : piece;
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      yield { number: ++number, offset: carryOffset + start, bytes: buf.subarray(start, nl + 1) };
      start = nl + 1;
    }
    carryOffset += start;
    carry = buf.slice(start);
  }
  if (carry.length) yield { number: ++number, offset: carryOffset, bytes: carry };
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Whether a line holds only whitespace: skipped, not a note (a trailing newline makes one). */
export const isBlank = (bytes: Uint8Array) => bytes.every((b) => b === 32 || b === 9 || b === 10 || b === 13);

export type Parsed = { note: { id: string; text: string } } | { error: string };

/** One line as a note, or why it is not one (never quoting the text: it is patient data). */
export function parseNote(bytes: Uint8Array, maxTextChars: number): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    return { error: err instanceof TypeError ? "not UTF-8" : "not JSON" };
  }
  const r = JobNote.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { error: `${issue.path.join(".") || "(line)"}: ${issue.message}` };
  }
  if (r.data.text.length > maxTextChars) return { error: `text has ${r.data.text.length} characters; the limit is ${maxTextChars}` };
  return { note: r.data };
}

/** The notes of a chunk's bytes, already checked at submission (and the etag guards against changes since). */
export function notesOf(bytes: Uint8Array): Array<{ id: string; text: string }> {
  return decoder
    .decode(bytes)
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return JSON.parse(l) as { id: string; text: string };
      } catch {
        // Not JSON.parse's own message: it quotes the line, and this error is logged.
        throw new Error("a line of the chunk is not JSON");
      }
    });
}
