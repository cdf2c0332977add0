// Entities as a FHIR R4 Bundle (type "collection") for EHR workflows: a Condition per DISEASE, a MedicationStatement
// per MEDICATION, a Procedure per TREATMENT. Other labels (the transformer's Sign_symptom, Dosage, …) have no resource
// here and are left out. Each resource carries the matched text (code.text) and the medner text-span extension:
// start/end (Unicode code points, as FHIR strings count characters), score and model. With a documentId the note
// itself becomes a DocumentReference and every resource points at it through the element R4 gives it for that.
import { murmur3 } from "../hash.ts";
import type { SourcedEntity } from "../types.ts";
import { codePointIndex } from "./simple.ts";

/** The extension's canonical URL; its sub-extensions: start, end (valueInteger), score (valueDecimal), model (valueString). */
export const TEXT_SPAN_EXTENSION = "https://medner.dev/fhir/StructureDefinition/text-span";

export interface FhirOptions {
  /** The models that answered, as "name@version" in the extension. */
  models: ReadonlyArray<{ name: string; version: string }>;
  /** A FHIR reference to the patient, e.g. "Patient/123". Without it, subject is a display-only Reference. */
  subject?: string;
  /** An id for the note: adds a DocumentReference holding it (text/plain, base64) and links each resource to it. */
  documentId?: string;
}

/** A deterministic RFC 4122-shaped UUID (version 8, "custom") from a string: Workers allow no randomness at load and
 * the same note must give the same Bundle. */
function stableUuid(seed: string): string {
  const hex = [0x9747b28c, 0x5bd1e995, 0x1b873593, 0xcc9e2d51].map((s) => murmur3(seed, s).toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function toFhirBundle(text: string, entities: readonly SourcedEntity[], o: FhirOptions) {
  const cp = codePointIndex(text);
  const noteKey = `${murmur3(text).toString(16)}:${text.length}:${o.subject ?? ""}:${o.documentId ?? ""}`;
  const subject = o.subject ? { reference: o.subject } : { display: "the patient of the note (no subject was given)" };
  const docUrl = o.documentId ? `urn:uuid:${stableUuid(`${noteKey}:document`)}` : null;
  const docRef = docUrl ? [{ reference: docUrl }] : undefined;
  const modelOf = (e: SourcedEntity) => e.source.split("+").map((n) => { const m = o.models.find((x) => x.name === n); return m ? `${m.name}@${m.version}` : n; }).join("+");
  const span = (e: SourcedEntity) => [
    {
      url: TEXT_SPAN_EXTENSION,
      extension: [
        { url: "start", valueInteger: cp[e.start]! },
        { url: "end", valueInteger: cp[e.end]! },
        { url: "score", valueDecimal: Math.round(e.score * 1e4) / 1e4 },
        { url: "model", valueString: modelOf(e) },
      ],
    },
  ];
  const resourceFor = (e: SourcedEntity) => {
    const concept = { text: e.text };
    if (e.label === "DISEASE")
      return {
        resourceType: "Condition" as const,
        extension: span(e),
        // Found by a model in free text, not confirmed by a clinician.
        verificationStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-ver-status" as const, code: "unconfirmed" as const }] },
        code: concept,
        subject,
        ...(docRef ? { evidence: [{ detail: docRef }] } : {}),
      };
    if (e.label === "MEDICATION")
      return { resourceType: "MedicationStatement" as const, extension: span(e), status: "unknown" as const, medicationCodeableConcept: concept, subject, ...(docRef ? { derivedFrom: docRef } : {}) };
    if (e.label === "TREATMENT")
      return { resourceType: "Procedure" as const, extension: span(e), status: "unknown" as const, code: concept, subject, ...(docRef ? { report: docRef } : {}) };
    return null;
  };
  const entry: Array<{ fullUrl: string; resource: Record<string, unknown> }> = [];
  if (o.documentId && docUrl)
    entry.push({
      fullUrl: docUrl,
      resource: { resourceType: "DocumentReference", id: o.documentId, status: "current", ...(o.subject ? { subject } : {}), content: [{ attachment: { contentType: "text/plain; charset=utf-8", data: base64Utf8(text) } }] },
    });
  entities.forEach((e, i) => {
    const resource = resourceFor(e);
    if (resource) entry.push({ fullUrl: `urn:uuid:${stableUuid(`${noteKey}:${i}:${e.start}:${e.end}:${e.label}`)}`, resource });
  });
  return { resourceType: "Bundle" as const, type: "collection" as const, entry };
}
