// POST /ner, POST /ner/batch and POST /visualize: entities with exact offsets, a score, the model that found them and
// what the note says about them (context traits and section), in our shape or in the shapes of our users' ecosystems
// (Hugging Face, spaCy/displaCy, FHIR R4), or as a page. POST /context: the traits of spans found elsewhere.
import { Hono, type Context } from "hono";
import { contextOf, defaultContextRules, defaultContextRulesId, withContext, type EntityContext } from "../../core/context/index.ts";
import { mergeEnsemble, type SourcedEntity } from "../../core/index.ts";
import { defaultMedicationRules, defaultMedicationRulesId, withAttributes, type MedAttribute } from "../../core/medication/index.ts";
import { toFhirBundle, toHf, toSpacy } from "../../core/formats/index.ts";
import { renderEntitiesHtml } from "../../core/render/index.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { LoadedModel, ModelRegistry } from "../registry.ts";
import { ContextRequest, NerBatchRequest, NerRequest, VisualizeRequest, type NerOptions } from "../schemas.ts";

/** The model answering when the body names none. */
export const DEFAULT_MODEL = "custom";
/** Runs "custom" and "transformer" together and merges them (core/ensemble.ts has the rule). */
export const ENSEMBLE = "ensemble";

function checkLength(c: Context<AppEnv>, texts: string[]): void {
  const max = Number(c.env.MAX_TEXT_CHARS ?? 20000);
  texts.forEach((t, i) => {
    if (t.length > max) throw new ApiError(413, "text_too_long", `${texts.length > 1 ? `texts.${i}` : "text"} has ${t.length} characters; the limit is ${max}`);
  });
}

async function run(model: LoadedModel, texts: string[], o: NerOptions): Promise<SourcedEntity[][]> {
  const raw = await model.engine.predict(texts, { ...(o.aggregation ? { aggregation: o.aggregation } : {}), ...(o.documentRules === false ? { documentRules: false } : {}) });
  return raw.map((es) => es.map((e) => ({ text: e.text, label: e.label, start: e.start, end: e.end, score: e.score, source: model.name, ...(e.tag !== undefined ? { tag: e.tag, index: e.index! } : {}) })));
}

/** The models a request runs: both halves of the ensemble (each at its current version), or the one named. */
export async function resolveModels(registry: ModelRegistry, o: NerOptions): Promise<LoadedModel[]> {
  const name = o.model ?? DEFAULT_MODEL;
  if (name === ENSEMBLE && o.version) throw new ApiError(400, "invalid_request", `version: the ensemble runs each model's current version; leave version out`);
  return name === ENSEMBLE ? Promise.all(["custom", "transformer"].map((n) => registry.resolve(n))) : [await registry.resolve(name, o.version)];
}

/** Runs models already resolved (the request's, or those a bulk job pinned): merge, filters, order, context, attributes. */
export async function recognize(used: LoadedModel[], texts: string[], o: NerOptions) {
  const t0 = Date.now();
  const perModel = await Promise.all(used.map((m) => run(m, texts, o)));
  const merged = used.length === 2 ? texts.map((_, i) => mergeEnsemble(perModel[0]![i]!, perModel[1]![i]!)) : perModel[0]!;
  // The models' run and the merge; the rules below are not counted in it.
  const inferenceMs = Date.now() - t0;
  const kept = merged.map((es) => es.filter((e) => (!o.labels || o.labels.includes(e.label)) && e.score >= (o.minScore ?? 0)).sort((a, b) => a.start - b.start || a.end - b.end));
  // Context runs after the models and the ensemble merge, on the entities that are answered.
  const context = o.context !== false;
  const withTraits: Array<Array<SourcedEntity & Partial<EntityContext>>> = context ? kept.map((es, i) => withContext(texts[i]!, es, defaultContextRules())) : kept;
  // Each medication's strength, dose, route, frequency… linked to it (core/medication), after the merge as well.
  const attributes = o.attributes !== false;
  const results: Array<Array<SourcedEntity & Partial<EntityContext> & { attributes?: MedAttribute[] }>> = attributes ? withTraits.map((es, i) => withAttributes(texts[i]!, es, defaultMedicationRules())) : withTraits;
  return { results, inferenceMs, rules: { ...(context ? { context: defaultContextRulesId() } : {}), ...(attributes ? { medication: defaultMedicationRulesId() } : {}) } };
}

