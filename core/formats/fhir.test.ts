import { createRequire } from "node:module";
import { Fhir } from "fhir";
import { describe, expect, it } from "vitest";
import { defaultContextRules, withContext } from "../context/index.ts";
import { defaultMedicationRules, withAttributes } from "../medication/index.ts";
import type { SourcedEntity } from "../types.ts";
import { TEXT_SPAN_EXTENSION, toFhirBundle } from "./index.ts";

// FHIR.js validates against the R4 (4.0.1) structure definitions and value sets it ships: offline, no hand-written schema.
const fhir = new Fhir();
const r4Errors = (resource: object) =>
  (fhir.validate(resource, { errorOnUnexpected: true }).messages ?? []).filter((m) => m.severity === "error").map((m) => `${m.location}: ${m.message}`);

const ent = (text: string, note: string, label: string, score = 0.9, source = "custom"): SourcedEntity => {
  const start = note.indexOf(text);
  return { text, label, start, end: start + text.length, score, source };
};

// "🫀" is one code point and two UTF-16 units: the extension's offsets (code points) differ from medner's after it.
const note = "🫀 Pt with HTN on lisinopril 10 mg; s/p CABG. Fever.";
const entities = [ent("HTN", note, "DISEASE"), ent("lisinopril", note, "MEDICATION", 0.97), ent("CABG", note, "TREATMENT", 0.8, "transformer"), ent("Fever", note, "Sign_symptom", 0.7, "transformer")];
const models = [{ name: "custom", version: "3" }, { name: "transformer", version: "1" }];
type Ext = { url: string; extension: Array<{ url: string; valueInteger?: number; valueDecimal?: number; valueString?: string }> };
const spanOf = (r: Record<string, unknown>) => {
  const ext = (r.extension as Ext[])[0]!;
  expect(ext.url).toBe(TEXT_SPAN_EXTENSION);
  return Object.fromEntries(ext.extension.map((x) => [x.url, x.valueInteger ?? x.valueDecimal ?? x.valueString]));
};

