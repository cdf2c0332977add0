// Scores for context traits: per trait, precision / recall / F1 over spans (a span's trait is a true positive when gold
// and prediction both carry it), and end to end — an entity counts only when its span, label and traits are all right.
import type { Span } from "../types.ts";
import { TRAITS, type TraitName } from "./cues.ts";

export interface TraitScore {
  precision: number;
  recall: number;
  f1: number;
  /** Gold spans carrying the trait. */
  support: number;
}

const prf = (tp: number, fp: number, fn: number): Omit<TraitScore, "support"> => {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
};

/** Per-trait scores of `predicted[i]` against `gold[i]`, both trait lists of the same spans. */
export function traitScores(gold: ReadonlyArray<readonly string[]>, predicted: ReadonlyArray<readonly string[]>): { traits: Record<TraitName, TraitScore>; spans: number } {
  if (gold.length !== predicted.length) throw new RangeError(`traitScores: ${gold.length} gold spans, ${predicted.length} predicted`);
  const traits = {} as Record<TraitName, TraitScore>;
  for (const t of TRAITS) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const inGold = g.includes(t);
      const inPred = predicted[i]!.includes(t);
      if (inGold && inPred) tp++;
      else if (inPred) fp++;
      else if (inGold) fn++;
    });
    traits[t] = { ...prf(tp, fp, fn), support: tp + fn };
  }
  return { traits, spans: gold.length };
}

type TraitSpan = Span & { traits?: readonly string[] };
const key = (s: TraitSpan) => `${s.start}:${s.end}:${s.label}:${[...(s.traits ?? [])].sort().join(",")}`;

/** Micro precision / recall / F1 where an entity is right only with its exact span, label and set of traits. */
export function endToEndScores(docs: ReadonlyArray<{ gold: readonly TraitSpan[]; pred: readonly TraitSpan[] }>): Omit<TraitScore, "support"> & { support: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const d of docs) {
    const gold = new Set(d.gold.map(key));
    const pred = new Set(d.pred.map(key));
    for (const k of pred) (gold.has(k) ? tp++ : fp++);
    for (const k of gold) if (!pred.has(k)) fn++;
  }
  return { ...prf(tp, fp, fn), support: tp + fn };
}
