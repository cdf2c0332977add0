// The medication grammar as data (models/medication/grammar.json and concepts.json): their schemas, and the compiled
// form the extractor runs — one phrase trie per table, the unit and number lexicons. A bad file is E602 with the place.
import { z } from "zod";
import { describeIssue, MednerError } from "../errors.ts";
import { NUM, PhraseTrie, type NumberMatch, type NumberReader, type SigToken } from "./phrases.ts";
import { EVENT_TIMING, FORM_CONCEPTS, MED_ATTRIBUTE_TYPES, PERIOD_UNITS, ROUTE_CONCEPTS, type MedAttributeType, type MedConcept, type MedTiming } from "./types.ts";

const Type = z.enum(MED_ATTRIBUTE_TYPES);
const Phrases = z.array(z.string().min(1));
const Why = z.string().optional();
const Slot = z.union([z.number().positive(), z.literal(NUM)]);
const Score = z.number().min(0).max(1);
const UNIT_KINDS = ["mass", "percent", "amount", "iu", "volume", "count", "time", "bodyweight"] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
const TABLES = ["quantity", "duration", "frequency", "route", "form", "asNeeded"] as const;
export type TableName = (typeof TABLES)[number];

const Timing = z.object({
  frequency: Slot.optional(), frequencyMax: z.number().positive().optional(), period: Slot.optional(), periodMax: z.number().positive().optional(),
  periodUnit: z.enum(PERIOD_UNITS).optional(), when: z.array(z.enum(EVENT_TIMING)).min(1).optional(), count: Slot.optional(),
}).strict();

export const MedicationGrammarSchema = z.object({
  name: z.string(),
  version: z.string(),
  notice: z.string(),
  syntax: z.string().optional(),
  scores: z.object({
    _why: Why, STRENGTH: Score, DOSE: Score, ROUTE: Score, FREQUENCY: Score, DURATION: Score, FORM: Score, RATE: Score, AS_NEEDED: Score, REASON: Score,
    /** A REASON that names no DISEASE entity. */
    reasonUnlinked: Score,
    /** A candidate read from a transformer entity the grammar could not read. */
    evidence: Score,
    /** A STRENGTH written as a bare number, its unit implied. */
    impliedUnit: Score,
  }).strict(),
  maxGap: z.int().nonnegative(),
  priority: z.array(z.enum(TABLES)).length(TABLES.length).refine((p) => new Set(p).size === p.length, "each table once"),
  numbers: z.record(z.string().min(1), z.number().positive()),
  rangeJoiners: Phrases,
  units: z.array(z.object({ kind: z.enum(UNIT_KINDS), ucum: z.string().min(1), words: Phrases.min(1) }).strict()),
  quantityTypes: z.object({
    _why: Why,
    numerators: z.partialRecord(z.enum(UNIT_KINDS), Type),
    denominators: z.partialRecord(z.enum(UNIT_KINDS), Type.nullable()),
    patchWords: Phrases,
    impliedUnit: z.string().min(1),
  }).strict(),
  frequencies: z.array(z.object({ value: Timing, phrases: Phrases.min(1) }).strict()),
  durations: z.array(z.object({ unit: z.enum(["h", "d", "wk", "mo"]), phrases: Phrases.min(1) }).strict()),
  asNeeded: Phrases.min(1),
  blockers: z.object({ _why: Why, phrases: Phrases }).strict(),
  reason: z.object({ _why: Why, triggers: Phrases, maxTokens: z.int().positive(), joiners: Phrases, modifiers: Phrases, comparators: Phrases, blockers: Phrases, stopwords: Phrases }).strict(),
  evidenceLabels: z.object({ _why: Why }).catchall(Type),
});
export type MedicationGrammarFile = z.infer<typeof MedicationGrammarSchema>;