describe("FHIR R4 bundle", () => {
  it("maps DISEASE, MEDICATION and TREATMENT to Condition, MedicationStatement and Procedure, and leaves other labels out", () => {
    const b = toFhirBundle(note, entities, { models, subject: "Patient/123" });
    expect(r4Errors(b)).toEqual([]);
    expect(b).toMatchObject({ resourceType: "Bundle", type: "collection" });
    expect(b.entry.map((e) => e.resource.resourceType)).toEqual(["Condition", "MedicationStatement", "Procedure"]);
    expect(b.entry.map((e) => e.resource.code ?? e.resource.medicationCodeableConcept)).toEqual([{ text: "HTN" }, { text: "lisinopril" }, { text: "CABG" }]);
    for (const e of b.entry) expect(e.resource.subject).toEqual({ reference: "Patient/123" });
    expect(b.entry.slice(1).map((e) => e.resource.status)).toEqual(["unknown", "unknown"]);
  });

  it("carries the offsets (code points), the score and the model in the text-span extension", () => {
    const b = toFhirBundle(note, entities, { models });
    const proc = spanOf(b.entry[2]!.resource);
    expect([...note].slice(proc.start as number, proc.end as number).join("")).toBe("CABG");
    expect(proc).toMatchObject({ score: 0.8, model: "transformer@1" });
    expect(spanOf(b.entry[0]!.resource)).toMatchObject({ start: note.indexOf("HTN") - 1, score: 0.9, model: "custom@3" });
  });

  it("names both models when the ensemble's two agreed", () => {
    const both = [{ ...entities[0]!, source: "custom+transformer", score: 0.123456 }];
    const b = toFhirBundle(note, both, { models });
    expect(spanOf(b.entry[0]!.resource)).toMatchObject({ model: "custom@3+transformer@1", score: 0.1235 });
  });

  it("adds a DocumentReference holding the note when an id is given, and links every resource to it", () => {
    const b = toFhirBundle(note, entities, { models, subject: "Patient/7", documentId: "note-42" });
    expect(r4Errors(b)).toEqual([]);
    const doc = b.entry[0]!;
    expect(doc.resource).toMatchObject({ resourceType: "DocumentReference", id: "note-42", status: "current", subject: { reference: "Patient/7" } });
    const data = (doc.resource as { content: Array<{ attachment: { data: string } }> }).content[0]!.attachment.data;
    expect(new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)))).toBe(note);
    const ref = [{ reference: doc.fullUrl }];
    expect(b.entry[1]!.resource.evidence).toEqual([{ detail: ref }]);
    expect(b.entry[2]!.resource.derivedFrom).toEqual(ref);
    expect(b.entry[3]!.resource.report).toEqual(ref);
  });

  it("refuses a documentId that is not a FHIR id", () => {
    expect(() => toFhirBundle(note, entities, { models, documentId: "note 42/<x>" })).toThrow(/not a FHIR id/);
  });

  it("dates the bundle and its resources only when told the time", () => {
    const now = new Date("2026-11-24T10:00:00Z");
    const b = toFhirBundle(note, entities, { models, documentId: "n1", now });
    expect(r4Errors(b)).toEqual([]);
    expect(b.timestamp).toBe(now.toISOString());
    expect([b.entry[0]!.resource.date, b.entry[1]!.resource.recordedDate, b.entry[2]!.resource.dateAsserted]).toEqual(Array(3).fill(now.toISOString()));
    expect(JSON.stringify(toFhirBundle(note, entities, { models, documentId: "n1" }))).not.toContain("2026");
  });

  it("is deterministic for the same input, with unique urn:uuid fullUrls that change with the note", () => {
    const a = toFhirBundle(note, entities, { models, documentId: "d1" });
    expect(toFhirBundle(note, entities, { models, documentId: "d1" })).toEqual(a);
    for (const e of a.entry) expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(a.entry.map((e) => e.fullUrl)).size).toBe(a.entry.length);
    expect(toFhirBundle(`${note} `, entities, { models, documentId: "d1" }).entry[0]!.fullUrl).not.toBe(a.entry[0]!.fullUrl);
  });

  it("without a subject, still gives every resource the subject R4 requires (display only)", () => {
    const b = toFhirBundle(note, entities, { models });
    expect(r4Errors(b)).toEqual([]);
    expect(b.entry).toHaveLength(3);
    for (const e of b.entry) expect((e.resource as { subject: { display: string } }).subject.display).toMatch(/patient/);
  });

  it("the validator catches bundles that break R4, so a pass above means something", () => {
    const good = toFhirBundle(note, entities, { models, subject: "Patient/1", documentId: "d" });
    type Loose = { type: string; entry: Array<{ fullUrl: string; resource: Record<string, unknown> }> };
    const broken = (f: (b: Loose) => void) => {
      const b = structuredClone(good) as unknown as Loose;
      f(b);
      return r4Errors(b);
    };
    expect(broken(() => {})).toEqual([]);
    expect(broken((b) => delete b.entry[1]!.resource.subject)).toEqual(["Condition.subject: Missing property"]);
    expect(broken((b) => (b.entry[2]!.resource.status = "taking"))).toEqual(['MedicationStatement.status: Code "taking" not found in value set']);
    expect(broken((b) => (b.type = "nope"))).toEqual(['Bundle.type: Code "nope" not found in value set']);
    expect(broken((b) => (b.entry[0]!.resource.status = "final")).length).toBeGreaterThan(0);
    expect(broken((b) => delete b.entry[2]!.resource.medicationCodeableConcept).length).toBeGreaterThan(0);
    expect(broken((b) => (b.entry[3]!.resource.reasonText = "x")).length).toBeGreaterThan(0);
  });
});

