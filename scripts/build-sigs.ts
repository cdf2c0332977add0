// Builds data/sigs/{test,dev}.json, the hand-annotated prescription lines (medication attributes, issue #21), from the
// marked-up sources data/sigs/source/{test,dev}.txt (markup and guidelines: data/sigs/README.md). The values are
// written by hand in the markup; this script only transcribes them and checks every span. `--check`: fail if stale.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { tokenize } from "../core/tokenizer.ts";
import { isMain } from "./is-main.ts";

const TYPE_CODES = {
  STR: "STRENGTH", DOSE: "DOSE", ROUTE: "ROUTE", FREQ: "FREQUENCY", DUR: "DURATION",
  FORM: "FORM", RATE: "RATE", PRN: "AS_NEEDED", REASON: "REASON",
} as const;
export const ATTRIBUTE_TYPES = Object.values(TYPE_CODES);
type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

// UCUM units each quantity type may carry (the spec's list, plus the per-time and per-volume units infusions and
// liquids need); a unit outside its type's list is a typo in the markup.
const UNITS: Record<"STRENGTH" | "DOSE" | "RATE" | "DURATION", readonly string[]> = {
  STRENGTH: ["mg", "ug", "g", "meq", "mmol", "%", "mg/mL", "ug/mL", "[iU]/mL", "mg/kg", "ug/kg", "ug/h", "mg/h"],
  DOSE: ["[iU]", "[iU]/kg", "mL", "L", "{tablet}", "{capsule}", "{puff}", "[drp]", "{patch}", "{spray}", "{suppository}", "{application}"],
  RATE: ["mL/h", "[iU]/h", "[iU]/min", "[iU]/kg/h", "g/h", "mg/h", "ug/h", "meq/h", "mg/min", "ug/min", "ug/kg/min", "ug/kg/h", "mg/kg/h"],
  DURATION: ["min", "h", "d", "wk", "mo"],
};
const ROUTES = ["oral", "sublingual", "buccal", "intravenous", "intramuscular", "subcutaneous", "intradermal", "topical",
  "transdermal", "inhalation", "nasal", "ophthalmic", "otic", "rectal", "vaginal", "enteral-tube", "intrathecal", "epidural"] as const;
const FORMS = ["tablet", "capsule", "extended-release", "solution", "suspension", "injection", "patch", "inhaler", "cream",
  "ointment", "gel", "drops", "spray", "suppository", "powder", "lozenge"] as const;
const WHEN = ["HS", "AC", "PC", "C", "MORN", "EVE"] as const;

const num = z.number().positive();
const quantity = (units: readonly string[]) => {
  const unit = z.string().refine((u) => units.includes(u), { message: `unit must be one of ${units.join(" ")}` });
  return z.union([z.object({ value: num, unit }).strict(), z.object({ low: num, high: num, unit }).strict().refine((q) => q.low < q.high)]);
};
const timing = z.object({
  frequency: z.number().int().positive().optional(), frequencyMax: z.number().int().positive().optional(),
  period: num.optional(), periodMax: num.optional(), periodUnit: z.enum(["min", "h", "d", "wk", "mo"]).optional(),
  when: z.array(z.enum(WHEN)).nonempty().optional(), count: z.number().int().positive().optional(),
}).strict().refine((t) => (t.frequency === undefined) === (t.period === undefined) && (t.period === undefined) === (t.periodUnit === undefined))
  .refine((t) => t.frequency !== undefined || t.when !== undefined || t.count !== undefined, { message: "empty timing" });
const span = { start: z.number().int().nonnegative(), end: z.number().int().positive() };
const attribute = <T extends AttributeType, V extends z.ZodType>(type: T, value: V) =>
  z.object({ type: z.literal(type), ...span, value }).strict();