const conceptEntry = <N extends readonly [string, ...string[]]>(names: N) =>
  z.object({
    name: z.enum(names),
    code: z.string().regex(/^\d{6,18}$/).optional(),
    display: z.string().min(1).optional(),
    checked: z.string().optional(),
    unverified: z.string().optional(),
    note: z.string().optional(),
    afterDrug: Phrases.optional(),
    phrases: Phrases.min(1),
  }).strict().refine((c) => (c.code !== undefined && c.display !== undefined && c.unverified === undefined) || (c.code === undefined && c.display === undefined && c.unverified !== undefined), "a concept has code and display, or says why it is unverified");
const everyOnce = (names: readonly string[]) => (list: ReadonlyArray<{ name: string }>) => list.length === names.length && new Set(list.map((c) => c.name)).size === names.length;

export const MedicationConceptsSchema = z.object({
  name: z.string(),
  version: z.string(),
  notice: z.string(),
  system: z.string().url(),
  verification: z.string(),
  routes: z.array(conceptEntry(ROUTE_CONCEPTS)).refine(everyOnce(ROUTE_CONCEPTS), "every route concept of the spec, once"),
  forms: z.array(conceptEntry(FORM_CONCEPTS)).refine(everyOnce(FORM_CONCEPTS), "every form concept of the spec, once"),
});
export type MedicationConceptsFile = z.infer<typeof MedicationConceptsSchema>;

export type TimingTemplate = z.infer<typeof Timing>;
export interface MedUnit {
  kind: UnitKind;
  ucum: string;
}

/** The compiled grammar: what `medicationAttributes` runs. */
export interface MedicationRules {
  grammar: MedicationGrammarFile;
  concepts: MedicationConceptsFile;
  frequency: PhraseTrie<TimingTemplate>;
  duration: PhraseTrie<string>;
  route: PhraseTrie<MedConcept>;
  form: PhraseTrie<{ concept: MedConcept; afterDrug: boolean }>;
  asNeeded: PhraseTrie<true>;
  blocker: PhraseTrie<true>;
  units: PhraseTrie<MedUnit>;
  patchWords: Set<string>;
  reason: { triggers: Set<string>; joiners: Set<string>; modifiers: Set<string>; comparators: Set<string>; blockers: Set<string>; stopwords: Set<string> };
  readNumber: NumberReader;
}

const DIGITS = /^(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)$/;

function numberReader(spelled: PhraseTrie<number>, joiners: ReadonlySet<string>): NumberReader {
  const none: NumberReader = () => null;
  const one = (toks: readonly SigToken[], i: number, to: number): NumberMatch | null => {
    const t = toks[i];
    if (!t || i >= to) return null;
    let m: NumberMatch | null = null;
    if (DIGITS.test(t.text)) {
      m = { end: i + 1, low: Number(t.text.replaceAll(",", "")) };
      // 1/2 and 3/4 written without spaces; 5/325 (two strengths) is not a fraction.
      const [slash, den] = [toks[i + 1], toks[i + 2]];
      if (slash?.text === "/" && den && i + 2 < to && slash.start === t.end && den.start === slash.end && (den.text === "2" || den.text === "4") && /^\d$/.test(t.text) && +t.text < +den.text)
        m = { end: i + 3, low: +t.text / +den.text };
    } else {
      const s = spelled.match(toks, i, to, none);
      if (s) m = { end: s.end, low: s.value };
    }
    // "two (2) tablets", "every 6 (six) hours": the same number again in parentheses.
    if (m && toks[m.end]?.text === "(" && m.end + 2 < to && toks[m.end + 2]?.text === ")") {
      const again = one(toks, m.end + 1, m.end + 2);
      if (again && again.low === m.low) m = { end: m.end + 3, low: m.low };
    }
    return m;
  };
  return (toks, i, to) => {
    const low = one(toks, i, to);
    if (!low || !toks[low.end] || !joiners.has(toks[low.end]!.lower)) return low;
    const high = one(toks, low.end + 1, to);
    return high && high.low > low.low ? { end: high.end, low: low.low, high: high.low } : low;
  };
}