describe("FHIR R4 bundle with context traits", () => {
  // Context from the shipped rules, not written by hand, so the mapping is tested on what /ner really answers.
  const clinical = "Pt denies chest pain. Possible pneumonia vs atelectasis. Rash has resolved. Lisinopril was discontinued. Not on aspirin. s/p CABG. Mother had breast cancer. FH negative for colon cancer. Return if fever.";
  const found = [
    ent("chest pain", clinical, "DISEASE"),
    ent("pneumonia", clinical, "DISEASE"),
    ent("atelectasis", clinical, "DISEASE"),
    ent("Rash", clinical, "DISEASE"),
    ent("Lisinopril", clinical, "MEDICATION"),
    ent("aspirin", clinical, "MEDICATION"),
    ent("CABG", clinical, "TREATMENT"),
    ent("breast cancer", clinical, "DISEASE"),
    ent("colon cancer", clinical, "DISEASE"),
    ent("fever", clinical, "DISEASE"),
  ];
  const withTraits = withContext(clinical, found, defaultContextRules());
  const bundle = toFhirBundle(clinical, withTraits, { models, subject: "Patient/9" });
  const byText = (t: string) => bundle.entry.find((e) => (e.resource.code as { text: string } | undefined)?.text === t || (e.resource.medicationCodeableConcept as { text: string } | undefined)?.text === t || (e.resource.condition as Array<{ code: { text: string } }> | undefined)?.[0]?.code.text === t)?.resource;
  const verification = (r: Record<string, unknown> | undefined) => (r?.verificationStatus as { coding: Array<{ code: string }> }).coding[0]!.code;

  it("is valid R4", () => {
    expect(r4Errors(bundle)).toEqual([]);
  });

  it("refutes a negated condition and marks a hedged one provisional or differential", () => {
    expect(verification(byText("chest pain"))).toBe("refuted");
    expect(verification(byText("pneumonia"))).toBe("provisional");
    expect(verification(byText("atelectasis"))).toBe("differential");
  });

  it("says resolved, stopped, not-taken and completed only where the note says so", () => {
    expect(byText("Rash")).toMatchObject({ clinicalStatus: { coding: [{ code: "resolved" }] } });
    expect(byText("Lisinopril")).toMatchObject({ resourceType: "MedicationStatement", status: "stopped" });
    expect(byText("aspirin")).toMatchObject({ resourceType: "MedicationStatement", status: "not-taken" });
    expect(byText("CABG")).toMatchObject({ resourceType: "Procedure", status: "completed" });
    expect(byText("pneumonia")!.clinicalStatus).toBeUndefined();
  });

  it("records a relative's disease as FamilyMemberHistory with the relationship, and leaves out what is not asserted", () => {
    expect(byText("breast cancer")).toMatchObject({ resourceType: "FamilyMemberHistory", status: "partial", patient: { reference: "Patient/9" }, relationship: { coding: [{ code: "MTH" }] } });
    // "FH negative for colon cancer" (family + negated) and "Return if fever" (hypothetical) assert nothing.
    expect(byText("colon cancer")).toBeUndefined();
    expect(byText("fever")).toBeUndefined();
    expect(bundle.entry).toHaveLength(found.length - 2);
  });

  it("carries each trait and the section in the text-span extension", () => {
    const ext = (byText("chest pain")!.extension as Ext[])[0]!.extension;
    expect(ext.filter((x) => x.url === "trait")).toEqual([{ url: "trait", valueCode: "negated" }]);
  });
});

