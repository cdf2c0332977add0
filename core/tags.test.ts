import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeTags, encodeTags, isAllowedTransition, parseTag, tagNames, type TagScheme } from "./tags.ts";
import { transitionConstraints, viterbiDecode } from "./viterbi.ts";

describe("encodeTags / decodeTags", () => {
  const spans = [
    { label: "DISEASE", tokenStart: 0, tokenEnd: 1 },
    { label: "MEDICATION", tokenStart: 2, tokenEnd: 5 },
    { label: "MEDICATION", tokenStart: 5, tokenEnd: 6 },
  ];
  it("BIO", () => {
    const tags = encodeTags(7, spans, "BIO");
    expect(tags).toEqual(["B-DISEASE", "O", "B-MEDICATION", "I-MEDICATION", "I-MEDICATION", "B-MEDICATION", "O"]);
    expect(decodeTags(tags)).toEqual(spans);
  });
  it("BILOU", () => {
    const tags = encodeTags(7, spans, "BILOU");
    expect(tags).toEqual(["U-DISEASE", "O", "B-MEDICATION", "I-MEDICATION", "L-MEDICATION", "U-MEDICATION", "O"]);
    expect(decodeTags(tags)).toEqual(spans);
  });
  it("refuses overlapping spans", () => {
    expect(() => encodeTags(3, [spans[1]!, { label: "X", tokenStart: 3, tokenEnd: 4 }], "BIO")).toThrow(/E102/);
  });

  it.each([
    [["O", "I-X", "I-X"], [{ label: "X", tokenStart: 1, tokenEnd: 3 }]],
    [["B-Y", "I-X", "O"], [{ label: "Y", tokenStart: 0, tokenEnd: 1 }, { label: "X", tokenStart: 1, tokenEnd: 2 }]],
    [["B-X", "B-X"], [{ label: "X", tokenStart: 0, tokenEnd: 1 }, { label: "X", tokenStart: 1, tokenEnd: 2 }]],
    [["B-X", "I-X"], [{ label: "X", tokenStart: 0, tokenEnd: 2 }]],
    [["L-X", "O", "B-X"], [{ label: "X", tokenStart: 0, tokenEnd: 1 }, { label: "X", tokenStart: 2, tokenEnd: 3 }]],
    [["S-X", "B-Y", "E-Y"], [{ label: "X", tokenStart: 0, tokenEnd: 1 }, { label: "Y", tokenStart: 1, tokenEnd: 3 }]],
  ])("repairs %j by beginning a new entity at a stray I/L", (tags, expected) => {
    expect(decodeTags(tags)).toEqual(expected);
  });

  it("rejects unknown tags with a coded error", () => {
    expect(() => parseTag("X-FOO")).toThrow(/E110: invalid tag "X-FOO"/);
    expect(() => decodeTags(["B-X", "BX"])).toThrow(/E110/);
  });

  it("round-trips random non-overlapping spans in both schemes", () => {
    const spansArb = fc
      .array(fc.tuple(fc.nat(30), fc.integer({ min: 1, max: 4 }), fc.constantFrom("A", "B")), { maxLength: 8 })
      .map((xs) => {
        const out: Array<{ label: string; tokenStart: number; tokenEnd: number }> = [];
        let pos = 0;
        for (const [gap, len, label] of xs) {
          out.push({ label, tokenStart: pos + gap, tokenEnd: pos + gap + len });
          pos += gap + len;
        }
        return { out, n: pos + 2 };
      });
    fc.assert(
      fc.property(spansArb, fc.constantFrom<TagScheme>("BIO", "BILOU"), ({ out, n }, scheme) => {
        expect(decodeTags(encodeTags(n, out, scheme))).toEqual(out);
      }),
    );
  });
});

describe("constrained Viterbi", () => {
  const isValid = (tags: string[], scheme: TagScheme) =>
    tags.every((t, i) => isAllowedTransition(i === 0 ? null : tags[i - 1]!, t, scheme)) &&
    (scheme === "BIO" || !["B", "I"].includes(parseTag(tags.at(-1) ?? "O").prefix));

  it("never emits an invalid sequence, whatever the scores", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<TagScheme>("BIO", "BILOU"),
        fc.integer({ min: 1, max: 12 }),
        fc.infiniteStream(fc.double({ min: -20, max: 0, noNaN: true })),
        (scheme, T, stream) => {
          const names = tagNames(["A", "B"], scheme);
          const scores = [...stream.take(T * names.length)];
          const path = viterbiDecode(scores, T, transitionConstraints(names, scheme));
          expect(isValid([...path].map((i) => names[i]!), scheme)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("picks the argmax when it is already valid, and the best valid path when it is not", () => {
    const names = tagNames(["X"], "BIO");
    const c = transitionConstraints(names, "BIO");
    const lp = (rows: number[][]) => rows.flat().map(Math.log);
    // argmax per token: B-X, I-X, O — valid, kept.
    expect([...viterbiDecode(lp([[0.1, 0.8, 0.1], [0.1, 0.2, 0.7], [0.8, 0.1, 0.1]]), 3, c)]).toEqual([1, 2, 0]);
    // argmax per token: O, I-X — invalid; B-X I-X (0.4·0.9) beats O O (0.6·0.05) and O B-X (0.6·0.05).
    expect([...viterbiDecode(lp([[0.6, 0.4, 0.0], [0.05, 0.05, 0.9]]), 2, c)]).toEqual([1, 2]);
  });
});
