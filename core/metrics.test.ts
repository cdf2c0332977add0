import { describe, expect, it } from "vitest";
import { spanScores } from "./metrics.ts";

const s = (start: number, end: number, label: string) => ({ start, end, label });

describe("spanScores (strict, seqeval convention)", () => {
  it("hand-computed case with partial overlaps and label confusion", () => {
    const gold = [s(0, 5, "DRUG"), s(10, 20, "DIS"), s(30, 35, "DIS"), s(40, 44, "DRUG")];
    const pred = [
      s(0, 5, "DRUG"), // exact: TP
      s(10, 18, "DIS"), // partial overlap: FP, and the gold 10–20 is a FN
      s(30, 35, "DRUG"), // label confusion: FP for DRUG, FN for DIS
      s(50, 55, "DIS"), // spurious: FP
    ];
    const r = spanScores([{ gold, pred }]);
    // DRUG: tp 1, fp 1 (30–35), fn 1 (40–44) → P 1/2, R 1/2.
    expect(r.labels.DRUG).toMatchObject({ tp: 1, fp: 1, fn: 1, support: 2, precision: 0.5, recall: 0.5, f1: 0.5 });
    // DIS: tp 0, fp 2, fn 2 → all zero.
    expect(r.labels.DIS).toMatchObject({ tp: 0, fp: 2, fn: 2, support: 2, precision: 0, recall: 0, f1: 0 });
    // micro: tp 1, fp 3, fn 3 → P = R = F1 = 0.25.
    expect(r.micro.precision).toBeCloseTo(0.25);
    expect(r.micro.recall).toBeCloseTo(0.25);
    expect(r.micro.f1).toBeCloseTo(0.25);
    expect(r.macro.f1).toBeCloseTo(0.25);
  });

  it("sums over documents and distinguishes P from R", () => {
    const r = spanScores([
      { gold: [s(0, 3, "A"), s(5, 9, "A")], pred: [s(0, 3, "A")] },
      { gold: [s(0, 3, "A")], pred: [s(0, 3, "A"), s(4, 6, "A"), s(7, 8, "B")] },
    ]);
    // A: tp 2, fp 1, fn 1 → P 2/3, R 2/3; B: tp 0, fp 1, fn 0.
    expect(r.labels.A!.precision).toBeCloseTo(2 / 3);
    expect(r.labels.B).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
    // micro: tp 2, fp 2, fn 1 → P 0.5, R 2/3, F1 = 2·0.5·(2/3)/(0.5+2/3) = 4/7.
    expect(r.micro.precision).toBeCloseTo(0.5);
    expect(r.micro.recall).toBeCloseTo(2 / 3);
    expect(r.micro.f1).toBeCloseTo(4 / 7);
  });

  it("a duplicated prediction is one TP and one FP; nothing at all scores zero", () => {
    const r = spanScores([{ gold: [s(0, 3, "A")], pred: [s(0, 3, "A"), s(0, 3, "A")] }]);
    expect(r.labels.A).toMatchObject({ tp: 1, fp: 1, fn: 0 });
    expect(spanScores([{ gold: [], pred: [] }]).micro).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });
});
