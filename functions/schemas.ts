// The zod schemas of every request and answer body: the routes validate with them and /openapi.json is generated
// from them, so the document cannot drift from what the service accepts. `.meta({ id })` names OpenAPI components.
import { z } from "zod";
import { TRAITS } from "../core/context/index.ts";
import { MODEL_NAME, MODEL_VERSION } from "../core/index.ts";
import { AGGREGATIONS } from "../core/transformer/index.ts";

export const FORMATS = ["medner", "hf", "spacy", "fhir"] as const;

const Options = {
  model: z
    .string()
    .regex(MODEL_NAME, "a model name: lowercase letters, digits, . _ -")
    .optional()
    .meta({ description: 'Which model answers: "custom" (default), "transformer", "ensemble" (both, merged), or any published name.', example: "custom" }),
  version: z.string().regex(MODEL_VERSION, "a version: letters, digits, . _ -").optional().meta({ description: "A published version; default: the model's current one." }),
  labels: z.array(z.string().min(1)).max(256).optional().meta({ description: "Keep only these labels.", example: ["MEDICATION", "DISEASE"] }),
  minScore: z.number().min(0).max(1).optional().meta({ description: "Drop entities scored below this." }),
  aggregation: z
    .enum(AGGREGATIONS)
    .optional()
    .meta({ description: "Transformer only: how sub-word predictions become entities, as in the Hugging Face pipeline (default first)." }),
  documentRules: z
    .boolean()
    .optional()
    .meta({
      description:
        "The custom model (alone or as the custom half of \"ensemble\"): after decoding, a short form defined in the note, \"nitroglycerin (NTG)\", takes its entity's label wherever it recurs, and a labelled string is labelled where it recurs untagged (default true). The transformer keeps the Hugging Face pipeline's output.",
    }),
  attributes: z
    .boolean()
    .optional()
    .meta({ description: "Each MEDICATION's attributes linked to it (default true): strength, dose, route, frequency, duration, form, rate, as-needed, reason. false leaves them out." }),
  context: z
    .boolean()
    .optional()
    .meta({ description: "Context on every entity (default true): its traits (negated, uncertain, historical, hypothetical, family) and its section. false answers the entities alone." }),
  format: z.enum(FORMATS).optional().meta({ description: "Answer shape: medner (default), hf (pipeline list), spacy (displaCy manual), fhir (R4 Bundle)." }),
  fhir: z
    .object({
      subject: z.string().regex(/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/, 'a FHIR reference such as "Patient/123"').optional(),
      documentId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, "a FHIR id: letters, digits, - and .").optional(),
    })
    .strict()
    .optional()
    .meta({ description: 'format "fhir" only: the patient the note is about, and an id for a DocumentReference of the note.' }),
};

export const NerRequest = z
  .object({ text: z.string().meta({ description: "The note (at most MAX_TEXT_CHARS characters).", example: "Started metformin 500 mg for type 2 diabetes." }), ...Options })
  .strict()
  .meta({ id: "NerRequest" });
export const NerBatchRequest = z
  .object({ texts: z.array(z.string()).min(1).max(64).meta({ description: "Up to 64 notes." }), ...Options })
  .strict()
  .meta({ id: "NerBatchRequest" });
/** POST /visualize answers a page, so the answer-shape options do not apply. */
export const VisualizeRequest = NerRequest.omit({ format: true, fhir: true }).meta({ id: "VisualizeRequest" });
export type NerOptions = Omit<z.infer<typeof NerRequest>, "text">;

const CharRange = z.object({ start: z.int().nonnegative(), end: z.int().nonnegative() });

export const Trait = z
  .object({
    name: z.enum(TRAITS),
    score: z.number().min(0).max(1),
    cue: CharRange.optional().meta({ description: "The words that set the trait (UTF-16 offsets), e.g. \"denies\"." }),
    section: z.string().optional().meta({ description: "Set by the section instead of a cue (family_history → family)." }),
    relationship: z.string().optional().meta({ description: "family: the relative the cue names, e.g. mother." }),
  })
  .meta({ id: "Trait" });