export const sigAttributeSchema = z.discriminatedUnion("type", [
  attribute("STRENGTH", quantity(UNITS.STRENGTH)), attribute("DOSE", quantity(UNITS.DOSE)),
  attribute("RATE", quantity(UNITS.RATE)), attribute("DURATION", quantity(UNITS.DURATION)),
  attribute("FREQUENCY", timing),
  attribute("ROUTE", z.object({ name: z.enum(ROUTES) }).strict()), attribute("FORM", z.object({ name: z.enum(FORMS) }).strict()),
  attribute("AS_NEEDED", z.object({ asNeeded: z.literal(true) }).strict()),
  attribute("REASON", z.object({ condition: z.object(span).strict() }).strict().nullable()),
]);
export type SigAttribute = z.infer<typeof sigAttributeSchema>;
const entity = z.union([
  z.object({ ...span, label: z.literal("MEDICATION"), attributes: z.array(sigAttributeSchema) }).strict(),
  z.object({ ...span, label: z.literal("DISEASE") }).strict(),
]);
export const sigDocSchema = z.object({ id: z.string(), text: z.string().min(1), entities: z.array(entity).min(1) }).strict();
export type SigDoc = z.infer<typeof sigDocSchema>;

/** The hand-written value notation (README.md) → the JSON value; a shape the notation does not allow throws. */
export function parseValue(type: AttributeType, raw: string): unknown {
  const n = Number;
  switch (type) {
    case "STRENGTH": case "DOSE": case "RATE": case "DURATION": {
      const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))? (\S+)$/.exec(raw);
      if (!m) throw new Error(`quantity "${raw}" is not "N UNIT" or "N-M UNIT"`);
      return m[2] ? { low: n(m[1]), high: n(m[2]), unit: m[3] } : { value: n(m[1]), unit: m[3] };
    }
    case "FREQUENCY": {
      const m = /^(?:(\d+)(?:-(\d+))?\/(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?(min|h|d|wk|mo))?(?:@([A-Z,]+))?(?:#(\d+))?$/.exec(raw);
      if (!m || raw === "") throw new Error(`timing "${raw}" is not "F[-F]/P[-P]UNIT[@WHEN,...][#COUNT]"`);
      const t: Record<string, unknown> = {};
      if (m[1]) Object.assign(t, { frequency: n(m[1]) }, m[2] && { frequencyMax: n(m[2]) }, { period: n(m[3]) },
        m[4] && { periodMax: n(m[4]) }, { periodUnit: m[5] });
      if (m[6]) t.when = m[6].split(",");
      if (m[7]) t.count = n(m[7]);
      return t;
    }
    case "ROUTE": case "FORM": return { name: raw };
    case "AS_NEEDED":
      if (raw !== "true") throw new Error(`AS_NEEDED value is always "true", not "${raw}"`);
      return { asNeeded: true };
    case "REASON":
      if (raw !== "DIS" && raw !== "null") throw new Error(`REASON value is "DIS" (linked) or "null", not "${raw}"`);
      return raw === "DIS" ? "DIS" : null;
  }
}

interface Mark { text: string; start: number; end: number; code: string; key?: string; value?: string }
// [[surface|CODE]] [[surface|MED=k]] [[surface|CODE|value]] [[surface|CODE>k|value]]; a value may hold [iU]-style brackets.
const MARK = /\[\[([^[\]|]+)\|([A-Z]+)(?:([=>])([a-z0-9]+))?(?:\|((?:[^[\]]|\[[^[\]]*\])*))?\]\]/g;

/** One marked-up source line → its plain text and the marks, offsets relative to the line. */
function parseSigLine(line: string): { text: string; marks: Mark[] } {
  let text = "";
  let last = 0;
  const marks: Mark[] = [];
  for (const m of line.matchAll(MARK)) {
    text += line.slice(last, m.index);
    const mark: Mark = { text: m[1]!, start: text.length, end: text.length + m[1]!.length, code: m[2]! };
    if (m[3] !== undefined && (m[3] === "=") !== (mark.code === "MED"))
      throw new Error(`"${m[1]}": a medication is named with =key, an attribute points to one with >key`);
    if (m[4] !== undefined) mark.key = m[4];
    if (m[5] !== undefined) mark.value = m[5];
    marks.push(mark);
    text += m[1]!;
    last = m.index + m[0].length;
  }
  text += line.slice(last);
  if (/\[\[|\]\]/.test(text)) throw new Error("unbalanced or malformed [[...]] markup");
  return { text, marks };
}

