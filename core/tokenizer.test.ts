import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tokenize } from "./tokenizer.ts";

const words = (text: string) => tokenize(text).map((t) => t.text);

describe("tokenize: clinical English", () => {
  it.each([
    ["metformin 500mg PO BID", ["metformin", "500", "mg", "PO", "BID"]],
    ["take 2.5 mg b.i.d. or q.d.", ["take", "2.5", "mg", "b.i.d.", "or", "q.d."]],
    ["seen by Dr. Smith today.", ["seen", "by", "Dr.", "Smith", "today", "."]],
    ["APAP 650 mg q6h prn", ["APAP", "650", "mg", "q6h", "prn"]],
    ["insulin 5-10 units", ["insulin", "5", "-", "10", "units"]],
    ["h/o HTN/DM/HLD", ["h", "/", "o", "HTN", "/", "DM", "/", "HLD"]],
    ["non-small-cell lung cancer", ["non-small-cell", "lung", "cancer"]],
    ['pt states "my chest hurts" (x2 days)', ["pt", "states", '"', "my", "chest", "hurts", '"', "(", "x2", "days", ")"]],
    ["COVID-19, T2DM and HbA1c 7.2%", ["COVID-19", ",", "T2DM", "and", "HbA1c", "7.2", "%"]],
    ["1,000 mL on the 2nd day", ["1,000", "mL", "on", "the", "2nd", "day"]],
    ["Parkinson's disease", ["Parkinson", "'", "s", "disease"]],
    ["end of sentence. Next", ["end", "of", "sentence", ".", "Next"]],
    // At most 10 letter-dot pairs make one abbreviation (the bound keeps tokenizing linear on hostile input).
    ["a.b.c.d.e.f.g.h.i.j.k.", ["a", ".", "b.c.d.e.f.g.h.i.j.k."]],
  ])("%s", (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it("keeps offsets exact across CRLF, tabs and Unicode", () => {
    const text = "BP 120/80\r\n\tpain 😷 score 7 — 肺炎 café naïve e\u0301 👩‍⚕️ 𝔸x";
    const tokens = tokenize(text);
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.text);
    expect(words(text)).toEqual(["BP", "120", "/", "80", "pain", "😷", "score", "7", "—", "肺炎", "café", "naïve", "e\u0301", "👩‍⚕️", "𝔸x"]);
  });

  it("returns nothing for empty or blank text", () => {
    expect(tokenize("")).toEqual([]);
    expect(tokenize(" \r\n\t ")).toEqual([]);
  });
});

describe("tokenize: properties over random Unicode", () => {
  const text = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 80 }),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.string({ unit: fc.constantFrom(..."ab1.-/ \n\r\t'\"()mg,é\u0301😷\u200D"), maxLength: 60 }),
  );

  it("tokens are exact slices, in order, never overlap, and hold no whitespace", () => {
    fc.assert(
      fc.property(text, (s) => {
        let prevEnd = 0;
        for (const t of tokenize(s)) {
          expect(t.start).toBeGreaterThanOrEqual(prevEnd);
          expect(t.end).toBeGreaterThan(t.start);
          expect(s.slice(t.start, t.end)).toBe(t.text);
          expect(/\s/u.test(t.text)).toBe(false);
          prevEnd = t.end;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("every non-whitespace character belongs to a token", () => {
    fc.assert(
      fc.property(text, (s) => {
        const covered = new Uint8Array(s.length);
        for (const t of tokenize(s)) covered.fill(1, t.start, t.end);
        for (let i = 0; i < s.length; i++) if (!covered[i]) expect(/\s/u.test(s[i]!)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
