import { describe, expect, it } from "vitest";
import { alignSpansToTokens, resolveOverlaps } from "./align.ts";
import { tokenize } from "./tokenizer.ts";

const text = "Started metformin 500mg for type 2 diabetes.";
const tokens = tokenize(text);
const at = (s: string, label: string, from = 0) => {
  const start = text.indexOf(s, from);
  return { start, end: start + s.length, label };
};

describe("alignSpansToTokens", () => {
  it("strict keeps spans on token boundaries and snaps nothing", () => {
    const r = alignSpansToTokens(text, tokens, [at("metformin", "MEDICATION"), at("type 2 diabetes", "DISEASE")]);
    expect(r.problems).toEqual([]);
    expect(r.spans.map((s) => [text.slice(s.start, s.end), s.tokenStart, s.tokenEnd])).toEqual([
      ["metformin", 1, 2],
      ["type 2 diabetes", 5, 8],
    ]);
  });

  it("strict rejects a span that cuts a token, and reports it with doc and offsets", () => {
    const bad = at("metform", "MEDICATION");
    const r = alignSpansToTokens(text, tokens, [bad], { mode: "strict", docId: "doc-7" });
    expect(r.spans).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ kind: "misaligned", docId: "doc-7", span: bad });
    expect(r.problems[0]!.message).toContain("8–15");
  });

  it("contract keeps only whole tokens inside the span; expand takes every token touched", () => {
    const span = { start: text.indexOf("formin 500"), end: text.indexOf("mg") + 1, label: "X" };
    const contracted = alignSpansToTokens(text, tokens, [span], { mode: "contract" });
    expect(contracted.spans.map((s) => text.slice(s.start, s.end))).toEqual(["500"]);
    const expanded = alignSpansToTokens(text, tokens, [span], { mode: "expand" });
    expect(expanded.spans.map((s) => text.slice(s.start, s.end))).toEqual(["metformin 500mg"]);
  });

  it("contract drops a span inside one token and says so", () => {
    const r = alignSpansToTokens(text, tokens, [at("tfor", "X")], { mode: "contract" });
    expect(r.spans).toEqual([]);
    expect(r.problems[0]!.kind).toBe("misaligned");
  });

  it("reports whitespace-only and out-of-range spans", () => {
    const r = alignSpansToTokens(text, tokens, [
      { start: 7, end: 8, label: "X" },
      { start: 40, end: 99, label: "X" },
    ]);
    expect(r.problems.map((p) => p.kind)).toEqual(["empty", "out-of-range"]);
  });

  it("overlaps: longest wins by default and the dropped span is reported", () => {
    const long = at("type 2 diabetes", "DISEASE");
    const short = at("diabetes", "DISEASE");
    const r = alignSpansToTokens(text, tokens, [short, long], { docId: "d1" });
    expect(r.spans.map((s) => text.slice(s.start, s.end))).toEqual(["type 2 diabetes"]);
    expect(r.problems).toEqual([expect.objectContaining({ kind: "overlap", docId: "d1", span: short, keptInstead: long })]);
  });

  it("overlaps: 'error' rejects whole chains (A–B–C drops all three)", () => {
    const spans = [
      { start: 0, end: 5, label: "A" },
      { start: 4, end: 9, label: "B" },
      { start: 8, end: 12, label: "C" },
      { start: 20, end: 22, label: "D" },
    ];
    const { kept, dropped } = resolveOverlaps(spans, "error");
    expect(kept.map((s) => s.label)).toEqual(["D"]);
    expect(dropped.map((d) => d.span.label).sort()).toEqual(["A", "B", "C"]);
  });

  it("overlaps: 'first' keeps the earlier span, 'error' keeps neither", () => {
    const a = at("metformin 500mg", "MEDICATION");
    const b = at("500mg for type", "X");
    expect(alignSpansToTokens(text, tokens, [b, a], { overlap: "first" }).spans.map((s) => s.label)).toEqual(["MEDICATION"]);
    const r = alignSpansToTokens(text, tokens, [a, b], { overlap: "error" });
    expect(r.spans).toEqual([]);
    expect(r.problems).toHaveLength(2);
  });
});

describe("resolveOverlaps", () => {
  it("keeps disjoint spans, breaks length ties by position, returns kept in order", () => {
    const spans = [
      { start: 10, end: 14, label: "A" },
      { start: 0, end: 4, label: "B" },
      { start: 3, end: 7, label: "C" },
      { start: 20, end: 22, label: "D" },
    ];
    const { kept, dropped } = resolveOverlaps(spans, "longest");
    expect(kept.map((s) => s.label)).toEqual(["B", "A", "D"]);
    expect(dropped.map((d) => [d.span.label, d.keptInstead?.label])).toEqual([["C", "B"]]);
  });
});