export const modelRefs = (used: LoadedModel[]) => used.map((m) => ({ name: m.name, version: m.version, sha256: m.sha256 }));

async function infer(c: Context<AppEnv>, texts: string[], o: NerOptions) {
  checkLength(c, texts);
  const started = Date.now();
  const used = await resolveModels(c.var.registry, o);
  const { results, inferenceMs, rules } = await recognize(used, texts, o);
  Object.assign(c.var.log, {
    model: used.map((m) => m.name).join("+"),
    version: used.map((m) => m.version).join("+"),
    textLength: texts.reduce((n, t) => n + t.length, 0),
    entityCount: results.reduce((n, r) => n + r.length, 0),
    inferenceMs,
  });
  return { results, models: modelRefs(used), ...rules, timings: { totalMs: Date.now() - started, inferenceMs } };
}

type Inferred = Awaited<ReturnType<typeof infer>>;

/** The body for one note in a non-default format (`models` names them in a FHIR Bundle). */
export function formatted(o: NerOptions, text: string, entities: Inferred["results"][number], r: Pick<Inferred, "models">) {
  if (o.format === "hf") return toHf(text, entities);
  if (o.format === "spacy") return toSpacy(text, entities);
  return toFhirBundle(text, entities, { models: r.models, ...(o.fhir?.subject ? { subject: o.fhir.subject } : {}), ...(o.fhir?.documentId ? { documentId: o.fhir.documentId } : {}) });
}

function answer(c: Context<AppEnv>, o: NerOptions, body: unknown, r: Inferred) {
  // The foreign shapes have no place for the model: name it in a header instead.
  c.header("X-Medner-Models", r.models.map((m) => `${m.name}@${m.version}`).join(","));
  if (o.format === "fhir") return c.body(JSON.stringify(body), 200, { "Content-Type": "application/fhir+json; charset=utf-8" });
  return c.json(body);
}

export const ner = new Hono<AppEnv>()
  .post("/ner", jsonBody(NerRequest), async (c) => {
    const { text, ...o } = c.req.valid("json");
    const r = await infer(c, [text], o);
    const entities = r.results[0]!;
    if (o.format && o.format !== "medner") return answer(c, o, formatted(o, text, entities, r), r);
    return answer(c, o, { entities, models: r.models, model: r.models[0]!, ...(r.context ? { context: r.context } : {}), ...(r.medication ? { medication: r.medication } : {}), timings: r.timings }, r);
  })
  .post("/ner/batch", jsonBody(NerBatchRequest), async (c) => {
    const { texts, ...o } = c.req.valid("json");
    const r = await infer(c, texts, o);
    c.var.log.texts = texts.length;
    if (o.format && o.format !== "medner") return answer(c, o, texts.map((t, i) => formatted(o, t, r.results[i]!, r)), r);
    return answer(c, o, { results: r.results.map((entities) => ({ entities })), models: r.models, model: r.models[0]!, ...(r.context ? { context: r.context } : {}), ...(r.medication ? { medication: r.medication } : {}), timings: r.timings }, r);
  })
  // The traits of spans another system found: context without a model.
  .post("/context", jsonBody(ContextRequest), async (c) => {
    const { text, spans } = c.req.valid("json");
    checkLength(c, [text]);
    spans.forEach((s, i) => {
      if (s.end <= s.start || s.end > text.length) throw new ApiError(400, "invalid_request", `spans.${i}: [${s.start}, ${s.end}) is not a non-empty range inside the text (${text.length} characters)`);
    });
    const { entities, sections } = contextOf(text, spans, defaultContextRules());
    Object.assign(c.var.log, { textLength: text.length, spanCount: spans.length });
    return c.json({ entities: spans.map((s, i) => ({ ...s, text: text.slice(s.start, s.end), ...entities[i]! })), sections, context: defaultContextRulesId() });
  })
  .post("/visualize", jsonBody(VisualizeRequest), async (c) => {
    const { text, ...o } = c.req.valid("json");
    const r = await infer(c, [text], o);
    c.header("X-Medner-Models", r.models.map((m) => `${m.name}@${m.version}`).join(","));
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    return c.html(renderEntitiesHtml(text, r.results[0]!, { title: `medner: ${r.models.map((m) => `${m.name} ${m.version}`).join(" + ")}` }));
  });
