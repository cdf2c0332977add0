import { describe, expect, it } from "vitest";
import { attributeScores, sameValue } from "./evaluate.ts";

const med = (start: number, end: number, attributes: Array<{ type: string; start: number; end: number; value?: unknown }>) => ({ start, end, label: "MEDICATION", attributes });

describe("attribute scores", () => {
  it("count span + type + drug, by hand", () => {
    const gold = [
      med(0, 9, [{ type: "STRENGTH", start: 10, end: 16, value: { value: 500, unit: "mg" } }, { type: "FREQUENCY", start: 17, end: 20, value: { frequency: 2, period: 1, periodUnit: "d" } }]),
      med(30, 40, [{ type: "FREQUENCY", start: 41, end: 44 }]),
    ];
    const pred = [
      // right span and drug, wrong value; right frequency with the same value
      med(0, 9, [{ type: "STRENGTH", start: 10, end: 16, value: { value: 50, unit: "mg" } }, { type: "FREQUENCY", start: 17, end: 20, value: { period: 1, frequency: 2, periodUnit: "d" } }, { type: "ROUTE", start: 21, end: 23 }]),
      // the second drug's frequency is on the first drug: a false positive and a miss
      med(30, 40, []),
    ];
    pred[0]!.attributes.push({ type: "FREQUENCY", start: 41, end: 44 });
    const { attributes } = attributeScores([{ gold, pred }]);
    expect(attributes.STRENGTH).toEqual({ precision: 1, recall: 1, f1: 1, support: 1, valueAccuracy: 0 });
    // FREQUENCY: tp 1, fp 1 (on the wrong drug), fn 1 → P = R = F1 = 0.5; the one matched has a gold value and agrees.
    expect(attributes.FREQUENCY).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2, valueAccuracy: 1 });
    expect(attributes.ROUTE).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, valueAccuracy: null });
    expect(Object.keys(attributes)).toEqual(["STRENGTH", "DOSE", "ROUTE", "FREQUENCY", "DURATION", "FORM", "RATE", "AS_NEEDED", "REASON"]);
  });

  it("ignores non-medication entities and unknown attribute types", () => {
    const gold = [{ start: 0, end: 3, label: "DISEASE", attributes: [{ type: "STRENGTH", start: 4, end: 6 }] }, med(10, 12, [{ type: "COLOR", start: 13, end: 15 }])];
    const { attributes } = attributeScores([{ gold, pred: gold }]);
    expect(attributes.STRENGTH.support).toBe(0);
  });
});

describe("value agreement", () => {
  it("routes and forms by concept name; timings whatever the order of when; numbers within rounding", () => {
    expect(sameValue("ROUTE", { name: "oral" }, { name: "oral", system: "http://snomed.info/sct", code: "26643006" })).toBe(true);
    expect(sameValue("FORM", { name: "tablet" }, { name: "capsule" })).toBe(false);
    expect(sameValue("FREQUENCY", { frequency: 1, period: 1, periodUnit: "d", when: ["AC", "HS"] }, { periodUnit: "d", period: 1, frequency: 1, when: ["HS", "AC"] })).toBe(true);
    expect(sameValue("FREQUENCY", { frequency: 1, period: 4, periodUnit: "h" }, { frequency: 1, period: 4, periodMax: 6, periodUnit: "h" })).toBe(false);
    expect(sameValue("DOSE", { value: 0.3, unit: "mL" }, { value: 0.1 + 0.2, unit: "mL" })).toBe(true);
    expect(sameValue("REASON", null, null)).toBe(true);
    expect(sameValue("REASON", { condition: { start: 1, end: 4 } }, null)).toBe(false);
  });
});
