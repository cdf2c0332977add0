// Strict span-level precision, recall and F1 (the CoNLL / seqeval convention): a prediction counts only when its
// start, end and label all equal a gold span's. Per label, micro-averaged and macro-averaged.
import type { Span } from "./types.ts";

export interface LabelScore {
  precision: number;
  recall: number;
  f1: number;
  /** Gold spans of this label. */
  support: number;
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores {
  micro: LabelScore;
  macro: { precision: number; recall: number; f1: number };
  labels: Record<string, LabelScore>;
}

function score(tp: number, fp: number, fn: number): LabelScore {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, support: tp + fn, tp, fp, fn };
}

const key = (s: Span) => `${s.start}:${s.end}:${s.label}`;

/** Scores over documents; each item pairs one document's gold spans with its predicted spans. */
export function spanScores(docs: Iterable<{ gold: readonly Span[]; pred: readonly Span[] }>): Scores {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (label: string, field: "tp" | "fp" | "fn") => {
    const c = counts.get(label) ?? { tp: 0, fp: 0, fn: 0 };
    c[field]++;
    counts.set(label, c);
  };
  for (const { gold, pred } of docs) {
    // Multisets, so a duplicated prediction is one true positive and one false positive.
    const goldLeft = new Map<string, number>();
    for (const g of gold) goldLeft.set(key(g), (goldLeft.get(key(g)) ?? 0) + 1);
    for (const p of pred) {
      const left = goldLeft.get(key(p)) ?? 0;
      if (left > 0) {
        goldLeft.set(key(p), left - 1);
        bump(p.label, "tp");
      } else bump(p.label, "fp");
    }
    for (const g of gold) {
      const left = goldLeft.get(key(g)) ?? 0;
      if (left > 0) {
        goldLeft.set(key(g), left - 1);
        bump(g.label, "fn");
      }
    }
  }
  const labels: Record<string, LabelScore> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const label of [...counts.keys()].sort()) {
    const c = counts.get(label)!;
    labels[label] = score(c.tp, c.fp, c.fn);
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
  }
  const per = Object.values(labels);
  const mean = (f: (s: LabelScore) => number) => (per.length ? per.reduce((a, s) => a + f(s), 0) / per.length : 0);
  return {
    micro: score(tp, fp, fn),
    macro: { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) },
    labels,
  };
}