// FHIR.js checks Dosage's own elements but not inside Timing.repeat or Dosage.doseAndRate, so those are walked here
// against the same R4 definitions and value sets FHIR.js ships: element names, primitive types, required bindings.
type R4Prop = { _name: string; _type: string; _multiple: boolean; _properties?: R4Prop[]; _valueSetStrength?: string; _valueSet?: string };
const shipped = createRequire(import.meta.url);
const r4Types = shipped("fhir/profiles/types.json") as Record<string, { _properties: R4Prop[] }>;
const r4ValueSets = shipped("fhir/profiles/valuesets.json") as Record<string, { systems: Array<{ codes: Array<{ code: string }> }> }>;
const PRIMITIVES: Record<string, (v: unknown) => boolean> = {
  positiveInt: (v) => Number.isInteger(v) && (v as number) > 0, integer: Number.isInteger, decimal: (v) => typeof v === "number",
  boolean: (v) => typeof v === "boolean", string: (v) => typeof v === "string", code: (v) => typeof v === "string", uri: (v) => typeof v === "string",
};
function structureErrors(value: unknown, props: readonly R4Prop[], path: string): string[] {
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const p = props.find((x) => x._name === k);
    if (!p) return [`${path}.${k}: not an R4 element`];
    const items = p._multiple ? (Array.isArray(v) ? v : [Symbol("not a list")]) : [v];
    return items.flatMap((item, i) => {
      const at = p._multiple ? `${path}.${k}[${i}]` : `${path}.${k}`;
      if (PRIMITIVES[p._type]) {
        const codes = p._valueSetStrength === "required" && p._valueSet ? r4ValueSets[p._valueSet.split("|")[0]!]?.systems.flatMap((s) => s.codes.map((c) => c.code)) : undefined;
        return !PRIMITIVES[p._type]!(item) ? [`${at}: not a ${p._type}`] : codes && !codes.includes(item as string) ? [`${at}: ${String(item)} not in ${p._valueSet}`] : [];
      }
      return structureErrors(item, p._properties?.length ? p._properties : (r4Types[p._type]?._properties ?? []), at);
    });
  });
}
const dosageErrors = (statement: Record<string, unknown>) => ((statement.dosage ?? []) as unknown[]).flatMap((d, i) => structureErrors(d, r4Types.Dosage!._properties, `dosage[${i}]`));

