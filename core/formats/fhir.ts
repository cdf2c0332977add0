// Entities as a FHIR R4 Bundle (type "collection") for EHR workflows: a Condition per DISEASE, a MedicationStatement
// per MEDICATION, a Procedure per TREATMENT. Other labels (the transformer's Sign_symptom, Dosage, …) have no resource
// here and are left out. Each resource carries the matched text (code.text / medicationCodeableConcept.text) and the
// medner text-span extension. With a documentId the note itself becomes a DocumentReference, and every resource
// points at it through the element R4 gives that resource for a source document (see `linkToNote`).
import { murmur3 } from "../hash.ts";
import type { SourcedEntity } from "../types.ts";
import { codePointOffsets } from "./offsets.ts";

/**
 * The extension's canonical URL. Its sub-extensions: `start` and `end` (valueInteger: code points into the note, as
 * FHIR strings count characters), `score` (valueDecimal, 4 places) and `model` (valueString: "name@version", joined
 * by "+" when both models of the ensemble agreed).
 */
export const TEXT_SPAN_EXTENSION = "https://medner.dev/fhir/StructureDefinition/text-span";

/** R4's `id` datatype (hl7.org/fhir/R4/datatypes.html#id). */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface FhirOptions {
  /** The models that answered; an entity's `source` names one of them (or several joined by "+"). */
  models: ReadonlyArray<{ name: string; version: string }>;
  /** A FHIR reference to the patient, e.g. "Patient/123". Without it, subject is a display-only Reference. */
  subject?: string;
  /** A FHIR id for the note: adds a DocumentReference holding it (text/plain, base64) and links each resource to it. */
  documentId?: string;
  /** When the bundle was made: Bundle.timestamp, DocumentReference.date, Condition.recordedDate, MedicationStatement.dateAsserted.
   * Left out without it — the function reads no clock, so the same input gives the same bundle. */
  now?: Date;
}

/** 128 bits from a string (four seeded murmur3 passes), as 32 hex digits. */
const digest = (s: string) => [0x9747b28c, 0x5bd1e995, 0x1b873593, 0xcc9e2d51].map((seed) => murmur3(s, seed).toString(16).padStart(8, "0")).join("");

/** A deterministic RFC 9562 UUID (version 8, "custom") from a string: Workers allow no randomness at load time, and
 * the same note must give the same Bundle. */
function stableUuid(seed: string): string {
  const h = digest(seed);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

type Reference = { reference: string } | { display: string };

/**
 * Where each resource names its source note, using only R4 elements (no extension needed):
 * Condition.evidence.detail — Reference(Any), "supporting evidence";
 * MedicationStatement.derivedFrom — Reference(Any), "information used to derive the MedicationStatement";
 * Procedure.report — Reference(DiagnosticReport | DocumentReference | Composition), "any report resulting from the procedure".
 */
const linkToNote = {
  Condition: (doc: Reference) => ({ evidence: [{ detail: [doc] }] }),
  MedicationStatement: (doc: Reference) => ({ derivedFrom: [doc] }),
  Procedure: (doc: Reference) => ({ report: [doc] }),
};

export function toFhirBundle(text: string, entities: readonly SourcedEntity[], o: FhirOptions) {
  if (o.documentId !== undefined && !FHIR_ID.test(o.documentId)) throw new RangeError(`documentId ${JSON.stringify(o.documentId)} is not a FHIR id (${FHIR_ID.source})`);
  const cp = codePointOffsets(text);
  const noteKey = `${digest(text)}:${text.length}:${o.subject ?? ""}:${o.documentId ?? ""}`;
  const subject: Reference = o.subject ? { reference: o.subject } : { display: "the patient of the note (no subject was given)" };
  const docUrl = o.documentId ? `urn:uuid:${stableUuid(`${noteKey}:document`)}` : null;
  const when = o.now?.toISOString();
  const modelOf = (e: SourcedEntity) =>
    e.source
      .split("+")
      .map((n) => {
        const m = o.models.find((x) => x.name === n);
        return m ? `${m.name}@${m.version}` : n;
      })
      .join("+");
  const span = (e: SourcedEntity) => [
    {
      url: TEXT_SPAN_EXTENSION,
      extension: [
        { url: "start", valueInteger: cp(e.start) },
        { url: "end", valueInteger: cp(e.end) },
        { url: "score", valueDecimal: Math.round(e.score * 1e4) / 1e4 },
        { url: "model", valueString: modelOf(e) },
      ],
    },
  ];
  const resourceFor = (e: SourcedEntity) => {
    const concept = { text: e.text };
    const link = <K extends keyof typeof linkToNote>(k: K) => (docUrl ? linkToNote[k]({ reference: docUrl }) : {});
    if (e.label === "DISEASE")
      return {
        resourceType: "Condition" as const,
        extension: span(e),
        // Found by a model in free text, not confirmed by a clinician.
        verificationStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-ver-status", code: "unconfirmed" }] },
        code: concept,
        subject,
        ...(when ? { recordedDate: when } : {}),
        ...link("Condition"),
      };
    // "unknown": a note mentioning a drug or a procedure does not say whether it is ongoing, done or planned.
    if (e.label === "MEDICATION")
      return { resourceType: "MedicationStatement" as const, extension: span(e), status: "unknown" as const, medicationCodeableConcept: concept, subject, ...(when ? { dateAsserted: when } : {}), ...link("MedicationStatement") };
    if (e.label === "TREATMENT") return { resourceType: "Procedure" as const, extension: span(e), status: "unknown" as const, code: concept, subject, ...link("Procedure") };
    return null;
  };
  const entry: Array<{ fullUrl: string; resource: Record<string, unknown> }> = [];
  if (o.documentId && docUrl)
    entry.push({
      fullUrl: docUrl,
      resource: {
        resourceType: "DocumentReference",
        id: o.documentId,
        status: "current",
        ...(o.subject ? { subject } : {}),
        ...(when ? { date: when } : {}),
        content: [{ attachment: { contentType: "text/plain; charset=utf-8", data: base64Utf8(text) } }],
      },
    });
  entities.forEach((e, i) => {
    const resource = resourceFor(e);
    if (resource) entry.push({ fullUrl: `urn:uuid:${stableUuid(`${noteKey}:${i}:${e.start}:${e.end}:${e.label}`)}`, resource });
  });
  return { resourceType: "Bundle" as const, type: "collection" as const, ...(when ? { timestamp: when } : {}), entry };
}
