// Entities as a FHIR R4 Bundle (type "collection") for EHR workflows: a Condition per DISEASE, a MedicationStatement
// per MEDICATION, a Procedure per TREATMENT, a FamilyMemberHistory per disease of a family member. Other labels (the
// transformer's Sign_symptom, Dosage, …) have no resource here and are left out. What the note says about an entity
// (its context traits) decides how it is asserted — see `assertion` — and hypothetical mentions are not asserted at all. Each resource carries the matched text (code.text / medicationCodeableConcept.text) and the
// medner text-span extension. With a documentId the note itself becomes a DocumentReference, and every resource
// points at it through the element R4 gives that resource for a source document (see `linkToNote`). A medication with
// attributes gets its `dosage` (core/medication/fhir-dosage.ts) and its reason as reasonReference / reasonCode.
import type { EntityContext, TraitName } from "../context/index.ts";
import { murmur3 } from "../hash.ts";
import { dosageOf } from "../medication/fhir-dosage.ts";
import type { MedAttribute } from "../medication/types.ts";
import type { SourcedEntity } from "../types.ts";
import { codePointOffsets } from "./offsets.ts";

/**
 * The extension's canonical URL. Its sub-extensions: `start` and `end` (valueInteger: code points into the note, as
 * FHIR strings count characters), `score` (valueDecimal, 4 places) and `model` (valueString: "name@version", joined
 * by "+" when both models of the ensemble agreed), and with context on, `trait` (valueCode, one per trait) and `section`
 * (valueString).
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

/** An entity as /ner answers it, with its context when context is on and its attributes when it is a medication. */
export type FhirEntity = SourcedEntity & Partial<EntityContext> & { attributes?: readonly MedAttribute[] };

const ROLE_CODES: Record<string, [string, string]> = {
  mother: ["MTH", "mother"], father: ["FTH", "father"], sister: ["SIS", "sister"], brother: ["BRO", "brother"], sibling: ["SIB", "sibling"],
  son: ["SONC", "son"], daughter: ["DAUC", "daughter"], child: ["CHILD", "child"], parent: ["PRN", "parent"], grandmother: ["GRMTH", "grandmother"],
  grandfather: ["GRFTH", "grandfather"], grandparent: ["GRPRN", "grandparent"], aunt: ["AUNT", "aunt"], uncle: ["UNCLE", "uncle"], cousin: ["COUSN", "cousin"], spouse: ["SPS", "spouse"],
};

/**
 * How a mention is asserted, from its traits and, where the status depends on the words, the cue's own text. Nothing
 * is guessed: a historical condition is `resolved` only when the note says resolved, a historical drug `stopped` only
 * when it says stopped or discontinued.
 * - hypothetical ("return if chest pain"): not asserted, left out;
 * - family: a FamilyMemberHistory for a disease (with the relationship the cue names), left out when negated or not a disease;
 * - negated: Condition refuted, MedicationStatement not-taken, Procedure not-done;
 * - uncertain: Condition provisional, or differential when the cue is "vs"/"differential";
 * - historical: Condition clinicalStatus resolved/remission when the cue says so; MedicationStatement stopped / on-hold /
 *   completed when the cue says so; Procedure completed (a past procedure was done).
 */
function assertion(text: string, e: FhirEntity) {
  const trait = (name: TraitName) => e.traits?.find((t) => t.name === name);
  const cue = (name: TraitName) => {
    const c = trait(name)?.cue;
    return c ? text.slice(c.start, c.end).toLowerCase() : "";
  };
  const family = trait("family");
  return {
    asserted: !trait("hypothetical") && !(family && (trait("negated") || e.label !== "DISEASE")),
    family: family ? (family.relationship ?? "") : null,
    conditionVerification: trait("negated") ? "refuted" : trait("uncertain") ? (/\b(?:vs|versus|differential|ddx)\b/.test(cue("uncertain")) ? "differential" : "provisional") : "unconfirmed",
    conditionClinical: /remission/.test(cue("historical")) ? "remission" : /resolved/.test(cue("historical")) ? "resolved" : null,
    medicationStatus: trait("negated") ? "not-taken" : /stop|discontinu|d\s*\/\s*c|dc'd/.test(cue("historical")) ? "stopped" : /held/.test(cue("historical")) ? "on-hold" : /completed/.test(cue("historical")) ? "completed" : "unknown",
    procedureStatus: trait("negated") ? "not-done" : trait("historical") ? "completed" : "unknown",
  } as const;
}

