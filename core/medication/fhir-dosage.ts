// A drug's attributes as FHIR R4 Dosage (MedicationStatement.dosage). A taper is several Dosage steps in order: a new
// step starts when a dose, strength, frequency, duration or rate repeats after the current step already has its timing
// ("20 mg daily x3 days then 10 mg daily x3 days"), so "325 mg tab, 2 tabs (650 mg total) q6h" stays one step. A step
// without its own route or prn takes the previous step's. FORM has no place in Dosage (it is Medication.form) and is left out.
import type { MedAttribute, MedAttributeType, MedConcept, MedQuantity, MedTiming } from "./types.ts";

const UCUM = "http://unitsofmeasure.org";
const STEP_TYPES = new Set<MedAttributeType>(["STRENGTH", "DOSE", "FREQUENCY", "DURATION", "RATE"]);

/** A readable unit for a UCUM code: {tablet} → tablet, [iU]/h → IU/h, [drp] → drop. */
const unitName = (code: string) => code.replace(/[{}]/g, "").replaceAll("[iU]", "IU").replaceAll("[drp]", "drop");
const quantity = (value: number, code: string) => ({ value, unit: unitName(code), system: UCUM, code });

/** A MedQuantity as FHIR's `<name>Quantity` or `<name>Range`. */
function fhirQuantity(name: "dose" | "rate", q: MedQuantity) {
  return "value" in q ? { [`${name}Quantity`]: quantity(q.value, q.unit) } : { [`${name}Range`]: { low: quantity(q.low, q.unit), high: quantity(q.high, q.unit) } };
}

/** A strength that can stand for the dose given: a plain mass, amount or unit count (not a % or a concentration). */
const doseLike = (q: MedQuantity) => !q.unit.includes("/") && q.unit !== "%";

function steps(attributes: readonly MedAttribute[]): MedAttribute[][] {
  const out: MedAttribute[][] = [[]];
  for (const a of attributes) {
    const step = out[out.length - 1]!;
    const timed = step.some((x) => x.type === "FREQUENCY" || x.type === "DURATION");
    if (timed && STEP_TYPES.has(a.type) && step.some((x) => x.type === a.type)) out.push([a]);
    else step.push(a);
  }
  return out;
}

/** The Dosage list of a drug at `[start, end)` with these attributes (empty when it has none). */
export function dosageOf(text: string, drug: { start: number; end: number }, attributes: readonly MedAttribute[]): Array<Record<string, unknown>> {
  if (!attributes.length) return [];
  const reason = attributes.find((a) => a.type === "REASON");
  let route: MedAttribute | undefined;
  let asNeeded: MedAttribute | undefined;
  const all = steps([...attributes].sort((a, b) => a.start - b.start));
  return all.map((step, i) => {
    const first = (t: MedAttributeType) => step.find((a) => a.type === t && a.value !== null);
    route = first("ROUTE") ?? route;
    asNeeded = step.find((a) => a.type === "AS_NEEDED") ?? asNeeded;
    const frequency = first("FREQUENCY")?.value as MedTiming | undefined;
    const duration = first("DURATION")?.value as MedQuantity | undefined;
    const strength = step.find((a) => a.type === "STRENGTH" && a.value && doseLike(a.value as MedQuantity));
    const dose = (first("DOSE") ?? strength)?.value as MedQuantity | undefined;
    const rate = first("RATE")?.value as MedQuantity | undefined;
    const repeat = {
      ...(frequency ?? {}),
      ...(duration ? ("value" in duration ? { boundsDuration: quantity(duration.value, duration.unit) } : { boundsRange: { low: quantity(duration.low, duration.unit), high: quantity(duration.high, duration.unit) } }) : {}),
    };
    const from = i === 0 ? Math.min(drug.start, step[0]!.start) : step[0]!.start;
    const concept = route?.value as MedConcept | undefined;
    return {
      ...(all.length > 1 ? { sequence: i + 1 } : {}),
      text: text.slice(from, Math.max(...step.map((a) => a.end))),
      ...(Object.keys(repeat).length ? { timing: { repeat } } : {}),
      ...(asNeeded ? (reason ? { asNeededCodeableConcept: { text: reason.text } } : { asNeededBoolean: true }) : {}),
      ...(route ? { route: { ...(concept?.code ? { coding: [{ system: concept.system, code: concept.code, display: concept.display }] } : {}), text: route.text } } : {}),
      ...(dose || rate ? { doseAndRate: [{ ...(dose ? fhirQuantity("dose", dose) : {}), ...(rate ? fhirQuantity("rate", rate) : {}) }] } : {}),
    };
  });
}
