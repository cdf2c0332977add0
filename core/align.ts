// Character spans → token ranges, with spaCy's alignment modes for spans off token boundaries, and a policy for
// overlapping spans. Nothing is dropped silently: every rejected span comes back as a problem with its offsets.
import type { Span, Token } from "./types.ts";

/** strict: reject spans off token boundaries; contract: keep the tokens wholly inside; expand: take every token touched. */
export type AlignMode = "strict" | "contract" | "expand";
/** longest: the longer span wins (ties: the earlier); first: the earlier span wins; error: report and keep neither. */
export type OverlapPolicy = "longest" | "first" | "error";

export interface AlignedSpan extends Span {
  /** Token range `[tokenStart, tokenEnd)`; `start`/`end` are snapped to those tokens' characters. */
  tokenStart: number;
  tokenEnd: number;
}

export type ProblemKind = "misaligned" | "empty" | "out-of-range" | "overlap";

export interface AlignProblem {
  kind: ProblemKind;
  docId: string;
  span: Span;
  /** For overlaps: the span that was kept instead. */
  keptInstead?: Span;
  message: string;
}

export interface AlignOptions {
  mode?: AlignMode;
  overlap?: OverlapPolicy;
  docId?: string;
}

/** Index of the first token whose end is after `offset` (binary search; tokens are in order). */
function firstTokenEndingAfter(tokens: ReadonlyArray<Pick<Token, "end">>, offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]!.end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Tokens `[from, to)` that a character range touches (from === to when it touches none). */
export function touchedTokens(tokens: ReadonlyArray<Pick<Token, "start" | "end">>, range: { start: number; end: number }): [number, number] {
  const from = firstTokenEndingAfter(tokens, range.start);
  let to = from;
  while (to < tokens.length && tokens[to]!.start < range.end) to++;
  return [from, to];
}

/** The token range of one span under `mode`, or null when the mode rejects it. */
export function alignSpan(tokens: Token[], span: Span, mode: AlignMode): AlignedSpan | null {
  let [from, to] = touchedTokens(tokens, span);
  if (from === to) return null;
  if (mode === "strict") {
    if (tokens[from]!.start !== span.start || tokens[to - 1]!.end !== span.end) return null;
  } else if (mode === "contract") {
    if (tokens[from]!.start < span.start) from++;
    if (to > from && tokens[to - 1]!.end > span.end) to--;
    if (from >= to) return null;
  }
  return { label: span.label, start: tokens[from]!.start, end: tokens[to - 1]!.end, tokenStart: from, tokenEnd: to };
}

const fmt = (s: Span) => `${s.label} ${s.start}–${s.end}`;

/** Keep a non-overlapping subset of `spans` under `policy`; `range` picks the coordinates compared. */
export function resolveOverlaps<T extends Span>(
  spans: T[],
  policy: OverlapPolicy,
  range: (s: T) => [number, number] = (s) => [s.start, s.end],
): { kept: T[]; dropped: Array<{ span: T; keptInstead: T | null }> } {
  const order = spans.map((s, i) => ({ s, i, r: range(s) }));
  if (policy === "longest") order.sort((a, b) => b.r[1] - b.r[0] - (a.r[1] - a.r[0]) || a.r[0] - b.r[0] || a.i - b.i);
  else order.sort((a, b) => a.r[0] - b.r[0] || a.i - b.i);
  const kept: typeof order = [];
  const dropped: Array<{ span: T; keptInstead: T | null }> = [];
  const clash = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];
  for (const cand of order) {
    const winner = kept.find((k) => clash(k.r, cand.r));
    if (winner) dropped.push({ span: cand.s, keptInstead: winner.s });
    else kept.push(cand);
  }
  if (policy === "error") {
    // Under "error" every span that clashes with any other span is rejected, chains included (A–B–C drops all three).
    const clashing = new Set(order.filter((a) => order.some((b) => a !== b && clash(a.r, b.r))).map((x) => x.s));
    return {
      kept: order.filter((x) => !clashing.has(x.s)).sort((a, b) => a.r[0] - b.r[0]).map((x) => x.s),
      dropped: order.filter((x) => clashing.has(x.s)).map((x) => ({ span: x.s, keptInstead: null })),
    };
  }
  return { kept: kept.sort((a, b) => a.r[0] - b.r[0]).map((k) => k.s), dropped };
}

/** Align every span of a document, then resolve overlaps in token space. Returns spans sorted by position. */
export function alignSpansToTokens(
  text: string,
  tokens: Token[],
  spans: Span[],
  options: AlignOptions = {},
): { spans: AlignedSpan[]; problems: AlignProblem[] } {
  const { mode = "strict", overlap = "longest", docId = "" } = options;
  const problems: AlignProblem[] = [];
  const aligned: AlignedSpan[] = [];
  const original = new Map<AlignedSpan, Span>();
  for (const span of spans) {
    if (!(span.start >= 0 && span.end <= text.length && span.start < span.end)) {
      problems.push({ kind: "out-of-range", docId, span, message: `span ${fmt(span)} lies outside the text (length ${text.length}) in doc ${docId}` });
      continue;
    }
    const a = alignSpan(tokens, span, mode);
    if (a) {
      aligned.push(a);
      original.set(a, span);
    } else if (!/\S/u.test(text.slice(span.start, span.end)))
      problems.push({ kind: "empty", docId, span, message: `span ${fmt(span)} covers only whitespace in doc ${docId}` });
    else
      problems.push({ kind: "misaligned", docId, span, message: `span ${fmt(span)} does not align with token boundaries (mode ${mode}) in doc ${docId}` });
  }
  const { kept, dropped } = resolveOverlaps(aligned, overlap, (s) => [s.tokenStart, s.tokenEnd]);
  for (const d of dropped) {
    const span = original.get(d.span)!;
    const other = d.keptInstead ? original.get(d.keptInstead)! : null;
    problems.push({
      kind: "overlap",
      docId,
      span,
      ...(other ? { keptInstead: other } : {}),
      message: `span ${fmt(span)} overlaps ${other ? fmt(other) : "another span"} in doc ${docId}; dropped (policy ${overlap})`,
    });
  }
  return { spans: kept, problems };
}