describe("FHIR R4 bundle with medication attributes", () => {
  // Attributes from the shipped grammar, not written by hand, so the mapping is tested on what /ner really answers.
  const sigs = [
    "Metformin 500 mg PO BID x 30 days for T2DM.",
    "Prednisone 20 mg PO daily x3 days then 10 mg daily x3 days.",
    "Heparin drip at 1000 units/hr IV.",
    "Oxycodone 5-10 mg q4-6h prn pain.",
    "Albuterol 1-2 puffs inhaled q4h prn.",
    "Aspirin.",
  ].join("\n");
  const drugs = ["Metformin", "Prednisone", "Heparin", "Oxycodone", "Albuterol", "Aspirin"];
  const found = withAttributes(sigs, [...drugs.map((d) => ent(d, sigs, "MEDICATION")), ent("T2DM", sigs, "DISEASE")], defaultMedicationRules());
  const bundle = toFhirBundle(sigs, found, { models, subject: "Patient/5" });
  const statement = (drug: string) => bundle.entry.find((e) => (e.resource.medicationCodeableConcept as { text: string } | undefined)?.text === drug)!.resource;
  const UCUM = "http://unitsofmeasure.org";

  it("is valid R4, inside Timing.repeat and doseAndRate too", () => {
    expect(r4Errors(bundle)).toEqual([]);
    for (const drug of drugs) expect(dosageErrors(statement(drug))).toEqual([]);
  });

  it("fills dosage: the sig's text, timing with its bounds, the SNOMED route and the dose; the reason points at the Condition", () => {
    const condition = bundle.entry.find((e) => e.resource.resourceType === "Condition")!;
    expect(statement("Metformin")).toMatchObject({
      dosage: [{
        text: "Metformin 500 mg PO BID x 30 days for T2DM",
        timing: { repeat: { frequency: 2, period: 1, periodUnit: "d", boundsDuration: { value: 30, unit: "d", system: UCUM, code: "d" } } },
        route: { coding: [{ system: "http://snomed.info/sct", code: "26643006", display: "Oral use" }], text: "PO" },
        doseAndRate: [{ doseQuantity: { value: 500, unit: "mg", system: UCUM, code: "mg" } }],
      }],
      reasonReference: [{ reference: condition.fullUrl }],
    });
    expect(statement("Metformin").reasonCode).toBeUndefined();
  });

  it("a taper is Dosage steps in sequence; a later step keeps the route it does not repeat", () => {
    const dosage = statement("Prednisone").dosage as Array<Record<string, unknown>>;
    expect(dosage.map((d) => [d.sequence, d.text, (d.route as { text: string }).text])).toEqual([[1, "Prednisone 20 mg PO daily x3 days", "PO"], [2, "10 mg daily x3 days", "PO"]]);
    expect(dosage[1]).toMatchObject({ timing: { repeat: { frequency: 1, period: 1, periodUnit: "d", boundsDuration: { value: 3, code: "d" } } }, doseAndRate: [{ doseQuantity: { value: 10, code: "mg" } }] });
  });

  it("an infusion rate is rateQuantity; ranges are doseRange; prn with a reason is asNeededCodeableConcept, without one asNeededBoolean", () => {
    expect(statement("Heparin").dosage).toMatchObject([{ doseAndRate: [{ rateQuantity: { value: 1000, unit: "IU/h", system: UCUM, code: "[iU]/h" } }], route: { coding: [{ code: "47625008" }] } }]);
    expect(statement("Oxycodone")).toMatchObject({
      dosage: [{ timing: { repeat: { frequency: 1, period: 4, periodMax: 6, periodUnit: "h" } }, asNeededCodeableConcept: { text: "pain" }, doseAndRate: [{ doseRange: { low: { value: 5, code: "mg" }, high: { value: 10, code: "mg" } } }] }],
      // No DISEASE entity names this pain, so the reason is its words.
      reasonCode: [{ text: "pain" }],
    });
    expect(statement("Albuterol").dosage).toMatchObject([{ asNeededBoolean: true, doseAndRate: [{ doseRange: { low: { value: 1, unit: "puff", code: "{puff}" }, high: { value: 2 } } }] }]);
  });

  it("a drug without attributes gets no dosage", () => {
    expect(statement("Aspirin").dosage).toBeUndefined();
  });

  it("both checks catch a broken dosage, so the passes above mean something", () => {
    type Dosage = Record<string, unknown> & { timing: { repeat: Record<string, unknown> }; doseAndRate: Array<Record<string, unknown>> };
    const broken = (f: (d: Dosage) => void) => {
      const m = structuredClone(statement("Metformin"));
      f((m.dosage as Dosage[])[0]!);
      return [...r4Errors(m), ...dosageErrors(m)];
    };
    expect(broken(() => {})).toEqual([]);
    expect(broken((d) => (d.timing.repeat.when = ["BEDTIME"]))).toEqual(["dosage[0].timing.repeat.when[0]: BEDTIME not in http://hl7.org/fhir/ValueSet/event-timing|4.0.1"]);
    expect(broken((d) => (d.timing.repeat.periodUnit = "hours"))).toEqual(["dosage[0].timing.repeat.periodUnit: hours not in http://hl7.org/fhir/ValueSet/units-of-time|4.0.1"]);
    expect(broken((d) => (d.timing.repeat.frequency = 1.5))).toEqual(["dosage[0].timing.repeat.frequency: not a positiveInt"]);
    expect(broken((d) => (d.doseAndRate[0]!.doseAmount = 1))).toEqual(["dosage[0].doseAndRate[0].doseAmount: not an R4 element"]);
    expect(broken((d) => (d.asNeededBoolean = "yes"))).toEqual(['MedicationStatement.dosage[0].asNeededBoolean: Invalid format for boolean value "yes"', "dosage[0].asNeededBoolean: not a boolean"]);
  });
});
