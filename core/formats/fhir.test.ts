import { Fhir } from "fhir";
import { describe, expect, it } from "vitest";
import { defaultContextRules, withContext } from "../context/index.ts";
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