/** What the note says about an entity (present unless the request says context: false). */
const EntityContextFields = {
  traits: z.array(Trait).optional().meta({ description: "Empty: affirmed, present or current, about the patient." }),
  section: z.string().nullable().optional().meta({ description: "The clinical section the entity is in (e.g. past_medical_history), null before the first header." }),
};

export const MedAttribute = z
  .object({
    type: z.enum(["STRENGTH", "DOSE", "ROUTE", "FREQUENCY", "DURATION", "FORM", "RATE", "AS_NEEDED", "REASON"]),
    text: z.string().meta({ description: "Exactly text.slice(start, end)." }),
    start: z.int().nonnegative(),
    end: z.int().nonnegative(),
    score: z.number().min(0).max(1),
    value: z
      .unknown()
      .meta({ description: "Normalized: a UCUM quantity {value, unit} or range {low, high, unit}; FHIR Timing.repeat fields for FREQUENCY; {name, system, code, display} for ROUTE and FORM; {asNeeded: true}; {condition: {start, end}} for a REASON linked to a DISEASE entity; null when not normalized." }),
  })
  .meta({ id: "MedAttribute" });

export const Entity = z
  .object({
    text: z.string().meta({ description: "Exactly text.slice(start, end)." }),
    label: z.string().meta({ example: "MEDICATION" }),
    start: z.int().nonnegative().meta({ description: "Offset in UTF-16 code units (JavaScript string index)." }),
    end: z.int().nonnegative(),
    score: z.number().min(0).max(1),
    source: z.string().meta({ description: "The model that found it." }),
    tag: z.string().optional().meta({ description: 'Transformer with aggregation "none" only: the model\'s own tag for the word piece, e.g. "B-Disease_disorder".' }),
    index: z.int().optional().meta({ description: 'With tag: the piece\'s index in the model input ([CLS] is 0), as the Python pipeline counts.' }),
    ...EntityContextFields,
    attributes: z.array(MedAttribute).optional().meta({ description: "MEDICATION only (unless attributes: false): its attributes, each linked to this drug alone." }),
  })
  .meta({ id: "Entity" });

export const RulesRef = z
  .object({ name: z.string(), version: z.string(), sha256: z.string() })
  .meta({ id: "RulesRef", description: "Shipped rule files that shaped the answer: their name, version and sha256 (core/rules-id.ts)." });

export const ContextRequest = z
  .object({
    text: z.string().meta({ description: "The note (at most MAX_TEXT_CHARS characters)." }),
    spans: z
      .array(z.object({ start: z.int().nonnegative(), end: z.int().nonnegative(), label: z.string().optional() }).strict())
      .max(10000)
      .meta({ description: "Spans another system found, as UTF-16 offsets into text." }),
  })
  .strict()
  .meta({ id: "ContextRequest", example: { text: "Pt denies chest pain. Mother had breast cancer.", spans: [{ start: 10, end: 20 }, { start: 33, end: 46, label: "DISEASE" }] } });

export const Section = z
  .object({ name: z.string(), start: z.int(), end: z.int(), header: CharRange })
  .meta({ id: "Section", description: "A clinical section: its name, the characters it covers and those of its header." });

export const ContextResponse = z
  .object({
    entities: z.array(z.object({ start: z.int(), end: z.int(), label: z.string().optional(), text: z.string(), ...EntityContextFields })),
    sections: z.array(Section),
    context: RulesRef.meta({ description: "The context rules that gave the traits (models/context/*.json)." }),
  })
  .meta({ id: "ContextResponse" });

export const ModelRef = z.object({ name: z.string(), version: z.string(), sha256: z.string() }).meta({ id: "ModelRef" });
const Timings = z.object({ totalMs: z.number(), inferenceMs: z.number() });

