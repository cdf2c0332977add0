// The "ensemble" model: the custom tagger and the biomedical transformer run on the same note and their entities are
// merged on the canonical labels (MEDICATION, DISEASE, TREATMENT) by one rule, documented in the README:
//   1. Both models found the same span with the same canonical label: one entity, the higher score, and a source
//      naming both ("custom+transformer").
//   2. Otherwise canonical entities from either model compete: the higher score wins an overlap (ties: the longer
//      span, then the custom model, whose labels were trained on clinical notes).
//   3. Other labels from either model (the transformer's Sign_symptom, Dosage, …; a custom model's own, such as
//      BC5CDR's Chemical) are kept where they overlap no entity kept before them; among themselves the higher score
//      wins an overlap, with the same ties as (2).
import { CANONICAL_LABELS } from "./labels.ts";
import type { SourcedEntity } from "./types.ts";

const isCanonical = (label: string) => (CANONICAL_LABELS as readonly string[]).includes(label);
const overlaps = (a: SourcedEntity, b: SourcedEntity) => a.start < b.end && b.start < a.end;

/** `custom` and `transformer` must already carry canonical labels where they have one. Sorted by offset. */
export function mergeEnsemble(custom: readonly SourcedEntity[], transformer: readonly SourcedEntity[]): SourcedEntity[] {
  const key = (e: SourcedEntity) => `${e.start}:${e.end}:${e.label}`;
  const fromTransformer = new Map(transformer.filter((e) => isCanonical(e.label)).map((e) => [key(e), e]));
  const candidates: Array<SourcedEntity & { agreed?: boolean; fromCustom?: boolean }> = [];
  for (const e of custom.filter((x) => isCanonical(x.label))) {
    const twin = fromTransformer.get(key(e));
    if (twin) {
      fromTransformer.delete(key(e));
      candidates.push({ ...e, score: Math.max(e.score, twin.score), source: `${e.source}+${twin.source}`, agreed: true });
    } else candidates.push({ ...e, fromCustom: true });
  }
  candidates.push(...fromTransformer.values());
  const rank = (e: (typeof candidates)[number]) => (e.agreed ? 2 : e.fromCustom ? 1 : 0);
  candidates.sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || rank(b) - rank(a) || a.start - b.start);
  const kept: SourcedEntity[] = [];
  for (const { agreed, fromCustom, ...e } of candidates) if (!kept.some((k) => overlaps(k, e))) kept.push(e);
  const others = [...custom.filter((x) => !isCanonical(x.label)).map((e) => ({ e, rank: 1 })), ...transformer.filter((x) => !isCanonical(x.label)).map((e) => ({ e, rank: 0 }))];
  others.sort((a, b) => b.e.score - a.e.score || b.e.end - b.e.start - (a.e.end - a.e.start) || b.rank - a.rank || a.e.start - b.e.start);
  for (const { e } of others) if (!kept.some((k) => overlaps(k, e))) kept.push(e);
  return kept.sort((a, b) => a.start - b.start || a.end - b.end);
}
