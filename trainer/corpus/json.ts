// Seed-style annotated JSON: an array of records, an object holding one (e.g. {"annotations": [...]}), or one record.
import { MednerError, type Doc } from "../../core/index.ts";
import { recordToDoc } from "./records.ts";
import type { OffsetUnit } from "./types.ts";

const CONTAINER_KEYS = ["annotations", "examples", "data", "documents", "records", "items"];

function lineOf(content: string, position: number): number {
  return content.slice(0, position).split("\n").length;
}

export function parseJsonCorpus(content: string, file: string, unit: OffsetUnit = "utf16"): Doc[] {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    // "Unexpected end of JSON input" has no position: the problem is at the last character.
    const at = pos ? Number(pos[1]) : content.trimEnd().length;
    throw new MednerError("E201", `${file}:${lineOf(content, at)}: invalid JSON (${msg})`);
  }
  let records: unknown[];
  if (Array.isArray(value) && !(typeof value[0] === "string" && value.length === 2)) records = value;
  else if (value && typeof value === "object" && !Array.isArray(value)) {
    const key = CONTAINER_KEYS.find((k) => Array.isArray((value as Record<string, unknown>)[k]) && !("text" in value) && !("content" in value));
    records = key ? ((value as Record<string, unknown>)[key] as unknown[]) : [value];
  } else records = [value];
  return records.map((r, i) => recordToDoc(r, `${file}: record ${i}`, String(i), unit));
}
