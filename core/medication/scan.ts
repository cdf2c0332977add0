// Attribute candidates in one sentence: a left-to-right scan where, at each token, the longest match over the grammar's
// tables wins (ties go to the earlier table in `priority`), then adjacent timings merge ("TID AC" is one FREQUENCY) and
// reasons are read after prn / for (reasons.ts). Entities are walls: no candidate covers a token of one, except that a
// REASON is the DISEASE (or other non-drug) entity it names.
import type { SigToken } from "./phrases.ts";
import { withReasons } from "./reasons.ts";
import { fillTiming, scoreOf, type MedicationRules, type TableName } from "./rules.ts";
import type { MedAttributeType, MedAttributeValue, MedTiming } from "./types.ts";

/** An entity as the extractor sees it. */
export interface Wall {
  start: number;
  end: number;
  label: string;
}

/** A candidate over sig tokens `[from, to)`. */
export interface Candidate {
  type: MedAttributeType;
  from: number;
  to: number;
  value: MedAttributeValue;
  score: number;
}

export interface Sentence {
  toks: readonly SigToken[];
  /** The entity each token belongs to, if any (entities of the evidence labels are not walls). */
  wall: ReadonlyArray<Wall | null>;
  /** cut[k]: an entity lies in the space before token k, so no candidate holds both token k - 1 and token k. */
  cut: readonly boolean[];
  from: number;
  to: number;
}

/** Where a blocker's reach ends: the next , ; . ) */
const CLAUSE_END = new Set([",", ";", ".", ")"]);

const round = (x: number) => Math.round(x * 1e6) / 1e6;
/** What joins the two strengths of a combination product. */
const COMBINED = new Set(["-", "–", "/"]);

/** Does the sentence name a patch (or the transdermal route)? Then a mass per hour is the patch's strength. */
function namesPatch(r: MedicationRules, s: Sentence): boolean {
  for (let k = s.from; k < s.to; k++) if (r.patchWords.has(s.toks[k]!.lower)) return true;
  return false;
}

/** A number and a unit, optionally / or per further units ("mg/mL", "mcg/kg/min", "mg/5 mL"): STRENGTH, DOSE or RATE by its units. */
function quantity(r: MedicationRules, s: Sentence, i: number, to: number): Candidate | null {
  const n = r.readNumber(s.toks, i, to);
  // Two strengths of one product, "875-125 mg" or "5/325 mg": one STRENGTH span, but no value the spec can hold.
  const second = n && n.high === undefined && COMBINED.has(s.toks[n.end]?.text ?? "") ? r.readNumber(s.toks, n.end + 1, to) : null;
  const combined = !!second && second.high === undefined && !!r.units.match(s.toks, second.end, to, r.readNumber);
  const u = n && r.units.match(s.toks, combined ? second!.end : n.end, to, r.readNumber);
  const qt = r.grammar.quantityTypes;
  let type = u && qt.numerators[u.value.kind];
  if (!n || !u || !type) return null;
  let ucum = u.value.ucum;
  let end = u.end;
  let divisor = 1;
  while (end < to && (s.toks[end]!.text === "/" || s.toks[end]!.lower === "per")) {
    const count = r.readNumber(s.toks, end + 1, to);
    const at = count && count.high === undefined ? count.end : end + 1;
    const den = r.units.match(s.toks, at, to, r.readNumber);
    const denType = den && qt.denominators[den.value.kind];
    if (!den || denType === undefined) break;
    ucum += `/${den.value.ucum}`;
    if (at !== end + 1) divisor *= count!.low;
    if (denType) type = denType;
    end = den.end;
  }
  if (type === "RATE" && u.value.kind === "mass" && namesPatch(r, s)) type = "STRENGTH";
  const value = combined ? null : n.high === undefined ? { value: round(n.low / divisor), unit: ucum } : { low: round(n.low / divisor), high: round(n.high / divisor), unit: ucum };
  return { type, from: i, to: end, value, score: scoreOf(r, type) };
}

/** The candidate one table gives at token `i`, matching by `to`. */
function fromTable(table: TableName, r: MedicationRules, s: Sentence, i: number, to: number): Candidate | null {
  switch (table) {
    case "quantity":
      return quantity(r, s, i, to);
    case "duration": {
      const m = r.duration.match(s.toks, i, to, r.readNumber);
      if (!m) return null;
      const value = !m.num ? { value: 1, unit: m.value } : m.num.high === undefined ? { value: m.num.low, unit: m.value } : { low: m.num.low, high: m.num.high, unit: m.value };
      return { type: "DURATION", from: i, to: m.end, value, score: scoreOf(r, "DURATION") };
    }
    case "frequency": {
      const m = r.frequency.match(s.toks, i, to, r.readNumber);
      return m && { type: "FREQUENCY", from: i, to: m.end, value: fillTiming(m.value, m.num), score: scoreOf(r, "FREQUENCY") };
    }
    case "route": {
      const m = r.route.match(s.toks, i, to, r.readNumber);
      return m && { type: "ROUTE", from: i, to: m.end, value: m.value, score: scoreOf(r, "ROUTE") };
    }
    case "form": {
      const m = r.form.match(s.toks, i, to, r.readNumber);
      // ER, XL, SR … name a form only right after the drug ("metformin ER"); elsewhere ER is the emergency room.
      if (!m || (m.value.afterDrug && !(i > s.from && s.wall[i - 1]?.label === "MEDICATION"))) return null;
      return { type: "FORM", from: i, to: m.end, value: m.value.concept, score: scoreOf(r, "FORM") };
    }
    case "asNeeded": {
      const m = r.asNeeded.match(s.toks, i, to, r.readNumber);
      return m && { type: "AS_NEEDED", from: i, to: m.end, value: { asNeeded: true }, score: scoreOf(r, "AS_NEEDED") };
    }
  }
}

