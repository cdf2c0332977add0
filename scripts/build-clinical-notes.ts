// Builds data/clinical-notes/{train,dev}.json from the marked-up sources in data/clinical-notes/source/*.txt
// (format: data/clinical-notes/source/FORMAT.md). `--check` fails if the committed JSON is out of date.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Doc, Span } from "../core/index.ts";
import { tokenize } from "../core/tokenizer.ts";
import { ATTRIBUTE_TYPES, parseValue, sigAttributeSchema, type SigAttribute } from "./build-sigs.ts";
import { isMain } from "./is-main.ts";

const LABELS: Record<string, string> = { MED: "MEDICATION", DIS: "DISEASE", TRT: "TREATMENT" };
/** Context traits an entity may carry (data/clinical-notes/TRAITS.md); none means affirmed, current, the patient's. */
export const TRAITS = ["negated", "uncertain", "historical", "hypothetical", "family"] as const;
export type Trait = (typeof TRAITS)[number];
/** A gold entity; a MEDICATION always carries its attributes (data/clinical-notes/ATTRIBUTES.md), possibly none. */
export type NoteEntity = Span & { traits?: Trait[]; attributes?: SigAttribute[] };
export interface ClinicalDoc extends Doc {
  entities: NoteEntity[];
}
// The attribute codes and value notation of data/sigs (its README), so both gold sets read and mean the same.
const ATTRIBUTE_CODES = {
  STR: "STRENGTH", DOSE: "DOSE", ROUTE: "ROUTE", FREQ: "FREQUENCY", DUR: "DURATION",
  FORM: "FORM", RATE: "RATE", PRN: "AS_NEEDED", REASON: "REASON",
} as const satisfies Record<string, (typeof ATTRIBUTE_TYPES)[number]>;
// [[surface|LABEL|traits]] with LABEL MED=key or DIS/REASON[>key]; {{surface|CODE[>key]|value}}, a value may hold {tablet}.
const MARK = /\[\[([^[\]|]+)\|([^[\]|]+)(?:\|([^[\]|]*))?\]\]|\{\{([^{}|]+)\|([A-Z]+)(?:>([a-z0-9]+))?\|((?:[^{}]|\{[^{}]*\})*)\}\}/g;
const LABEL_FIELD = /^([A-Z]+)(?:=([a-z0-9]+)|(\/REASON)(?:>([a-z0-9]+))?)?$/;
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

interface PendingAttribute { type: SigAttribute["type"]; start: number; end: number; value: unknown; key?: string }

/**
 * One marked-up line → plain text and spans relative to the line, each attribute on its medication: the one named by
 * `>key`, else the nearest medication on its left in the line, else the first on its right (the spec's rule; a key
 * overrides it where the annotator judged otherwise, as for `PO [[torsemide]]` after another drug).
 */
export function parseMarkedLine(line: string, where: string): { text: string; spans: NoteEntity[] } {
  let text = "";
  const spans: NoteEntity[] = [];
  const keyed = new Map<string, NoteEntity>();
  const pending: PendingAttribute[] = [];
  let last = 0;
  for (const m of line.matchAll(MARK)) {
    text += line.slice(last, m.index);
    const [start, end] = [text.length, text.length + (m[1] ?? m[4])!.length];
    if (m[1] !== undefined) {
      const field = LABEL_FIELD.exec(m[2]!);
      const label = field && LABELS[field[1]!];
      if (!label) throw new Error(`${where}: unknown label ${m[2]} (expected MED, DIS or TRT, MED=key, DIS/REASON[>key])`);
      if ((field[2] !== undefined && label !== "MEDICATION") || (field[3] !== undefined && label !== "DISEASE"))
        throw new Error(`${where}: ${m[2]}: only a MED takes =key, only a DIS can be a /REASON`);
      const span: NoteEntity = { start, end, label };
      if (m[3] !== undefined) span.traits = parseTraits(m[3], where);
      if (label === "MEDICATION") span.attributes = [];
      if (field[2] !== undefined) {
        if (keyed.has(field[2])) throw new Error(`${where}: two medications keyed ${field[2]}`);
        keyed.set(field[2], span);
      }
      if (field[3] !== undefined) pending.push({ type: "REASON", start, end, value: { condition: { start, end } }, key: field[4] });
      spans.push(span);
    } else {
      const type = ATTRIBUTE_CODES[m[5] as keyof typeof ATTRIBUTE_CODES];
      if (!type) throw new Error(`${where}: unknown attribute code ${m[5]} (expected ${Object.keys(ATTRIBUTE_CODES).join(", ")})`);
      let value: unknown;
      try {
        value = parseValue(type, m[7]!);
      } catch (e) {
        throw new Error(`${where}: ${type} "${m[4]}": ${(e as Error).message}`);
      }
      if (value === "DIS") throw new Error(`${where}: REASON "${m[4]}": a condition that is a DISEASE entity is marked [[${m[4]}|DIS/REASON]]`);
      pending.push({ type, start, end, value, key: m[6] });
    }
    text += (m[1] ?? m[4])!;
    last = m.index + m[0].length;
  }
  text += line.slice(last);
  if (/\[\[|\]\]|\{\{|\}\}/.test(text)) throw new Error(`${where}: unbalanced or malformed [[...]] or {{...}} markup`);
  attachAttributes(text, spans, keyed, pending, where);
  return { text, spans };
}

