import { describe, expect, it } from "vitest";
import { endToEndScores, traitScores } from "./evaluate.ts";

describe("trait scores", () => {
  it("count each trait of each span once, by hand", () => {
    const gold = [["negated"], ["negated", "family"], [], ["historical"]];
    const pred = [["negated"], ["family"], ["negated"], []];
    const { traits, spans } = traitScores(gold, pred);
    expect(spans).toBe(4);
    // negated: tp 1 (span 0), fn 1 (span 1), fp 1 (span 2) → P = R = F1 = 0.5, support 2.
    expect(traits.negated).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(traits.family).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(traits.historical).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(traits.uncertain).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it("refuse lists of different lengths", () => {
    expect(() => traitScores([[]], [])).toThrow(RangeError);
  });

  it("end to end, need span, label and traits all right", () => {
    const gold = [{ start: 0, end: 3, label: "DISEASE", traits: ["negated"] }, { start: 5, end: 8, label: "DISEASE" }];
    const pred = [{ start: 0, end: 3, label: "DISEASE", traits: [] }, { start: 5, end: 8, label: "DISEASE", traits: [] }];
    expect(endToEndScores([{ gold, pred }])).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
  });
});
