// Builds data/clinical-notes/{train,dev}.json from the marked-up sources in data/clinical-notes/source/*.txt
// (format: data/clinical-notes/source/FORMAT.md). `--check` fails if the committed JSON is out of date.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Doc, Span } from "../core/index.ts";
import { isMain } from "./is-main.ts";

const LABELS: Record<string, string> = { MED: "MEDICATION", DIS: "DISEASE", TRT: "TREATMENT" };
/** Context traits an entity may carry (data/clinical-notes/TRAITS.md); none means affirmed, current, the patient's. */
export const TRAITS = ["negated", "uncertain", "historical", "hypothetical", "family"] as const;
export type Trait = (typeof TRAITS)[number];
export type TraitSpan = Span & { traits?: Trait[] };
export interface ClinicalDoc extends Doc {
  entities: TraitSpan[];
}
const MARK = /\[\[([^[\]|]+)\|([A-Z]+)(?:\|([^[\]|]*))?\]\]/g;
export const DEV_EVERY = 5;

/** The third markup field: comma-separated trait names, written sorted so the JSON does not depend on their order. */
function parseTraits(field: string, where: string): Trait[] {
  const names = field.split(",").map((t) => t.trim());
  for (const [i, name] of names.entries()) {
    if (!(TRAITS as readonly string[]).includes(name))
      throw new Error(`${where}: unknown trait "${name}" (expected ${TRAITS.join(", ")})`);
    if (names.indexOf(name) !== i) throw new Error(`${where}: trait ${name} given twice`);
  }
  return (names as Trait[]).sort();
}

/** One marked-up line → plain text and spans relative to the line. */
export function parseMarkedLine(line: string, where: string): { text: string; spans: TraitSpan[] } {
  let text = "";
  const spans: TraitSpan[] = [];
  let last = 0;
  for (const m of line.matchAll(MARK)) {
    const label = LABELS[m[2]!];
    if (!label) throw new Error(`${where}: unknown label ${m[2]} (expected MED, DIS or TRT)`);
    text += line.slice(last, m.index);
    const span: TraitSpan = { start: text.length, end: text.length + m[1]!.length, label };
    if (m[3] !== undefined) span.traits = parseTraits(m[3], where);
    spans.push(span);
    text += m[1]!;
    last = m.index + m[0].length;
  }
  text += line.slice(last);
  if (/\[\[|\]\]/.test(text)) throw new Error(`${where}: unbalanced [[...]] markup`);
  return { text, spans };
}

/** Notes of one source file, in file order. */
export function parseSourceFile(content: string, file: string): ClinicalDoc[] {
  const docs: ClinicalDoc[] = [];
  let current: { id: string; source: string; lines: Array<{ text: string; spans: TraitSpan[] }> } | null = null;
  const flush = () => {
    if (!current) return;
    if (current.lines.length === 0) throw new Error(`${file}: note ${current.id} has no lines`);
    let text = "";
    const entities: TraitSpan[] = [];
    for (const l of current.lines) {
      if (text) text += "\n";
      for (const s of l.spans) entities.push({ ...s, start: s.start + text.length, end: s.end + text.length });
      text += l.text;
    }
    docs.push({ id: current.id, text, entities, meta: { source: current.source } });
  };
  const stem = file.replace(/\.txt$/, "");
  content.split(/\r?\n/).forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    const line = raw.trim();
    const header = /^##\s*note:\s*([a-z-]+)\s*(?:\|\s*(\S+))?\s*$/.exec(line);
    if (header) {
      flush();
      current = { id: header[2] ?? `${stem}-${String(docs.length + 1).padStart(3, "0")}`, source: header[1]!, lines: [] };
    } else if (line === "" || line.startsWith("# ")) return;
    else if (!current) throw new Error(`${where}: text before the first "## note:" header`);
    else current.lines.push(parseMarkedLine(line, where));
  });
  flush();
  return docs;
}

export function buildClinicalNotes(dir: string): { train: ClinicalDoc[]; dev: ClinicalDoc[] } {
  const train: ClinicalDoc[] = [];
  const dev: ClinicalDoc[] = [];
  const files = readdirSync(join(dir, "source")).filter((f) => f.endsWith(".txt")).sort();
  for (const file of files) {
    parseSourceFile(readFileSync(join(dir, "source", file), "utf8"), file).forEach((doc, i) =>
      ((i + 1) % DEV_EVERY === 0 ? dev : train).push(doc),
    );
  }
  return { train, dev };
}

export const serialize = (docs: Doc[]) =>
  `[\n${docs.map((d) => JSON.stringify({ id: d.id, source: d.meta?.source, text: d.text, entities: d.entities })).join(",\n")}\n]\n`;

if (isMain(import.meta.url)) {
  const dir = fileURLToPath(new URL("../data/clinical-notes/", import.meta.url));
  const { train, dev } = buildClinicalNotes(dir);
  const check = process.argv.includes("--check");
  for (const [name, docs] of [["train.json", train], ["dev.json", dev]] as const) {
    const path = join(dir, name);
    if (check) {
      if (readFileSync(path, "utf8") !== serialize(docs)) {
        console.error(`${path} is out of date: run npm run data:build`);
        process.exit(1);
      }
    } else writeFileSync(path, serialize(docs));
    console.error(`${name}: ${docs.length} notes, ${docs.reduce((n, d) => n + d.entities.length, 0)} entities`);
  }
}
