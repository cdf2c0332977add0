import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { medicationAttributes } from "./attributes.ts";
import type { Wall } from "./scan.ts";

const LABELS = ["MEDICATION", "DISEASE", "TREATMENT", "Frequency", "Dosage", "Administration", "Duration", "Sign_symptom"];

/** Random entities over a text: any offsets inside it, overlapping or not. */
const entitiesOver = (text: string) =>
  fc.array(fc.tuple(fc.nat(text.length), fc.nat(text.length), fc.constantFrom(...LABELS)), { maxLength: 8 }).map((xs) => xs.map(([a, b, label]): Wall => ({ start: Math.min(a, b), end: Math.max(a, b), label })));

const SIG_WORDS = [
  "metformin", "lisinopril", "pain", "T2DM", "500", "mg", "10", "units/hr", "1-2", "tabs", "q4-6h", "x", "7", "days", "prn", "for", "PO", "BID",
  "TID", "AC", "then", "and", "ER", "0.5%", "(", ")", "two", "(2)", "max", "hold", ",", ".", "\n", "mL/h", "at", "x7d", "qhs", "OU", "/", "q", "6", "h",
];

/** Sig-like text from the grammar's words, with every drug word a MEDICATION and every pain / T2DM a DISEASE. */
const sigNote = fc.array(fc.constantFrom(...SIG_WORDS), { maxLength: 40 }).chain((words) =>
  fc.array(fc.constantFrom(" ", ""), { minLength: words.length, maxLength: words.length }).map((gaps) => {
    let text = "";
    const entities: Wall[] = [];
    words.forEach((w, i) => {
      text += gaps[i];
      if (["metformin", "lisinopril", "pain", "T2DM"].includes(w)) entities.push({ start: text.length, end: text.length + w.length, label: /^[a-z]+in$/.test(w) ? "MEDICATION" : "DISEASE" });
      text += w;
    });
    return { text, entities };
  }),
);

/** The invariants of the spec: exact offsets, no overlap with one another or with any drug, REASON links only to DISEASE. */
function checkInvariants(text: string, entities: readonly Wall[]) {
  const found = medicationAttributes(text, entities);
  expect(found).toHaveLength(entities.length);
  const all = found.flatMap((list, i) => (list ?? []).map((a) => ({ ...a, owner: i })));
  for (const [i, list] of found.entries()) expect(list === undefined).toBe(entities[i]!.label !== "MEDICATION");
  for (const a of all) {
    expect(a.start).toBeGreaterThanOrEqual(0);
    expect(a.end).toBeLessThanOrEqual(text.length);
    expect(a.start).toBeLessThan(a.end);
    expect(text.slice(a.start, a.end)).toBe(a.text);
    expect(a.score).toBeGreaterThan(0);
    expect(a.score).toBeLessThanOrEqual(1);
    for (const e of entities) if (e.label === "MEDICATION" && e.start < e.end) expect(a.start < e.end && a.end > e.start).toBe(false);
    if (a.type === "REASON" && a.value) {
      const c = (a.value as { condition: { start: number; end: number } }).condition;
      expect(entities.some((e) => e.label === "DISEASE" && e.start === c.start && e.end === c.end)).toBe(true);
    }
  }
  const sorted = [...all].sort((x, y) => x.start - y.start);
  for (let k = 1; k < sorted.length; k++) expect(sorted[k]!.start).toBeGreaterThanOrEqual(sorted[k - 1]!.end);
}

describe("medication attributes, properties", () => {
  it("never throw on random text and random entities, and keep the invariants", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }).chain((text) => fc.tuple(fc.constant(text), entitiesOver(text))), ([text, entities]) => checkInvariants(text, entities)), { numRuns: 1000 });
  });

  it("keep the invariants on sig-like text, where the grammar fires", () => {
    fc.assert(fc.property(sigNote, ({ text, entities }) => checkInvariants(text, entities)), { numRuns: 1500 });
  });

  it("sig-like text with random extra entities (evidence labels included) keeps them too", () => {
    fc.assert(fc.property(sigNote.chain((n) => entitiesOver(n.text).map((extra) => ({ ...n, entities: [...n.entities, ...extra] }))), ({ text, entities }) => checkInvariants(text, entities)), { numRuns: 1000 });
  });
});
