import { Fhir } from "fhir";
import { describe, expect, it } from "vitest";
import type { SourcedEntity } from "../types.ts";
import { TEXT_SPAN_EXTENSION, toFhirBundle, toHf, toSpacy } from "./index.ts";

// FHIR.js validates against the R4 (4.0.1) structure definitions and value sets it ships: offline, no hand-written schema.
const fhir = new Fhir();
const r4Errors = (resource: object) =>
  (fhir.validate(resource, { errorOnUnexpected: true }).messages ?? []).filter((m) => m.severity === "error").map((m) => `${m.location}: ${m.message}`);

const ent = (text: string, note: string, label: string, score = 0.9, source = "custom"): SourcedEntity => {
  const start = note.indexOf(text);
  return { text, label, start, end: start + text.length, score, source };
};

// "🫀" is one code point and two UTF-16 units: every offset after it differs by one between JS and Python.
const note = "🫀 Pt with HTN on lisinopril 10 mg; s/p CABG. Fever.";
const entities = [ent("HTN", note, "DISEASE"), ent("lisinopril", note, "MEDICATION", 0.97), ent("CABG", note, "TREATMENT", 0.8, "transformer"), ent("Fever", note, "Sign_symptom", 0.7, "transformer")];

describe("hf and spacy formats", () => {
  it("give the pipeline's shape with code-point offsets, as Python slices the note", () => {
    const hf = toHf(note, entities);
    expect(hf[0]).toEqual({ entity_group: "DISEASE", score: 0.9, word: "HTN", start: note.indexOf("HTN") - 1, end: note.indexOf("HTN") + 2 });
    const cps = [...note];
    for (const h of hf) expect(cps.slice(h.start, h.end).join("")).toBe(h.word);
  });

  it("give displaCy's manual format", () => {
    const doc = toSpacy(note, entities);
    expect(doc.title).toBeNull();
    expect(doc.text).toBe(note);
    expect(doc.ents.map((e) => [...note].slice(e.start, e.end).join(""))).toEqual(["HTN", "lisinopril", "CABG", "Fever"]);
    expect(doc.ents.map((e) => e.label)).toEqual(["DISEASE", "MEDICATION", "TREATMENT", "Sign_symptom"]);
  });

  it("leave offsets alone in a text without astral characters", () => {
    const plain = "On metformin.";
    expect(toHf(plain, [ent("metformin", plain, "MEDICATION")])[0]).toMatchObject({ start: 3, end: 12 });
  });
});

describe("FHIR R4 bundle", () => {
  const models = [{ name: "custom", version: "3" }, { name: "transformer", version: "1" }];

  it("maps DISEASE, MEDICATION and TREATMENT to Condition, MedicationStatement and Procedure, and leaves other labels out", () => {
    const b = toFhirBundle(note, entities, { models, subject: "Patient/123" });
    expect(r4Errors(b)).toEqual([]);
    expect(b.resourceType).toBe("Bundle");
    expect(b.type).toBe("collection");
    expect(b.entry.map((e) => e.resource.resourceType)).toEqual(["Condition", "MedicationStatement", "Procedure"]);
    const med = b.entry[1]!.resource as { medicationCodeableConcept: { text: string }; subject: unknown; status: string };
    expect(med.medicationCodeableConcept.text).toBe("lisinopril");
    expect(med.subject).toEqual({ reference: "Patient/123" });
    expect(med.status).toBe("unknown");
  });

  it("carries the offsets (code points), the score and the model in the text-span extension", () => {
    const b = toFhirBundle(note, entities, { models });
    const proc = b.entry[2]!.resource as { extension: Array<{ url: string; extension: Array<{ url: string; valueInteger?: number; valueDecimal?: number; valueString?: string }> }> };
    expect(proc.extension[0]!.url).toBe(TEXT_SPAN_EXTENSION);
    const sub = Object.fromEntries(proc.extension[0]!.extension.map((x) => [x.url, x.valueInteger ?? x.valueDecimal ?? x.valueString]));
    expect([...note].slice(sub.start as number, sub.end as number).join("")).toBe("CABG");
    expect(sub).toMatchObject({ score: 0.8, model: "transformer@1" });
  });

  it("adds a DocumentReference holding the note when an id is given, and links every resource to it", () => {
    const b = toFhirBundle(note, entities, { models, subject: "Patient/7", documentId: "note-42" });
    expect(r4Errors(b)).toEqual([]);
    const doc = b.entry[0]!;
    expect(doc.resource).toMatchObject({ resourceType: "DocumentReference", id: "note-42", status: "current" });
    const data = (doc.resource as { content: Array<{ attachment: { data: string } }> }).content[0]!.attachment.data;
    expect(new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)))).toBe(note);
    const ref = [{ reference: doc.fullUrl }];
    expect(b.entry[1]!.resource.evidence).toEqual([{ detail: ref }]);
    expect(b.entry[2]!.resource.derivedFrom).toEqual(ref);
    expect(b.entry[3]!.resource.report).toEqual(ref);
  });

  it("is deterministic for the same input, with unique urn:uuid fullUrls", () => {
    const a = toFhirBundle(note, entities, { models, documentId: "d1" });
    expect(toFhirBundle(note, entities, { models, documentId: "d1" })).toEqual(a);
    expect(new Set(a.entry.map((e) => e.fullUrl)).size).toBe(a.entry.length);
    expect(toFhirBundle(`${note} `, entities, { models, documentId: "d1" }).entry[0]!.fullUrl).not.toBe(a.entry[0]!.fullUrl);
  });

  it("without a subject, still gives every resource the subject R4 requires (display only)", () => {
    const b = toFhirBundle(note, entities, { models });
    expect(r4Errors(b)).toEqual([]);
    for (const e of b.entry) expect((e.resource as { subject: { display: string } }).subject.display).toMatch(/patient/);
  });

  it("the validator catches bundles that break R4, so a pass above means something", () => {
    const good = toFhirBundle(note, entities, { models, subject: "Patient/1" });
    const broken = (f: (b: { type: string; entry: Array<{ fullUrl: string; resource: Record<string, unknown> }> }) => void) => {
      const b = structuredClone(good) as unknown as { type: string; entry: Array<{ fullUrl: string; resource: Record<string, unknown> }> };
      f(b);
      return r4Errors(b);
    };
    expect(broken(() => {})).toEqual([]);
    expect(broken((b) => delete b.entry[0]!.resource.subject)).toEqual(["Condition.subject: Missing property"]);
    expect(broken((b) => (b.entry[1]!.resource.status = "taking"))).toEqual(['MedicationStatement.status: Code "taking" not found in value set']);
    expect(broken((b) => (b.type = "nope"))).toEqual(['Bundle.type: Code "nope" not found in value set']);
    expect(broken((b) => delete b.entry[1]!.resource.medicationCodeableConcept).length).toBeGreaterThan(0);
    expect(broken((b) => (b.entry[2]!.resource.reasonText = "x")).length).toBeGreaterThan(0);
  });
});