type Entity = SigDoc["entities"][number];
type Med = Extract<Entity, { label: "MEDICATION" }>;

/** One document (one source line and its "| " continuation lines) → a checked SigDoc. */
export function buildSigDoc(id: string, lines: string[]): SigDoc {
  const meds = new Map<string, { med: Med; line: number }>();
  const medsOnLine: Array<Array<{ med: Med; line: number }>> = [];
  const pending: Array<{ mark: Mark; line: number; offset: number }> = [];
  const entities: Entity[] = [];
  let text = "";
  lines.forEach((raw, line) => {
    if (line > 0) text += "\n";
    const parsed = parseSigLine(raw);
    medsOnLine[line] = [];
    for (const mark of parsed.marks) {
      const [start, end] = [text.length + mark.start, text.length + mark.end];
      if (mark.code !== "MED") pending.push({ mark, line, offset: text.length });
      else {
        if (mark.value !== undefined) throw new Error(`medication "${mark.text}" takes no value`);
        if (mark.key !== undefined && meds.has(mark.key)) throw new Error(`two medications keyed ${mark.key}`);
        const owner = { med: { start, end, label: "MEDICATION", attributes: [] } as Med, line };
        if (mark.key !== undefined) meds.set(mark.key, owner);
        medsOnLine[line]!.push(owner);
        entities.push(owner.med);
      }
    }
    text += parsed.text;
  });
  for (const { mark, line, offset } of pending) {
    const type = TYPE_CODES[mark.code as keyof typeof TYPE_CODES];
    if (!type) throw new Error(`unknown code ${mark.code} (expected MED, ${Object.keys(TYPE_CODES).join(", ")})`);
    if (mark.value === undefined) throw new Error(`${type} "${mark.text}" has no value`);
    const onLine = medsOnLine[line]!;
    const owner = mark.key === undefined ? (onLine.length === 1 ? onLine[0] : undefined) : meds.get(mark.key);
    if (!owner) throw new Error(`${type} "${mark.text}": no medication ${mark.key ?? "(name it with >key unless the line has exactly one)"}`);
    if (owner.line !== line) throw new Error(`${type} "${mark.text}" is not on its medication's line`);
    const [start, end] = [offset + mark.start, offset + mark.end];
    let value = parseValue(type, mark.value);
    if (value === "DIS") {
      entities.push({ start, end, label: "DISEASE" });
      value = { condition: { start, end } };
    }
    owner.med.attributes.push({ type, start, end, value } as SigAttribute);
  }
  if (!entities.some((e) => e.label === "MEDICATION")) throw new Error("a document without a medication");
  for (const e of entities) if (e.label === "MEDICATION") e.attributes.sort((a, b) => a.start - b.start);
  entities.sort((a, b) => a.start - b.start || a.label.localeCompare(b.label));
  const doc = sigDocSchema.parse({ id, text, entities });
  checkSpans(doc);
  return doc;
}