/**
 * Puts each pending attribute on its medication, validating its value's shape and its span against the line's tokens.
 * Overlaps need no check: inline marks cannot nest, and a linked REASON is its DISEASE entity's own span.
 */
function attachAttributes(text: string, spans: NoteEntity[], keyed: Map<string, NoteEntity>, pending: PendingAttribute[], where: string): void {
  const meds = spans.filter((s) => s.label === "MEDICATION");
  const tokens = tokenize(text);
  for (const p of pending) {
    const what = `${p.type} "${text.slice(p.start, p.end)}"`;
    const owner = p.key !== undefined ? keyed.get(p.key) : (meds.findLast((s) => s.end <= p.start) ?? meds.find((s) => s.start >= p.end));
    if (!owner) throw new Error(`${where}: ${what} has no medication ${p.key !== undefined ? `keyed ${p.key}` : "on its line"}`);
    const parsed = sigAttributeSchema.safeParse({ type: p.type, start: p.start, end: p.end, value: p.value });
    if (!parsed.success) throw new Error(`${where}: ${what}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    if (!tokens.some((t) => t.start === p.start) || !tokens.some((t) => t.end === p.end))
      throw new Error(`${where}: ${what} does not start and end on token boundaries`);
    owner.attributes!.push(parsed.data);
  }
  for (const m of meds) m.attributes!.sort((a, b) => a.start - b.start);
}

/** An entity moved by `by` characters, its attributes (and a REASON's linked condition) with it. */
function shifted(e: NoteEntity, by: number): NoteEntity {
  const move = <T extends { start: number; end: number }>(s: T): T => ({ ...s, start: s.start + by, end: s.end + by });
  const attributes = e.attributes?.map((a) => (a.type === "REASON" && a.value ? { ...move(a), value: { condition: move(a.value.condition) } } : move(a)));
  return attributes ? { ...move(e), attributes } : move(e);
}

/** Notes of one source file, in file order. */
export function parseSourceFile(content: string, file: string): ClinicalDoc[] {
  const docs: ClinicalDoc[] = [];
  let current: { id: string; source: string; lines: Array<{ text: string; spans: NoteEntity[] }> } | null = null;
  const flush = () => {
    if (!current) return;
    if (current.lines.length === 0) throw new Error(`${file}: note ${current.id} has no lines`);
    let text = "";
    const entities: NoteEntity[] = [];
    for (const l of current.lines) {
      if (text) text += "\n";
      for (const s of l.spans) entities.push(shifted(s, text.length));
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
    const counts = new Map<string, number>(ATTRIBUTE_TYPES.map((t) => [t, 0]));
    for (const a of docs.flatMap((d) => d.entities.flatMap((e) => e.attributes ?? []))) counts.set(a.type, counts.get(a.type)! + 1);
    const attributes = [...counts].map(([t, n]) => `${t} ${n}`).join(", ");
    console.error(`${name}: ${docs.length} notes, ${docs.reduce((n, d) => n + d.entities.length, 0)} entities; attributes: ${attributes}`);
  }
}
