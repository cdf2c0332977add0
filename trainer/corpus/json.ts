// Seed-style annotated JSON: an array of records, an object holding one (e.g. {"annotations": [...]}), or one record.
import { MednerError, type Doc } from "../../core/index.ts";
import { recordToDoc } from "./records.ts";
import type { OffsetUnit, ReadProblem } from "./types.ts";

const CONTAINER_KEYS = ["annotations", "examples", "data", "documents", "records", "items"];

/**
 * Why and where JSON.parse failed on `source`, without V8's message itself: that can quote a piece of the input, which
 * is patient text. The position is V8's "position N", or else worked out from the 10 characters either side of an
 * unexpected character that V8 quotes; undefined when it cannot be told.
 */
export function jsonSyntaxError(err: unknown, source: string): { reason: string; position: number | undefined } {
  const msg = (err as Error).message;
  const at = /^(.*?) (in|after) JSON at position (\d+)/.exec(msg);
  if (at) return { reason: at[2] === "after" ? `${at[1]} after the JSON value` : at[1]!, position: Number(at[3]) };
  // "Unexpected end of JSON input": the problem is at the last character.
  if (msg.startsWith("Unexpected end of JSON input")) return { reason: "Unexpected end of JSON input", position: source.trimEnd().length };
  const token = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON/.exec(msg);
  if (!token) return { reason: "not valid JSON", position: undefined };
  const [, ch, before, snippet, after] = token as unknown as [string, string, string | undefined, string, string | undefined];
  const CONTEXT = 10;
  let position: number | undefined;
  if (!before && !after) position = source.indexOf(ch);
  else if (!before) position = snippet.length - CONTEXT;
  else if (!after) position = source.length - snippet.length + CONTEXT;
  else
    for (let i = source.indexOf(snippet); i >= 0 && position === undefined; i = source.indexOf(snippet, i + 1))
      if (source[i + CONTEXT] === ch) position = i + CONTEXT;
  return { reason: "Unexpected character", position: position !== undefined && source[position] === ch ? position : undefined };
}

/** "LINE:COLUMN" (1-based, UTF-16 columns) of `position` in `content`. */
export function lineAndColumn(content: string, position: number): string {
  const before = content.slice(0, position);
  return `${before.split("\n").length}:${position - before.lastIndexOf("\n")}`;
}

export function parseJsonCorpus(content: string, file: string, unit: OffsetUnit = "utf16"): { docs: Doc[]; problems: ReadProblem[] } {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (err) {
    const { reason, position } = jsonSyntaxError(err, content);
    throw new MednerError("E201", `${file}${position === undefined ? "" : `:${lineAndColumn(content, position)}`}: invalid JSON (${reason})`);
  }
  let records: unknown[];
  if (Array.isArray(value) && !(typeof value[0] === "string" && value.length === 2)) records = value;
  else if (value && typeof value === "object" && !Array.isArray(value)) {
    const key = CONTAINER_KEYS.find((k) => Array.isArray((value as Record<string, unknown>)[k]) && !("text" in value) && !("content" in value));
    records = key ? ((value as Record<string, unknown>)[key] as unknown[]) : [value];
  } else records = [value];
  const docs: Doc[] = [];
  const problems: ReadProblem[] = [];
  records.forEach((r, i) => {
    const where = `${file}: record ${i}`;
    const read = recordToDoc(r, where, String(i), unit);
    if ("doc" in read) docs.push(read.doc);
    else problems.push(read.skipped);
  });
  return { docs, problems };
}
