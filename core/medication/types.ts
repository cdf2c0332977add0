// The shapes of medication attributes (issue #21, /tmp/plan/med-spec.md): what each MEDICATION entity carries and the
// normalized values — UCUM quantities, a FHIR R4 Timing.repeat subset, SNOMED CT concepts.

export const MED_ATTRIBUTE_TYPES = ["STRENGTH", "DOSE", "ROUTE", "FREQUENCY", "DURATION", "FORM", "RATE", "AS_NEEDED", "REASON"] as const;
export type MedAttributeType = (typeof MED_ATTRIBUTE_TYPES)[number];

export const ROUTE_CONCEPTS = [
  "oral", "sublingual", "buccal", "intravenous", "intramuscular", "subcutaneous", "intradermal", "topical", "transdermal",
  "inhalation", "nasal", "ophthalmic", "otic", "rectal", "vaginal", "enteral-tube", "intrathecal", "epidural",
] as const;
export const FORM_CONCEPTS = [
  "tablet", "capsule", "extended-release", "solution", "suspension", "injection", "patch", "inhaler", "cream", "ointment",
  "gel", "drops", "spray", "suppository", "powder", "lozenge",
] as const;

/** FHIR R4 event-timing codes (the value set FHIR.js ships as http://hl7.org/fhir/ValueSet/event-timing). */
export const EVENT_TIMING = [
  "MORN", "MORN.early", "MORN.late", "NOON", "AFT", "AFT.early", "AFT.late", "EVE", "EVE.early", "EVE.late", "NIGHT", "PHS",
  "HS", "WAKE", "C", "CM", "CD", "CV", "AC", "ACM", "ACD", "ACV", "PC", "PCM", "PCD", "PCV",
] as const;
export const PERIOD_UNITS = ["s", "min", "h", "d", "wk", "mo", "a"] as const;

/** A UCUM quantity (`unit` is a UCUM code: mg, ug, mL, [iU], {tablet}, mg/mL, ug/kg/min, d …), or a range of one. */
export type MedQuantity = { value: number; unit: string } | { low: number; high: number; unit: string };

/** The subset of FHIR R4 Timing.repeat a sig's frequency fills. */
export interface MedTiming {
  frequency?: number;
  frequencyMax?: number;
  period?: number;
  periodMax?: number;
  periodUnit?: (typeof PERIOD_UNITS)[number];
  when?: Array<(typeof EVENT_TIMING)[number]>;
  count?: number;
  countMax?: number;
}

/** A route or dose form: the spec's concept name, and its SNOMED CT coding where one was verified. */
export interface MedConcept {
  name: string;
  system?: string;
  code?: string;
  display?: string;
}

export type MedAttributeValue = MedQuantity | MedTiming | MedConcept | { asNeeded: true } | { condition: { start: number; end: number } } | null;

/** One fact about a drug: `text === note.slice(start, end)`. `value` is null where nothing could be normalized
 * (a transformer span the grammar does not read, a reason with no DISEASE entity under it). */
export interface MedAttribute {
  type: MedAttributeType;
  text: string;
  start: number;
  end: number;
  score: number;
  value: MedAttributeValue;
}
