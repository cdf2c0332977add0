import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SourcedEntity } from "../types.ts";
import { codePointIndex, codePointOffsets, toHf, toSpacy } from "./index.ts";

const ent = (text: string, note: string, label: string, score = 0.9, source = "custom"): SourcedEntity => {
  const start = note.indexOf(text);
  return { text, label, start, end: start + text.length, score, source };
};

// "🫀" is one code point and two UTF-16 units: every offset after it differs by one between JS and Python.
const note = "🫀 Pt with HTN on lisinopril 10 mg; s/p CABG. Fever.";
const entities = [ent("HTN", note, "DISEASE"), ent("lisinopril", note, "MEDICATION", 0.97), ent("CABG", note, "TREATMENT", 0.8, "transformer"), ent("Fever", note, "Sign_symptom", 0.7, "transformer")];

describe("code-point offsets", () => {
  it("map UTF-16 offsets to the offsets Python slices with, for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-composite", maxLength: 40 }), fc.nat(), (text, k) => {
        // Only offsets on a code-point boundary: where an entity from medner can start or end.
        const bounds = [0, ...[...text].map((_, j) => [...text].slice(0, j + 1).join("").length)];
        const i = bounds[k % bounds.length]!;
        const cp = codePointIndex(text)[i]!;
        expect([...text].slice(0, cp).join("")).toBe(text.slice(0, i));
      }),
    );
  });

  it("refuse an offset outside the text instead of answering undefined", () => {
    const cp = codePointOffsets("ab");
    expect(cp(2)).toBe(2);
    expect(() => cp(3)).toThrow(RangeError);
    expect(() => cp(-1)).toThrow(RangeError);
    expect(() => cp(0.5)).toThrow(RangeError);
  });
});

describe("hf and spacy formats", () => {
  it("give the pipeline's shape with code-point offsets, as Python slices the note", () => {
    const hf = toHf(note, entities);
    expect(hf[0]).toEqual({ entity_group: "DISEASE", score: 0.9, word: "HTN", start: note.indexOf("HTN") - 1, end: note.indexOf("HTN") + 2 });
    const cps = [...note];
    expect(hf.map((h) => cps.slice(h.start, h.end).join(""))).toEqual(["HTN", "lisinopril", "CABG", "Fever"]);
    expect(hf.map((h) => ["entity_group" in h ? h.entity_group : null, h.word, h.score])).toEqual(entities.map((e) => [e.label, e.text, e.score]));
  });

  it("keep a word piece's B-/I- tag and index with aggregation none, as Python's entity field", () => {
    const piece = { ...ent("lisinopril", note, "MEDICATION"), tag: "B-Medication", index: 4 };
    expect(toHf(note, [piece])).toEqual([{ entity: "B-Medication", score: 0.9, index: 4, word: "lisinopril", start: note.indexOf("lisinopril") - 1, end: note.indexOf("lisinopril") + 9 }]);
  });

  it("give displaCy's manual format", () => {
    const doc = toSpacy(note, entities);
    expect(doc.title).toBeNull();
    expect(doc.text).toBe(note);
    expect(doc.ents.map((e) => [...note].slice(e.start, e.end).join(""))).toEqual(["HTN", "lisinopril", "CABG", "Fever"]);
    expect(doc.ents.map((e) => e.label)).toEqual(["DISEASE", "MEDICATION", "TREATMENT", "Sign_symptom"]);
  });

  it("leave offsets alone in a text without astral characters", () => {
    const plain = "On metformin.";
    expect(toHf(plain, [ent("metformin", plain, "MEDICATION")])[0]).toMatchObject({ start: 3, end: 12 });
    expect(toSpacy(plain, [ent("metformin", plain, "MEDICATION")]).ents).toEqual([{ start: 3, end: 12, label: "MEDICATION" }]);
  });
});
