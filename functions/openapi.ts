// The OpenAPI 3.1 document of the service, generated from the zod schemas in schemas.ts that the routes validate with.
// A test checks that every route the app serves is in it, and that answers match their schemas.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  ContextRequest,
  ContextResponse,
  ErrorBody,
  FhirBundle,
  HealthResponse,
  HfEntity,
  HfTokenEntity,
  JobAccepted,
  JobErrorBody,
  JobInputRequest,
  JobNote,
  JobOptions,
  JobResultLine,
  JobStatus,
  MemoryResponse,
  ModelDetail,
  ModelList,
  NerBatchRequest,
  NerBatchResponse,
  NerRequest,
  NerResponse,
  SpacyDoc,
  VisualizeRequest,
} from "./schemas.ts";

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const html = (description: string) => ({ description, content: { "text/html": { schema: z.string() } } });
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      code,
      json(
        ErrorBody,
        {
          400: "Invalid JSON or a field that breaks the schema (the message names it).",
          401: "Missing or wrong bearer token.",
          404: "No such model or version.",
          413: "The body or a text is too long.",
          415: "The body is not application/json.",
          503: "The model could not be loaded (Retry-After says when to retry), or auth is not configured.",
        }[code] ?? "Error",
      ),
    ]),
  );

function build() {
  const r = new OpenAPIRegistry();
  const bearer = r.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "One of the Worker's API_TOKENS." });
  const secured = [{ [bearer.name]: [] }];
  const nerAnswer = (one: z.ZodType, many: string) =>
    json(
      z.union([one, z.array(z.union([HfEntity, HfTokenEntity])), SpacyDoc, FhirBundle]),
      `${many} The shape follows "format": medner (default), hf, spacy or fhir (then the body is a FHIR R4 Bundle, served as application/fhir+json).`,
    );
  r.registerPath({
    method: "post",
    path: "/ner",
    summary: "Find medical entities in one note",
    security: secured,
    request: { body: { required: true, content: { "application/json": { schema: NerRequest } } } },
    responses: { 200: nerAnswer(NerResponse, "The entities, with exact offsets, scores and sources."), ...errors(400, 401, 404, 413, 415, 503) },
  });
  r.registerPath({
    method: "post",
    path: "/ner/batch",
    summary: "Find medical entities in up to 64 notes",
    security: secured,
    request: { body: { required: true, content: { "application/json": { schema: NerBatchRequest } } } },
    responses: {
      200: json(z.union([NerBatchResponse, z.array(z.union([z.array(z.union([HfEntity, HfTokenEntity])), SpacyDoc, FhirBundle]))]), "One result per note, in order (an array of per-note bodies for hf, spacy and fhir)."),
      ...errors(400, 401, 404, 413, 415, 503),
    },
  });
  r.registerPath({
    method: "post",
    path: "/context",
    summary: "The context traits and sections of spans another system found (no model runs)",
    security: secured,
    request: { body: { required: true, content: { "application/json": { schema: ContextRequest } } } },
    responses: { 200: json(ContextResponse, "Each span with its traits and section, in the order given, and the note's sections."), ...errors(400, 401, 413, 415) },
  });
  r.registerPath({
    method: "post",
    path: "/visualize",
    summary: "The note with its entities highlighted (displaCy's ent style), as a self-contained HTML page",
    security: secured,
    request: { body: { required: true, content: { "application/json": { schema: VisualizeRequest } } } },
    responses: { 200: html("A standalone HTML page: no scripts, no external requests; the note is escaped."), ...errors(400, 401, 404, 413, 415, 503) },
  });
  const jobId = z.object({ id: z.string().meta({ param: { name: "id", in: "path" }, example: "0b8e7a4c-3f2d-4c1e-9a57-6f1d2e3c4b5a" }) });
  const jobErrors = (...codes: number[]) => Object.fromEntries(Object.entries(errors(...codes)).map(([code, r]) => [code, json(code === "400" || code === "413" ? JobErrorBody : ErrorBody, r.description)]));
  r.registerPath({
    method: "post",
    path: "/jobs",
    summary: "Start a bulk job: notes as an NDJSON body (options in the query string), or already in R2 under a prefix (docs/jobs.md)",
    security: secured,
    request: {
      // Query parameters carry JobOptions for an NDJSON body: strings as given, lists comma-separated, other values as JSON.
      query: z.object(Object.fromEntries(Object.keys(JobOptions.shape).map((k) => [k, z.string().optional().meta({ description: `JobOptions.${k}, for an NDJSON body.` })]))),
      body: {
        required: true,
        content: {
          // Each line's schema, as for the results: NDJSON has no schema of its own.
          "application/x-ndjson": { schema: JobNote, example: '{"id": "n1", "text": "On metformin for DM2."}' },
          "application/json": { schema: JobInputRequest },
        },
      },
    },
    responses: { 202: json(JobAccepted, "Accepted whole: every line checked, the model versions pinned, one queue message per chunk. Location names the job."), ...jobErrors(400, 401, 404, 413, 415, 503) },
  });
  r.registerPath({
    method: "get",
    path: "/jobs/{id}",
    summary: "A job's status, counts, models and timings, derived from the chunks answered",
    security: secured,
    request: { params: jobId },
    responses: { 200: json(JobStatus, "The job."), ...errors(401, 404) },
  });
  r.registerPath({
    method: "get",
    path: "/jobs/{id}/results",
    summary: "A finished job's results: one NDJSON line per note, in input order",
    security: secured,
    request: { params: jobId, query: z.object({ from: z.string().optional().meta({ description: "The chunk to start at (the Link header gives it for the next page)." }) }) },
    responses: {
      200: { description: "JobResultLine per line, JOB_RESULTS_PAGE_CHUNKS chunks at most; a Link header (rel=next) when more remain.", content: { "application/x-ndjson": { schema: JobResultLine } } },
      409: json(ErrorBody, "Not every chunk is answered yet (Retry-After)."),
      ...errors(400, 401, 404),
    },
  });
  r.registerPath({
    method: "delete",
    path: "/jobs/{id}",
    summary: "Cancel a job and remove its data (notes uploaded under an input prefix stay: they are yours)",
    security: secured,
    request: { params: jobId },
    responses: { 200: json(z.object({ id: z.string(), status: z.literal("deleted"), objects: z.int() }), "Removed: job.json, its input parts and its results."), ...errors(401, 404) },
  });
  r.registerPath({ method: "get", path: "/models", summary: "The published models", security: secured, responses: { 200: json(ModelList, "Every model in the store."), ...errors(401) } });
  r.registerPath({
    method: "get",
    path: "/models/{name}",
    summary: "One model: its versions, the current one, labels and dev metrics",
    security: secured,
    request: { params: z.object({ name: z.string().meta({ param: { name: "name", in: "path" }, example: "custom" }) }) },
    responses: { 200: json(ModelDetail, "The model."), ...errors(401, 404) },
  });
  r.registerPath({ method: "get", path: "/health", summary: "Liveness, loaded models and recent load failures", responses: { 200: json(HealthResponse, "The isolate's state.") } });
  r.registerPath({
    method: "get",
    path: "/debug/memory",
    summary: "This isolate's model memory, read inside the runtime (only where the MEMORY_PROBE var is \"true\": tests and the memory benchmark; 404 elsewhere)",
    responses: {
      200: json(MemoryResponse, "onnxruntime's wasm memory (bytes, used or free), the model files placed in it, and the models loaded."),
      ...errors(404),
    },
  });
  r.registerPath({ method: "get", path: "/", summary: "The demo page", responses: { 200: html("Paste a note, choose a model, see the entities.") } });
  r.registerPath({ method: "get", path: "/openapi.json", summary: "This document", responses: { 200: json(z.record(z.string(), z.unknown()), "OpenAPI 3.1.") } });
  r.registerPath({ method: "get", path: "/docs", summary: "This document, rendered as HTML", responses: { 200: html("The API reference.") } });
  return new OpenApiGeneratorV31(r.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "medner",
      version: "0.2.0",
      description: "Medical named-entity recognition at the edge: medications, diseases, treatments and the biomedical transformer's richer types, with exact character offsets.",
    },
  });
}

let cached: ReturnType<typeof build> | undefined;
/** Built on first use, not at module load (Workers' startup budget), then reused. */
export const openApiDocument = () => (cached ??= build());
