// Medication attributes linked to their drug (issue #21): strength, dose, route, frequency, duration, form, rate,
// as-needed and reason, found by the sig grammar on the shared tokenizer and sentence splitter, each attached to exactly
// one MEDICATION entity. Runs after any model and after the ensemble merge: it needs only the text and the entities.
//
// Linking (the spec's rule): an attribute belongs to the nearest drug on its left in the same sentence (a line break
// always ends one); one before the first drug belongs to the first drug on its right ("Take 2 tablets of ibuprofen").
// So in "lisinopril 10 mg and metoprolol 25 mg BID" the BID is metoprolol's alone, and every step of a taper stays with
// its drug. A sig is a chain: an attribute more than `maxGap` tokens past the previous link of its drug's chain is not
// that drug's (it waits for a drug on its right, or is dropped), which keeps "EF 45%" out of a nearby drug's strength.
// A REASON only ever names what a drug on its left is for.
import { touchedTokens } from "../align.ts";
import { splitSentences } from "../sentences.ts";
import { tokenize } from "../tokenizer.ts";
import { defaultMedicationRules } from "./default-rules.ts";
import { sigParts, type SigToken } from "./phrases.ts";
import { scoreOf, type MedicationRules } from "./rules.ts";
import { scanSentence, type Candidate, type Wall } from "./scan.ts";
import type { MedAttribute, MedAttributeType } from "./types.ts";

/**
 * For each entity, its attributes when it is a MEDICATION (sorted by start, possibly empty), else undefined.
 * DISEASE entities may be a REASON's condition; the transformer's Dosage, Frequency, Administration and Duration
 * entities become candidates where the grammar finds nothing (value null); every other entity is a wall no attribute
 * crosses.
 */
export function medicationAttributes(text: string, entities: ReadonlyArray<Wall>, rules: MedicationRules = defaultMedicationRules()): Array<MedAttribute[] | undefined> {
  const out = entities.map((e) => (e.label === "MEDICATION" ? ([] as MedAttribute[]) : undefined));
  if (!out.some(Boolean)) return out;
  const evidenceLabels: Record<string, unknown> = rules.grammar.evidenceLabels;
  // Own keys only: an entity labelled "constructor" is not evidence.
  const evidenceType = (label: string) => (label !== "_why" && Object.hasOwn(evidenceLabels, label) ? (evidenceLabels[label] as MedAttributeType) : undefined);
  const shared = tokenize(text);
  const toks: SigToken[] = [];
  const firstPart: number[] = [];
  for (const t of shared) {
    firstPart.push(toks.length);
    for (const p of sigParts(t)) toks.push(p);
  }
  firstPart.push(toks.length);
  const wall = new Array<Wall | null>(toks.length).fill(null);
  const cut = new Array<boolean>(toks.length + 1).fill(false);
  const ranges = entities.map((e) => touchedTokens(toks, e));
  entities.forEach((e, i) => {
    if (evidenceType(e.label)) return;
    // An entity of nothing but spaces still parts the tokens around it.
    if (ranges[i]![0] === ranges[i]![1] && e.start < e.end) cut[ranges[i]![0]] = true;
    // A token shared by a drug and another entity is the drug's, so no reason ever takes a piece of a drug.
    for (let k = ranges[i]![0]; k < ranges[i]![1]; k++) if (!wall[k] || e.label === "MEDICATION") wall[k] = e;
  });
  for (const [a, b] of splitSentences(text, shared)) {
    const from = firstPart[a]!;
    const to = firstPart[b]!;
    const inside = (i: number) => ranges[i]![0] >= from && ranges[i]![0] < to && ranges[i]![1] > ranges[i]![0];
    const meds = entities.flatMap((e, i) => (e.label === "MEDICATION" && inside(i) ? [i] : []));
    if (!meds.length) continue;
    const found = scanSentence(rules, { toks, wall, cut, from, to });
    entities.forEach((e, i) => {
      const type = evidenceType(e.label);
      const [f, g] = ranges[i]!;
      if (!type || !inside(i) || g > to || found.some((c) => c.from < g && c.to > f) || wall.slice(f, g).some(Boolean) || cut.slice(f + 1, g).some(Boolean)) return;
      found.push({ type, from: f, to: g, value: null, score: scoreOf(rules, "evidence") });
    });
    found.sort((x, y) => x.from - y.from);
    link(meds.map((i) => ({ med: i, from: ranges[i]![0], to: ranges[i]![1] })), found, rules.grammar.maxGap, (c, med) => {
      const start = toks[c.from]!.start;
      const end = toks[c.to - 1]!.end;
      out[med]!.push({ type: c.type, text: text.slice(start, end), start, end, score: c.score, value: c.value });
    });
  }
  for (const list of out) list?.sort((x, y) => x.start - y.start);
  return out;
}

/** Walks drugs and candidates left to right, attaching each candidate to one drug by the chain rule above. */
function link(meds: ReadonlyArray<{ med: number; from: number; to: number }>, found: readonly Candidate[], maxGap: number, attach: (c: Candidate, med: number) => void): void {
  type Item = { from: number; to: number; med?: number; c?: Candidate };
  const items: Item[] = [...meds, ...found.map((c): Item => ({ from: c.from, to: c.to, c }))].sort((x, y) => x.from - y.from || (x.med !== undefined ? -1 : 1));
  let current: number | null = null;
  let lastTo = 0;
  let pending: Candidate[] = [];
  for (const it of items) {
    if (it.med !== undefined) {
      if (pending.length && it.from - pending[pending.length - 1]!.to <= maxGap) for (const c of pending) attach(c, it.med);
      pending = [];
      current = it.med;
      lastTo = it.to;
      continue;
    }
    const c = it.c!;
    if (current !== null && c.from - lastTo <= maxGap) {
      attach(c, current);
      lastTo = c.to;
      continue;
    }
    current = null;
    if (c.type === "REASON") continue;
    if (pending.length && c.from - pending[pending.length - 1]!.to > maxGap) pending = [];
    pending.push(c);
  }
}

/** `entities` with `attributes` on each MEDICATION: what /ner, the CLI and the Worker answer. */
export function withAttributes<E extends Wall>(text: string, entities: readonly E[], rules: MedicationRules = defaultMedicationRules()): Array<E & { attributes?: MedAttribute[] }> {
  const found = medicationAttributes(text, entities, rules);
  return entities.map((e, i) => (found[i] ? { ...e, attributes: found[i] } : e));
}