function trieOf<T>(entries: ReadonlyArray<[string, T]>, where: string): PhraseTrie<T> {
  const trie = new PhraseTrie<T>();
  for (const [phrase, value] of entries) if (!trie.add(phrase, value)) throw new MednerError("E602", `${where}: "${phrase}" repeats a phrase already there`);
  return trie;
}

/** Parses and compiles both files; any problem is an E602 that names the file and the field. */
export function parseMedicationRules(grammarJson: unknown, conceptsJson: unknown, where: { grammar: string; concepts: string }): MedicationRules {
  const g = MedicationGrammarSchema.safeParse(grammarJson);
  if (!g.success) throw new MednerError("E602", describeIssue(g.error, where.grammar));
  const c = MedicationConceptsSchema.safeParse(conceptsJson);
  if (!c.success) throw new MednerError("E602", describeIssue(c.error, where.concepts));
  const grammar = g.data;
  const concepts = c.data;
  grammar.frequencies.forEach((f, k) => {
    const slotted = Object.values(f.value).includes(NUM);
    for (const p of f.phrases)
      if (slotted !== p.split(/\s+/).includes(NUM)) throw new MednerError("E602", `${where.grammar}: frequencies.${k}: "${p}" ${slotted ? "needs" : "must not have"} a ${NUM} (the value ${slotted ? "uses" : "does not use"} one)`);
  });
  const concept = (x: { name: string; code?: string; display?: string }): MedConcept => ({ name: x.name, ...(x.code ? { system: concepts.system, code: x.code, display: x.display! } : {}) });
  const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));
  return {
    grammar,
    concepts,
    frequency: trieOf(grammar.frequencies.flatMap((f) => f.phrases.map((p): [string, TimingTemplate] => [p, f.value])), `${where.grammar}: frequencies`),
    duration: trieOf(grammar.durations.flatMap((d) => d.phrases.map((p): [string, string] => [p, d.unit])), `${where.grammar}: durations`),
    route: trieOf(concepts.routes.flatMap((r) => r.phrases.map((p): [string, MedConcept] => [p, concept(r)])), `${where.concepts}: routes`),
    form: trieOf(concepts.forms.flatMap((f) => [...f.phrases.map((p) => [p, { concept: concept(f), afterDrug: false }] as [string, { concept: MedConcept; afterDrug: boolean }]), ...(f.afterDrug ?? []).map((p) => [p, { concept: concept(f), afterDrug: true }] as [string, { concept: MedConcept; afterDrug: boolean }])]), `${where.concepts}: forms`),
    asNeeded: trieOf(grammar.asNeeded.map((p): [string, true] => [p, true]), `${where.grammar}: asNeeded`),
    blocker: trieOf(grammar.blockers.phrases.map((p): [string, true] => [p, true]), `${where.grammar}: blockers`),
    units: trieOf(grammar.units.flatMap((u) => u.words.map((w): [string, MedUnit] => [w, { kind: u.kind, ucum: u.ucum }])), `${where.grammar}: units`),
    patchWords: lower(grammar.quantityTypes.patchWords),
    reason: {
      triggers: lower(grammar.reason.triggers), joiners: lower(grammar.reason.joiners), modifiers: lower(grammar.reason.modifiers), comparators: lower(grammar.reason.comparators),
      blockers: lower(grammar.reason.blockers), stopwords: lower(grammar.reason.stopwords),
    },
    readNumber: numberReader(trieOf(Object.entries(grammar.numbers), `${where.grammar}: numbers`), lower(grammar.rangeJoiners)),
  };
}

/** A timing template with its number filled in: the range's upper end goes to the field's ...Max. */
export function fillTiming(t: TimingTemplate, n: NumberMatch | null): MedTiming {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (v !== NUM) out[k] = v;
    else if (n) {
      out[k] = n.low;
      if (n.high !== undefined) out[`${k}Max`] = n.high;
    }
  }
  return out as MedTiming;
}

export type ScoreKey = MedAttributeType | "reasonUnlinked" | "evidence" | "impliedUnit";
export const scoreOf = (rules: MedicationRules, key: ScoreKey): number => rules.grammar.scores[key];