/** The best candidate at token `i` matching by `to`, or a blocker when that is longer. */
function bestAt(r: MedicationRules, s: Sentence, i: number, to: number): Candidate | { blocker: true; to: number } | null {
  let best: Candidate | null = null;
  for (const table of r.grammar.priority) {
    const c = fromTable(table, r, s, i, to);
    if (c && (!best || c.to > best.to)) best = c;
  }
  const block = r.blocker.match(s.toks, i, to, r.readNumber);
  if (block && (!best || block.end > best.to)) return { blocker: true, to: block.end };
  return best;
}

/** Two adjacent timings are one when one adds a time of day, a meal or a count to the other ("TID AC", "daily at
 * bedtime", "q4h x2"), the spec's "one span when adjacent"; two counts, or two different rhythms, stay apart. */
function mergeTimings(a: MedTiming, b: MedTiming): MedTiming | null {
  if ((a.count !== undefined && b.count !== undefined) || (!a.when && !b.when && a.count === undefined && b.count === undefined)) return null;
  for (const k of ["frequency", "frequencyMax", "period", "periodMax", "periodUnit"] as const) if (a[k] !== undefined && b[k] !== undefined && a[k] !== b[k]) return null;
  const when = [...new Set([...(a.when ?? []), ...(b.when ?? [])])];
  return { ...a, ...b, ...(when.length ? { when } : {}) };
}

/** Words that join a meal or time of day to the timing before it: "QID pc and hs". */
const TIMING_JOINERS = new Set(["and", "&"]);

/** The merged timing of `prev` and `c` when they are one FREQUENCY, else null. */
function mergeWith(s: Sentence, prev: Candidate | undefined, c: Candidate): MedTiming | null {
  if (prev?.type !== "FREQUENCY" || c.type !== "FREQUENCY" || !prev.value || !c.value) return null;
  const b = c.value as MedTiming;
  if (s.cut[c.from]) return null;
  if (prev.to === c.from) return mergeTimings(prev.value as MedTiming, b);
  // After "and", only the time of day joins: in "QID pc and hs" the hs adds HS to QID, it is not a second daily dose.
  const joined = c.from === prev.to + 1 && !s.wall[prev.to] && !s.cut[prev.to] && TIMING_JOINERS.has(s.toks[prev.to]!.lower) && b.when && b.count === undefined;
  return joined ? mergeTimings(prev.value as MedTiming, { when: b.when }) : null;
}

/** Every candidate of sentence `s`, left to right, never overlapping one another or a wall (a REASON may be its entity). */
export function scanSentence(r: MedicationRules, s: Sentence): Candidate[] {
  // nextWall[i]: the first wall token at or after i, so no match runs into an entity.
  const nextWall = new Array<number>(s.to - s.from + 1);
  nextWall[s.to - s.from] = s.to;
  for (let i = s.to - 1; i >= s.from; i--) nextWall[i - s.from] = s.wall[i] ? i : s.cut[i + 1] ? i + 1 : nextWall[i + 1 - s.from]!;
  const out: Candidate[] = [];
  let blocked = false;
  for (let i = s.from; i < s.to; ) {
    if (CLAUSE_END.has(s.toks[i]!.text)) blocked = false;
    const c = s.wall[i] ? null : bestAt(r, s, i, nextWall[i - s.from]!);
    if (!c) {
      i++;
      continue;
    }
    if ("blocker" in c) blocked = true;
    else if (!blocked) {
      const prev = out[out.length - 1];
      const merged = mergeWith(s, prev, c);
      if (merged) out[out.length - 1] = { ...prev!, to: c.to, value: merged };
      else out.push(c);
    }
    i = c.to;
  }
  return withReasons(r, s, withBareStrengths(r, s, out));
}

/** "Melatonin 5 qhs", "Lasix 40 IV": a bare number right after the drug and right before its route or frequency is
 * the drug's strength, in the unit such lines leave out. */
function withBareStrengths(r: MedicationRules, s: Sentence, found: Candidate[]): Candidate[] {
  const out = [...found];
  for (let k = 0, i = s.from + 1; i < s.to; i++) {
    if (s.wall[i - 1]?.label !== "MEDICATION" || s.wall[i] || !/^\d/.test(s.toks[i]!.text)) continue;
    while (k < found.length && found[k]!.from < i) k++;
    let end = i;
    while (end < s.to && !s.wall[end] && !(end > i && s.cut[end])) end++;
    const n = r.readNumber(s.toks, i, end);
    const next = found[k];
    if (!n || n.high !== undefined || next?.from !== n.end || (next.type !== "ROUTE" && next.type !== "FREQUENCY")) continue;
    out.push({ type: "STRENGTH", from: i, to: n.end, value: { value: n.low, unit: r.grammar.quantityTypes.impliedUnit }, score: scoreOf(r, "impliedUnit") });
  }
  return out.sort((a, b) => a.from - b.from);
}