export const NerResponse = z
  .object({ entities: z.array(Entity), models: z.array(ModelRef), model: ModelRef.meta({ description: "The first of `models` (kept for clients of v0.1)." }), context: RulesRef.optional().meta({ description: "The context rules that gave the traits (models/context/*.json)." }), medication: RulesRef.optional().meta({ description: "The medication grammar that gave the attributes (models/medication/*.json)." }), timings: Timings })
  .meta({ id: "NerResponse" });
export const NerBatchResponse = z
  .object({ results: z.array(z.object({ entities: z.array(Entity) })), models: z.array(ModelRef), model: ModelRef, context: RulesRef.optional().meta({ description: "The context rules that gave the traits (models/context/*.json)." }), medication: RulesRef.optional().meta({ description: "The medication grammar that gave the attributes (models/medication/*.json)." }), timings: Timings })
  .meta({ id: "NerBatchResponse" });

export const HfTokenEntity = z
  .object({ entity: z.string(), score: z.number(), index: z.int(), word: z.string(), start: z.int(), end: z.int(), traits: z.array(z.enum(TRAITS)).optional(), section: z.string().nullable().optional() })
  .meta({ id: "HfTokenEntity", description: 'The Hugging Face pipeline\'s shape with aggregation "none": one per word piece, the model\'s B-/I- tag in entity.' });
export const HfEntity = z
  .object({ entity_group: z.string(), score: z.number(), word: z.string(), start: z.int(), end: z.int(), traits: z.array(z.enum(TRAITS)).optional(), section: z.string().nullable().optional() })
  .meta({ id: "HfEntity", description: "The Hugging Face token-classification pipeline's shape; offsets in Unicode code points, as Python counts." });
export const SpacyDoc = z
  .object({ text: z.string(), ents: z.array(z.object({ start: z.int(), end: z.int(), label: z.string(), traits: z.array(z.enum(TRAITS)).optional(), section: z.string().nullable().optional() })), title: z.null() })
  .meta({ id: "SpacyDoc", description: "displaCy's manual format; offsets in Unicode code points, as Python counts." });
export const FhirBundle = z
  .object({ resourceType: z.literal("Bundle"), type: z.literal("collection"), entry: z.array(z.object({ fullUrl: z.string(), resource: z.record(z.string(), z.unknown()) })) })
  .loose()
  .meta({ id: "FhirBundle", description: "A FHIR R4 Bundle (collection): Condition, MedicationStatement, Procedure, FamilyMemberHistory and, with fhir.documentId, a DocumentReference." });

export const ErrorBody = z
  .object({ error: z.object({ code: z.string().meta({ example: "invalid_request" }), message: z.string() }) })
  .meta({ id: "Error" });

export const HealthResponse = z
  .object({
    status: z.literal("ok"),
    auth: z.enum(["disabled", "bearer", "not configured"]),
    models: z.array(z.object({ name: z.string(), version: z.string(), sha256: z.string(), manifestSha256: z.string(), loadedAt: z.string() }).loose()),
    failures: z.array(z.object({ name: z.string(), version: z.string(), error: z.string(), at: z.string() })),
  })
  .meta({ id: "Health" });

export const MemoryResponse = z
  .object({
    wasmMemoryBytes: z.int().meta({ description: "onnxruntime's wasm linear memory, used or free: it grows by at least 1.2× a step and never shrinks." }),
    modelBlockBytes: z.int().meta({ description: "Model files placed in that memory, their weights used in place (counted in it, not beside it)." }),
    models: z.array(z.object({ name: z.string(), version: z.string(), kind: z.enum(["tagger", "transformer"]) })),
  })
  .meta({ id: "Memory" });

const ModelVersion = z
  .object({
    version: z.string(),
    current: z.boolean(),
    valid: z.boolean().meta({ description: "false when its manifest.json is missing or invalid." }),
    kind: z.enum(["tagger", "transformer"]).nullable(),
    dtype: z.string().nullable(),
    labels: z.array(z.string()),
    devMetrics: z.unknown().nullable(),
    createdAt: z.string().nullable(),
    files: z.record(z.string(), z.object({ sha256: z.string(), size: z.int() })),
  })
  .meta({ id: "ModelVersion" });
