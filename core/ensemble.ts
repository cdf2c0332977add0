// The "ensemble" model: the custom tagger and the biomedical transformer run on the same note and their entities are
// merged on the canonical labels (MEDICATION, DISEASE, TREATMENT) by one rule, documented in the README:
//   1. Both models found the same span with the same canonical label: one entity, the higher score, and a source
//      naming both ("custom+transformer").
//   2. Otherwise canonical entities from either model compete: the higher score wins an overlap (ties: the longer
//      span, then the custom model, whose labels were trained on clinical notes).
//   3. The transformer's other labels (Sign_symptom, Dosage, …) are kept where they overlap no canonical entity.
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
  for (const e of transformer.filter((x) => !isCanonical(x.label))) if (!kept.some((k) => isCanonical(k.label) && overlaps(k, e))) kept.push(e);
  return kept.sort((a, b) => a.start - b.start || a.end - b.end);
}
