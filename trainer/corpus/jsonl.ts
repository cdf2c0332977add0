// JSON lines, one record per line: spaCy/Prodigy-style {text, spans}, doccano, and medner's own seed-style lines.
import { MednerError, type Doc } from "../../core/index.ts";
import { jsonSyntaxError } from "./json.ts";
import { recordToDoc } from "./records.ts";
import type { OffsetUnit, ReadProblem } from "./types.ts";

export function parseJsonlCorpus(content: string, file: string, unit: OffsetUnit = "utf16"): { docs: Doc[]; problems: ReadProblem[] } {
  const docs: Doc[] = [];
  const problems: ReadProblem[] = [];
  content.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const { reason, position } = jsonSyntaxError(err, line);
      throw new MednerError("E201", `${file}:${i + 1}${position === undefined ? "" : `:${position + 1}`}: invalid JSON line (${reason})`);
    }
    const read = recordToDoc(value, `${file}:${i + 1}`, `L${i + 1}`, unit);
    if ("doc" in read) docs.push(read.doc);
    else problems.push(read.skipped);
  });
  return { docs, problems };
}

/** Seed-style JSON lines: the lossless interchange format `medner convert` writes (UTF-16 offsets, traits and attributes kept). */
export function toSeedJsonl(docs: Doc[]): string {
  return docs
    .map((d) =>
      JSON.stringify({
        id: d.id,
        text: d.text,
        entities: d.entities.map(({ start, end, label, traits, attributes }) => ({ start, end, label, ...(traits?.length ? { traits } : {}), ...(attributes?.length ? { attributes } : {}) })),
        ...(d.meta ? { meta: d.meta } : {}),
      }),
    )
    .map((l) => `${l}\n`)
    .join("");
}