/** Offsets a reader can trust: on token boundaries, within one line, no overlaps, every REASON's DISEASE present. */
function checkSpans(doc: SigDoc): void {
  const starts = new Set<number>();
  const ends = new Set<number>();
  for (const t of tokenize(doc.text)) (starts.add(t.start), ends.add(t.end));
  const spans: Array<{ start: number; end: number; what: string }> = [];
  const diseases = doc.entities.filter((e) => e.label === "DISEASE");
  const linked = new Set<Entity>();
  for (const e of doc.entities) {
    if (e.label === "DISEASE") continue;
    spans.push({ ...e, what: `medication "${doc.text.slice(e.start, e.end)}"` });
    for (const a of e.attributes) {
      spans.push({ ...a, what: `${a.type} "${doc.text.slice(a.start, a.end)}"` });
      if (a.type !== "REASON" || a.value === null) continue;
      const { start, end } = a.value.condition;
      const target = diseases.find((d) => d.start === start && d.end === end);
      if (!target || start !== a.start || end !== a.end) throw new Error(`${doc.id}: REASON at ${a.start} has no DISEASE on its span`);
      linked.add(target);
    }
  }
  if (linked.size !== diseases.length) throw new Error(`${doc.id}: a DISEASE entity no REASON links to`);
  spans.sort((a, b) => a.start - b.start);
  spans.forEach((s, i) => {
    const where = `${doc.id}: ${s.what} [${s.start}, ${s.end})`;
    if (!starts.has(s.start) || !ends.has(s.end)) throw new Error(`${where} is not on token boundaries`);
    if (doc.text.slice(s.start, s.end).includes("\n")) throw new Error(`${where} crosses a line`);
    const next = spans[i + 1];
    if (next && next.start < s.end) throw new Error(`${where} overlaps ${next.what}`);
  });
}

/** A source file → documents, numbered `${prefix}-001`... in file order. */
function parseSigSource(content: string, file: string, prefix: string): SigDoc[] {
  const groups: Array<{ at: number; lines: string[] }> = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("# ")) return;
    if (line.startsWith("| ")) {
      const last = groups.at(-1);
      if (!last) throw new Error(`${file}:${i + 1}: continuation line before any document`);
      last.lines.push(line.slice(2).trim());
    } else groups.push({ at: i + 1, lines: [line] });
  });
  return groups.map(({ at, lines }, i) => {
    try {
      return buildSigDoc(`${prefix}-${String(i + 1).padStart(3, "0")}`, lines);
    } catch (e) {
      throw new Error(`${file}:${at}: ${(e as Error).message}`);
    }
  });
}

const SPLITS = { test: "sig", dev: "sig-dev" } as const;

export function buildSigs(dir: string): Record<keyof typeof SPLITS, SigDoc[]> {
  const [test, dev] = (["test", "dev"] as const).map((split) =>
    parseSigSource(readFileSync(join(dir, "source", `${split}.txt`), "utf8"), `${split}.txt`, SPLITS[split]));
  const seen = new Map<string, string>();
  for (const doc of [...test!, ...dev!]) {
    const key = doc.text.toLowerCase().replace(/\s+/g, " ");
    if (seen.has(key)) throw new Error(`${doc.id} repeats the text of ${seen.get(key)}`);
    seen.set(key, doc.id);
  }
  return { test: test!, dev: dev! };
}

export const serializeSigs = (docs: SigDoc[]) => `[\n${docs.map((d) => JSON.stringify(d)).join(",\n")}\n]\n`;

if (isMain(import.meta.url)) {
  const dir = fileURLToPath(new URL("../data/sigs/", import.meta.url));
  const splits = buildSigs(dir);
  const check = process.argv.includes("--check");
  for (const [split, docs] of Object.entries(splits)) {
    const path = join(dir, `${split}.json`);
    if (!check) writeFileSync(path, serializeSigs(docs));
    else if (readFileSync(path, "utf8") !== serializeSigs(docs)) {
      console.error(`${path} is out of date: run npm run sigs:build`);
      process.exit(1);
    }
    const counts: Record<string, number> = {};
    for (const e of docs.flatMap((d) => d.entities)) if (e.label === "MEDICATION") for (const a of e.attributes) counts[a.type] = (counts[a.type] ?? 0) + 1;
    console.error(`${split}.json: ${docs.length} lines; ${ATTRIBUTE_TYPES.map((t) => `${t} ${counts[t] ?? 0}`).join(", ")}`);
  }
}