export const ModelDetail = z
  .object({ name: z.string(), kind: z.enum(["tagger", "transformer"]).nullable(), currentVersion: z.string().nullable(), labels: z.array(z.string()), versions: z.array(ModelVersion) })
  .meta({ id: "ModelDetail" });
export const ModelList = z
  .object({ models: z.array(ModelDetail.omit({ versions: true }).extend({ versions: z.array(z.string()) })) })
  .meta({ id: "ModelList" });

/** Bulk jobs (functions/routes/jobs.ts): the options of /ner for every note of a job. */
export const JobOptions = NerRequest.omit({ text: true }).meta({
  id: "JobOptions",
  description: "As for /ner, applied to every note; the model version is resolved once, at submission. With an NDJSON body they go in the query string (below).",
});
export const JobNote = z
  .object({ id: z.string().min(1).max(256).meta({ description: "Yours: results carry it back." }), text: z.string().meta({ description: "The note (at most MAX_TEXT_CHARS characters)." }) })
  .strict()
  .meta({ id: "JobNote", description: "One line of the NDJSON body, or of an object under an input prefix." });
export const JobInputRequest = JobOptions.extend({
  input: z
    .string()
    .min(1)
    .max(1024)
    .refine((p) => !p.startsWith("jobs/"), "a prefix outside jobs/, where jobs keep their own data")
    .meta({ description: "An R2 key prefix in the JOBS bucket: every object under it, in key order, is NDJSON notes (JobNote per line).", example: "uploads/2025-06/" }),
}).meta({ id: "JobInputRequest" });

const Counts = z.object({ total: z.int(), done: z.int().meta({ description: "Notes answered with entities." }), failed: z.int().meta({ description: "Notes answered with an error." }) });
export const JobAccepted = z.object({ id: z.string(), status: z.literal("queued"), notes: z.int(), chunks: z.int(), models: z.array(ModelRef) }).meta({ id: "JobAccepted" });
export const JobStatus = z
  .object({
    id: z.string(),
    status: z.enum(["queued", "running", "done", "failed"]).meta({ description: "done: every note has entities; failed: every note is answered and some with an error." }),
    counts: Counts,
    chunks: z.object({ total: z.int(), settled: z.int() }),
    models: z.array(ModelRef).meta({ description: "Pinned at submission." }),
    modelsUsed: z.array(ModelRef).meta({ description: "What the settled chunks ran (the pinned ones, unless a version was republished in place)." }),
    options: JobOptions,
    createdAt: z.string(),
    timings: z.object({
      startedAt: z.string().nullable().meta({ description: "When the first chunk started." }),
      finishedAt: z.string().nullable().meta({ description: "When the last chunk settled (once all have)." }),
      queuedMs: z.number().nullable(),
      runningMs: z.number().nullable().meta({ description: "First chunk's start to the last one's end (or to now)." }),
    }),
  })
  .meta({ id: "JobStatus" });
export const JobResultLine = z
  .union([
    z.object({ id: z.string(), entities: z.array(z.unknown()).meta({ description: "format medner: Entity; hf: the pipeline's list." }) }),
    z.object({ id: z.string(), doc: SpacyDoc }),
    z.object({ id: z.string(), bundle: FhirBundle }),
    z.object({ id: z.string().nullable().meta({ description: "null only when the input object changed, so the note's id cannot be read." }), error: ErrorBody.shape.error }),
  ])
  .meta({ id: "JobResultLine", description: "One line of GET /jobs/:id/results per note, in input order." });
export const JobErrorBody = z
  .object({ error: ErrorBody.shape.error.extend({ lines: z.array(z.object({ line: z.int(), object: z.string().optional(), message: z.string() })).optional() }) })
  .meta({ id: "JobError", description: "As Error; a rejected body or input also lists its bad lines (the first 20), 1-based, with the object for an input prefix." });
