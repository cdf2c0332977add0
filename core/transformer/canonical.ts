// The one table from a transformer's entity types (d4data/biomedical-ner-all: "Medication", "Sign_symptom", …) to
// medner's canonical labels (core/labels.ts). Only the types the tagger models also produce are renamed, so the
// ensemble and clients compare like with like; every other type passes through unchanged.
import { typeOf } from "./aggregation.ts";
import { mapLabel, type LabelMap } from "../labels.ts";

/** Entity type → medner label, as a label map. The README prints `TRANSFORMER_LABEL_MAP.labels`. */
export const TRANSFORMER_LABEL_MAP: LabelMap = {
  name: "transformer",
  description: "d4data/biomedical-ner-all entity types that mean the same as medner's canonical labels; the rest pass through",
  labels: { Medication: "MEDICATION", Disease_disorder: "DISEASE", Therapeutic_procedure: "TREATMENT" },
};

/** medner's label for an entity type: the table's, or the type itself (Sign_symptom, Diagnostic_procedure, Dosage, …). */
export function canonicalLabel(type: string): string {
  return Object.hasOwn(TRANSFORMER_LABEL_MAP.labels, type) ? mapLabel(TRANSFORMER_LABEL_MAP, type) : type;
}

/** The labels a model with these BIO tags can put on entities: its types, canonical where the table has them. */
export function entityLabels(tags: readonly string[]): string[] {
  return [...new Set(tags.filter((t) => t !== "O").map((t) => canonicalLabel(typeOf(t))))];
}
