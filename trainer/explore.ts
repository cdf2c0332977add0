// Corpus statistics and annotation problems: what `medner explore` reports before anyone trains on the data.
import { alignSpan, alignSpansToTokens, splitSentences, tokenize, type AlignProblem, type Doc } from "../core/index.ts";
import type { Corpus } from "./corpus/index.ts";

export interface ExploreExample {
  doc: string;
  start: number;
  end: number;
  label: string;
  text: string;
  message: string;
}

export interface ExploreReport {
  format: string;
  documents: number;
  sentences: number;
  tokens: number;
  entities: Record<string, number>;
  /** Entities carrying each context trait (only traits that occur); absent when the corpus annotates none. */
  traits?: Record<string, number>;
  /** Medication attributes per type; absent when the corpus annotates none. */
  attributes?: Record<string, number>;
  /** Mean entity length in tokens, per label and over all entities. */
  meanEntityTokens: Record<string, number>;
  problems: {
    /** Spans whose edges fall inside a token (strict alignment rejects them). */
    misaligned: number;
    /** Spans that would be dropped because they overlap a longer one (the default policy). */
    overlapping: number;
    /** Documents with no non-whitespace text. */
    empty: number;
    /** Spans covering only whitespace. */
    blankSpans: number;
    /** BRAT discontinuous spans, skipped by the reader. */
    discontinuous: number;
    /** Records their annotator rejected or ignored (Prodigy's "answer"), skipped by the reader. */
    rejected: number;
  };
  examples: Record<"misaligned" | "overlapping" | "empty" | "blankSpans" | "discontinuous" | "rejected", ExploreExample[]>;
}

const MAX_EXAMPLES = 5;

export function explore(corpus: Corpus): ExploreReport {
  const r: ExploreReport = {
    format: corpus.format,
    documents: corpus.docs.length,
    sentences: 0,
    tokens: 0,
    entities: {},
    meanEntityTokens: {},
    problems: { misaligned: 0, overlapping: 0, empty: 0, blankSpans: 0, discontinuous: 0, rejected: 0 },
    examples: { misaligned: [], overlapping: [], empty: [], blankSpans: [], discontinuous: [], rejected: [] },
  };
  const lengths: Record<string, number> = {};
  const add = (kind: keyof ExploreReport["examples"], doc: Doc, p: Pick<AlignProblem, "span" | "message">) => {
    if (r.examples[kind].length < MAX_EXAMPLES)
      r.examples[kind].push({ doc: doc.id, ...p.span, text: doc.text.slice(p.span.start, p.span.end), message: p.message });
  };
  for (const p of corpus.problems) {
    r.problems[p.kind]++;
    if (r.examples[p.kind].length < MAX_EXAMPLES) r.examples[p.kind].push({ doc: p.where, start: -1, end: -1, label: "", text: "", message: p.message });
  }

  for (const doc of corpus.docs) {
    const tokens = tokenize(doc.text);
    r.tokens += tokens.length;
    r.sentences += doc.sentences?.length ?? splitSentences(doc.text, tokens).length;
    if (tokens.length === 0) {
      r.problems.empty++;
      if (r.examples.empty.length < MAX_EXAMPLES)
        r.examples.empty.push({ doc: doc.id, start: 0, end: doc.text.length, label: "", text: doc.text, message: `doc ${doc.id} has no text` });
    }
    for (const e of doc.entities) {
      r.entities[e.label] = (r.entities[e.label] ?? 0) + 1;
      for (const t of e.traits ?? []) (r.traits ??= {})[t] = (r.traits[t] ?? 0) + 1;
      for (const a of e.attributes ?? []) (r.attributes ??= {})[a.type] = (r.attributes[a.type] ?? 0) + 1;
      const a = alignSpan(tokens, e, "expand");
      if (a) lengths[e.label] = (lengths[e.label] ?? 0) + a.tokenEnd - a.tokenStart;
    }
    const { problems } = alignSpansToTokens(doc.text, tokens, doc.entities, { mode: "strict", overlap: "longest", docId: doc.id });
    for (const p of problems) {
      const kind = p.kind === "overlap" ? "overlapping" : p.kind === "empty" ? "blankSpans" : "misaligned";
      r.problems[kind]++;
      add(kind, doc, p);
    }
  }
  let total = 0;
  let count = 0;
  for (const [label, n] of Object.entries(r.entities)) {
    r.meanEntityTokens[label] = (lengths[label] ?? 0) / n;
    total += lengths[label] ?? 0;
    count += n;
  }
  r.meanEntityTokens["(all)"] = count ? total / count : 0;
  return r;
}

export function formatExploreReport(r: ExploreReport, path: string): string {
  const lines = [
    `${path} (${r.format})`,
    `  documents ${r.documents}   sentences ${r.sentences}   tokens ${r.tokens}`,
    "",
    "  label                 entities   mean tokens",
    ...Object.keys(r.entities)
      .sort()
      .map((l) => `  ${l.padEnd(20)} ${String(r.entities[l]).padStart(9)}   ${r.meanEntityTokens[l]!.toFixed(2).padStart(11)}`),
    `  ${"(all)".padEnd(20)} ${String(Object.values(r.entities).reduce((a, b) => a + b, 0)).padStart(9)}   ${r.meanEntityTokens["(all)"]!.toFixed(2).padStart(11)}`,
    ...(r.traits ? ["", "  traits: " + Object.entries(r.traits).map(([t, n]) => `${t} ${n}`).join(", ")] : []),
    ...(r.attributes ? ["", "  medication attributes: " + Object.entries(r.attributes).map(([t, n]) => `${t} ${n}`).join(", ")] : []),
    "",
    "  problems: " + Object.entries(r.problems).map(([k, v]) => `${k} ${v}`).join(", "),
  ];
  for (const [kind, examples] of Object.entries(r.examples))
    for (const e of examples) lines.push(`    ${kind}: ${e.message}${e.text ? ` ${JSON.stringify(e.text)}` : ""}`);
  return lines.join("\n");
}
