// JSON lines, one record per line: spaCy/Prodigy-style {text, spans}, doccano, and medner's own seed-style lines.
import { MednerError, type Doc } from "../../core/index.ts";
import { recordToDoc } from "./records.ts";
import type { OffsetUnit } from "./types.ts";

export function parseJsonlCorpus(content: string, file: string, unit: OffsetUnit = "utf16"): Doc[] {
  const docs: Doc[] = [];
  content.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new MednerError("E201", `${file}:${i + 1}: invalid JSON line (${(err as Error).message})`);
    }
    docs.push(recordToDoc(value, `${file}:${i + 1}`, `L${i + 1}`, unit));
  });
  return docs;
}

/** Seed-style JSON lines: the lossless interchange format `medner convert` writes (UTF-16 offsets). */
export function toSeedJsonl(docs: Doc[]): string {
  return docs
    .map((d) =>
      JSON.stringify({
        id: d.id,
        text: d.text,
        entities: d.entities.map(({ start, end, label }) => ({ start, end, label })),
        ...(d.meta ? { meta: d.meta } : {}),
      }),
    )
    .map((l) => `${l}\n`)
    .join("");
}
