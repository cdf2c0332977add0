import { describe, expect, it } from "vitest";
import { attributesOf, PRN, qty, range, timing } from "./test-helpers.ts";
import type { MedTiming } from "./types.ts";

// Latin and clinical abbreviations and their plain-English forms → the spec's Timing.repeat values, by hand.
const FREQUENCIES: Array<[string, MedTiming]> = [
  ["daily", timing(1, 1, "d")], ["qd", timing(1, 1, "d")], ["q.d.", timing(1, 1, "d")], ["QD", timing(1, 1, "d")], ["once daily", timing(1, 1, "d")],
  ["every day", timing(1, 1, "d")],
  ["BID", timing(2, 1, "d")], ["b.i.d.", timing(2, 1, "d")], ["bid", timing(2, 1, "d")], ["twice daily", timing(2, 1, "d")], ["twice a day", timing(2, 1, "d")],
  ["TID", timing(3, 1, "d")], ["t.i.d.", timing(3, 1, "d")], ["three times a day", timing(3, 1, "d")], ["3 times daily", timing(3, 1, "d")], ["3x/day", timing(3, 1, "d")],
  ["QID", timing(4, 1, "d")], ["q.i.d.", timing(4, 1, "d")], ["four times daily", timing(4, 1, "d")],
  ["1-2 times daily", timing(1, 1, "d", { frequencyMax: 2 })],
  ["q6h", timing(1, 6, "h")], ["q 6 h", timing(1, 6, "h")], ["Q6H", timing(1, 6, "h")], ["q6hrs", timing(1, 6, "h")], ["every 8 hours", timing(1, 8, "h")],
  ["q4-6h", timing(1, 4, "h", { periodMax: 6 })], ["every 4 to 6 hours", timing(1, 4, "h", { periodMax: 6 })], ["q 4-6 hours", timing(1, 4, "h", { periodMax: 6 })],
  ["q12h", timing(1, 12, "h")], ["hourly", timing(1, 1, "h")], ["q5min", timing(1, 5, "min")], ["every 15 minutes", timing(1, 15, "min")],
  ["qhs", timing(1, 1, "d", { when: ["HS"] })], ["q.h.s.", timing(1, 1, "d", { when: ["HS"] })], ["hs", timing(1, 1, "d", { when: ["HS"] })], ["at bedtime", timing(1, 1, "d", { when: ["HS"] })],
  ["qAM", timing(1, 1, "d", { when: ["MORN"] })], ["every morning", timing(1, 1, "d", { when: ["MORN"] })], ["in the morning", timing(1, 1, "d", { when: ["MORN"] })],
  ["qPM", timing(1, 1, "d", { when: ["EVE"] })], ["every evening", timing(1, 1, "d", { when: ["EVE"] })],
  ["qod", timing(1, 2, "d")], ["QOD", timing(1, 2, "d")], ["every other day", timing(1, 2, "d")], ["q48h", timing(1, 48, "h")], ["every 3 days", timing(1, 3, "d")],
  ["weekly", timing(1, 1, "wk")], ["once a week", timing(1, 1, "wk")], ["twice weekly", timing(2, 1, "wk")], ["3 times a week", timing(3, 1, "wk")],
  ["every 2 weeks", timing(1, 2, "wk")], ["monthly", timing(1, 1, "mo")], ["every 3 months", timing(1, 3, "mo")],
  ["TID AC", timing(3, 1, "d", { when: ["AC"] })], ["ac", { when: ["AC"] }], ["pc", { when: ["PC"] }], ["a.c.", { when: ["AC"] }], ["p.c.", { when: ["PC"] }],
  ["with meals", { when: ["C"] }], ["BID with meals", timing(2, 1, "d", { when: ["C"] })], ["daily at bedtime", timing(1, 1, "d", { when: ["HS"] })],
  // Meals use the spec's codes only: any meal is AC, C or PC.
  ["before breakfast", { when: ["AC"] }], ["daily before breakfast", timing(1, 1, "d", { when: ["AC"] })], ["daily with supper", timing(1, 1, "d", { when: ["C"] })],
  ["daily with evening meal", timing(1, 1, "d", { when: ["C"] })], ["after dinner", { when: ["PC"] }], ["nightly", timing(1, 1, "d", { when: ["HS"] })],
  ["QID pc and hs", timing(4, 1, "d", { when: ["PC", "HS"] })],
  ["stat", { count: 1 }], ["STAT", { count: 1 }], ["once", { count: 1 }], ["now", { count: 1 }], ["x1", { count: 1 }], ["x 3 doses", { count: 3 }],
  // A count next to a rhythm is one span: "one span when adjacent".
  ["q4h x2", timing(1, 4, "h", { count: 2 })], ["q5 min x 3 doses", timing(1, 5, "min", { count: 3 })], ["weekly x4", timing(1, 1, "wk", { count: 4 })],
];

describe("frequency expressions", () => {
  it.each(FREQUENCIES)("%s", (words, value) => {
    expect(attributesOf(`[[drug]] 1 tab ${words}`)).toEqual([[["DOSE", "1 tab", qty(1, "{tablet}")], ["FREQUENCY", words, value]]]);
  });

  it("as-needed words", () => {
    for (const words of ["prn", "PRN", "p.r.n.", "as needed"]) expect(attributesOf(`[[drug]] ${words}`)).toEqual([[["AS_NEEDED", words, PRN]]]);
  });

  it("the sig of the issue, as one range line", () => {
    expect(attributesOf("[[Norco]] 1-2 tabs q4-6h prn")).toEqual([[["DOSE", "1-2 tabs", range(1, 2, "{tablet}")], ["FREQUENCY", "q4-6h", timing(1, 4, "h", { periodMax: 6 })], ["AS_NEEDED", "prn", PRN]]]);
  });

  it("durations next to frequencies stay their own attribute", () => {
    for (const [words, value] of [["x 7 days", qty(7, "d")], ["x7d", qty(7, "d")], ["for 2 weeks", qty(2, "wk")], ["x 2-3 days", range(2, 3, "d")], ["for one month", qty(1, "mo")], ["x 48 hours", qty(48, "h")]] as const)
      expect(attributesOf(`[[drug]] daily ${words}`)).toEqual([[["FREQUENCY", "daily", timing(1, 1, "d")], ["DURATION", words, value]]]);
  });
});
