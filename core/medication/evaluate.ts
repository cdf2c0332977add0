// Scores for medication attributes, for `medner evaluate-attributes`: per type, precision / recall / F1 where an
// attribute is right only with its exact span and type on the right drug, and value accuracy — the share of those
// right attributes whose normalized value equals gold's (routes and forms by concept name).
import { MED_ATTRIBUTE_TYPES, type MedAttributeType } from "./types.ts";

export interface AttributeScore {
  precision: number;
  recall: number;
  f1: number;
  /** Gold attributes of the type. */
  support: number;
  /** Of the matched attributes whose gold carries a value, the share whose value agrees; null when there are none. */
  valueAccuracy: number | null;
}

/** An attribute as gold data (seed-style JSON: value optional) or the extractor gives it. */
export interface ScoredAttribute {
  type: string;
  start: number;
  end: number;
  value?: unknown;
}

/** A drug and its attributes; the drug's span is what ties gold and predicted attributes to the same medication. */
export interface AttributedSpan {
  start: number;
  end: number;
  label?: string;
  attributes?: readonly ScoredAttribute[];
}

/** Deep equality for JSON values where the order of a `when` list does not matter and absent equals undefined. */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  if (Array.isArray(a) && Array.isArray(b)) {
    const [x, y] = [a.map((v) => JSON.stringify(v)).sort(), b.map((v) => JSON.stringify(v)).sort()];
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Does a predicted value agree with gold's? Routes and forms compare the concept name only (codes are ours). */
export function sameValue(type: string, gold: unknown, pred: unknown): boolean {
  if (type === "ROUTE" || type === "FORM") return (gold as { name?: unknown } | null)?.name === (pred as { name?: unknown } | null)?.name;
  return sameJson(gold ?? null, pred ?? null);
}

const prf = (tp: number, fp: number, fn: number) => {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
};

/**
 * Per-type scores over documents whose predicted medications sit on the gold spans. Entities with a label other than
 * MEDICATION are ignored; a predicted attribute on a drug gold does not have counts as a false positive.
 */
export function attributeScores(docs: ReadonlyArray<{ gold: readonly AttributedSpan[]; pred: readonly AttributedSpan[] }>): { attributes: Record<MedAttributeType, AttributeScore> } {
  const counts = Object.fromEntries(MED_ATTRIBUTE_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0, valued: 0, agree: 0 }])) as Record<MedAttributeType, { tp: number; fp: number; fn: number; valued: number; agree: number }>;
  const isMed = (s: AttributedSpan) => s.label === undefined || s.label === "MEDICATION";
  const keyed = (spans: readonly AttributedSpan[]) => {
    const out = new Map<string, ScoredAttribute>();
    for (const s of spans.filter(isMed)) for (const a of s.attributes ?? []) out.set(`${s.start}:${s.end}|${a.type}:${a.start}:${a.end}`, a);
    return out;
  };
  const count = (type: string) => (Object.hasOwn(counts, type) ? counts[type as MedAttributeType] : null);
  for (const d of docs) {
    const gold = keyed(d.gold);
    const pred = keyed(d.pred);
    for (const [k, p] of pred) {
      const c = count(p.type);
      const g = gold.get(k);
      if (!c) continue;
      if (!g) {
        c.fp++;
        continue;
      }
      c.tp++;
      if (g.value !== undefined) {
        c.valued++;
        if (sameValue(p.type, g.value, p.value)) c.agree++;
      }
    }
    for (const [k, g] of gold) {
      const c = count(g.type);
      if (c && !pred.has(k)) c.fn++;
    }
  }
  const attributes = {} as Record<MedAttributeType, AttributeScore>;
  for (const t of MED_ATTRIBUTE_TYPES) {
    const c = counts[t];
    attributes[t] = { ...prf(c.tp, c.fp, c.fn), support: c.tp + c.fn, valueAccuracy: c.valued ? c.agree / c.valued : null };
  }
  return { attributes };
}
