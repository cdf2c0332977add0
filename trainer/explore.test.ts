import { describe, expect, it } from "vitest";
import { explore } from "./explore.ts";

describe("explore", () => {
  it("counts documents, sentences, tokens and entities, and finds each kind of problem", () => {
    const r = explore({
      format: "json",
      problems: [
        { kind: "discontinuous", where: "a.ann:3", message: "a.ann:3: T3 is discontinuous; skipped" },
        { kind: "rejected", where: "a.jsonl:2", message: 'a.jsonl:2: answer "reject"; skipped' },
        { kind: "rejected", where: "a.jsonl:5", message: 'a.jsonl:5: answer "ignore"; skipped' },
      ],
      docs: [
        {
          id: "d1",
          text: "Started metformin 500mg. Denies chest pain.",
          entities: [
            { start: 8, end: 17, label: "MEDICATION" },
            { start: 32, end: 42, label: "DISEASE" },
            { start: 38, end: 42, label: "DISEASE" }, // inside "chest pain": overlap, dropped by longest-wins
            { start: 8, end: 14, label: "MEDICATION" }, // "metfor": misaligned (and overlapping, but rejected first)
            { start: 24, end: 25, label: "DISEASE" }, // a space
          ],
        },
        { id: "d2", text: "  \n ", entities: [] },
      ],
    });
    expect(r).toMatchObject({
      documents: 2,
      sentences: 2,
      tokens: 9,
      entities: { MEDICATION: 2, DISEASE: 3 },
      problems: { misaligned: 1, overlapping: 1, empty: 1, blankSpans: 1, discontinuous: 1, rejected: 2 },
    });
    expect(r.examples.discontinuous.map((e) => e.doc)).toEqual(["a.ann:3"]);
    expect(r.examples.rejected.map((e) => e.doc)).toEqual(["a.jsonl:2", "a.jsonl:5"]);
    expect(r.examples.misaligned[0]).toMatchObject({ doc: "d1", start: 8, end: 14, text: "metfor" });
    expect(r.examples.overlapping[0]).toMatchObject({ doc: "d1", start: 38, end: 42, text: "pain" });
    // metformin 1 token, metfor 1 → MEDICATION 1; chest pain 2, pain 1, the blank span 0 tokens → DISEASE 3 / 3.
    expect(r.meanEntityTokens.MEDICATION).toBe(1);
    expect(r.meanEntityTokens.DISEASE).toBe(1);
  });
});