export function toFhirBundle(text: string, entities: readonly FhirEntity[], o: FhirOptions) {
  if (o.documentId !== undefined && !FHIR_ID.test(o.documentId)) throw new RangeError(`documentId ${JSON.stringify(o.documentId)} is not a FHIR id (${FHIR_ID.source})`);
  const cp = codePointOffsets(text);
  const noteKey = `${digest(text)}:${text.length}:${o.subject ?? ""}:${o.documentId ?? ""}`;
  const subject: Reference = o.subject ? { reference: o.subject } : { display: "the patient of the note (no subject was given)" };
  const docUrl = o.documentId ? `urn:uuid:${stableUuid(`${noteKey}:document`)}` : null;
  const when = o.now?.toISOString();
  const modelOf = (e: FhirEntity) =>
    e.source
      .split("+")
      .map((n) => {
        const m = o.models.find((x) => x.name === n);
        return m ? `${m.name}@${m.version}` : n;
      })
      .join("+");
  const span = (e: FhirEntity) => [
    {
      url: TEXT_SPAN_EXTENSION,
      extension: [
        { url: "start", valueInteger: cp(e.start) },
        { url: "end", valueInteger: cp(e.end) },
        { url: "score", valueDecimal: Math.round(e.score * 1e4) / 1e4 },
        { url: "model", valueString: modelOf(e) },
        ...(e.traits ?? []).map((t) => ({ url: "trait", valueCode: t.name })),
        ...(e.section ? [{ url: "section", valueString: e.section }] : []),
      ],
    },
  ];
  const resourceFor = (e: FhirEntity) => {
    const concept = { text: e.text };
    const link = <K extends keyof typeof linkToNote>(k: K) => (docUrl ? linkToNote[k]({ reference: docUrl }) : {});
    const a = assertion(text, e);
    if (!a.asserted) return null;
    if (a.family !== null) {
      const [code, display] = ROLE_CODES[a.family] ?? ["FAMMEMB", "family member"];
      return {
        resourceType: "FamilyMemberHistory" as const,
        extension: span(e),
        // "partial": the note tells one condition of this relative, not their whole history.
        status: "partial" as const,
        patient: subject,
        ...(when ? { date: when } : {}),
        relationship: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-RoleCode", code, display }] },
        condition: [{ code: concept }],
      };
    }
    if (e.label === "DISEASE")
      return {
        resourceType: "Condition" as const,
        extension: span(e),
        ...(a.conditionClinical ? { clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: a.conditionClinical }] } } : {}),
        // Found by a model in free text, not confirmed by a clinician: unconfirmed unless the note refutes or hedges it.
        verificationStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-ver-status", code: a.conditionVerification }] },
        code: concept,
        subject,
        ...(when ? { recordedDate: when } : {}),
        ...link("Condition"),
      };
    // "unknown" unless the note says: a mention of a drug or a procedure alone does not tell whether it is ongoing, done or planned.
    if (e.label === "MEDICATION") {
      const dosage = dosageOf(text, e, e.attributes ?? []);
      return { resourceType: "MedicationStatement" as const, extension: span(e), status: a.medicationStatus, medicationCodeableConcept: concept, subject, ...(when ? { dateAsserted: when } : {}), ...link("MedicationStatement"), ...(dosage.length ? { dosage } : {}) };
    }
    if (e.label === "TREATMENT") return { resourceType: "Procedure" as const, extension: span(e), status: a.procedureStatus, code: concept, subject, ...link("Procedure") };
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
  const conditionUrl = new Map<string, string>();
  const statements: Array<{ e: FhirEntity; resource: Record<string, unknown> }> = [];
  entities.forEach((e, i) => {
    const resource = resourceFor(e);
    if (!resource) return;
    const fullUrl = `urn:uuid:${stableUuid(`${noteKey}:${i}:${e.start}:${e.end}:${e.label}`)}`;
    entry.push({ fullUrl, resource });
    if (resource.resourceType === "Condition") conditionUrl.set(`${e.start}:${e.end}`, fullUrl);
    if (resource.resourceType === "MedicationStatement") statements.push({ e, resource });
  });
  // A drug's REASON points at the Condition of the DISEASE it names when that Condition is in the bundle (not refuted
  // away into nothing, not a relative's); otherwise the reason's words are its reasonCode.
  for (const { e, resource } of statements) {
    const reasons = (e.attributes ?? []).filter((x) => x.type === "REASON");
    const url = (x: MedAttribute) => {
      const c = (x.value as { condition?: { start: number; end: number } } | null)?.condition;
      return c ? conditionUrl.get(`${c.start}:${c.end}`) : undefined;
    };
    const refs = reasons.flatMap((x) => (url(x) ? [{ reference: url(x)! }] : []));
    const codes = reasons.filter((x) => !url(x)).map((x) => ({ text: x.text }));
    if (codes.length) resource.reasonCode = codes;
    if (refs.length) resource.reasonReference = refs;
  }
  return { resourceType: "Bundle" as const, type: "collection" as const, ...(when ? { timestamp: when } : {}), entry };
}
