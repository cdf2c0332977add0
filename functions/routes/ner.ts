// POST /ner and POST /ner/batch: entities with exact offsets, a score and the model that found them.
import { Hono, type Context } from "hono";
import { z } from "zod";
import { MODEL_NAME, MODEL_VERSION, type ScoredEntity } from "../../core/index.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { LoadedModel } from "../registry.ts";

const Options = {
  model: z.string().regex(MODEL_NAME, "a model name: lowercase letters, digits, . _ -").optional(),
  version: z.string().regex(MODEL_VERSION, "a version: letters, digits, . _ -").optional(),
  labels: z.array(z.string().min(1)).max(256).optional(),
  minScore: z.number().min(0).max(1).optional(),
};
export const NerRequest = z.object({ text: z.string(), ...Options }).strict();
export const NerBatchRequest = z.object({ texts: z.array(z.string()).min(1).max(64), ...Options }).strict();
export type NerOptions = Omit<z.infer<typeof NerRequest>, "text">;

/** Aliases for the models medner ships; anything else is a published model name. */
export const DEFAULT_MODEL = "custom";

function checkLength(c: Context<AppEnv>, texts: string[]): void {
  const max = Number(c.env.MAX_TEXT_CHARS ?? 20000);
  texts.forEach((t, i) => {
    if (t.length > max) throw new ApiError(413, "text_too_long", `${texts.length > 1 ? `texts.${i}` : "text"} has ${t.length} characters; the limit is ${max}`);
  });
}

function shape(model: LoadedModel, entities: ScoredEntity[], o: NerOptions) {
  return entities
    .filter((e) => (!o.labels || o.labels.includes(e.label)) && e.score >= (o.minScore ?? 0))
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((e) => ({ text: e.text, label: e.label, start: e.start, end: e.end, score: e.score, source: model.name }));
}

async function infer(c: Context<AppEnv>, texts: string[], o: NerOptions) {
  checkLength(c, texts);
  const started = Date.now();
  const model = await c.var.registry.resolve(o.model ?? DEFAULT_MODEL, o.version);
  const t0 = Date.now();
  const raw = await model.engine.predict(texts);
  const inferenceMs = Date.now() - t0;
  const results = raw.map((es) => shape(model, es, o));
  Object.assign(c.var.log, {
    model: model.name,
    version: model.version,
    textLength: texts.reduce((n, t) => n + t.length, 0),
    entityCount: results.reduce((n, r) => n + r.length, 0),
    inferenceMs,
  });
  return { results, model: { name: model.name, version: model.version, sha256: model.sha256 }, timings: { totalMs: Date.now() - started, inferenceMs } };
}

export const ner = new Hono<AppEnv>()
  .post("/ner", jsonBody(NerRequest), async (c) => {
    const { text, ...o } = c.get("body") as z.infer<typeof NerRequest>;
    const r = await infer(c, [text], o);
    return c.json({ entities: r.results[0]!, model: r.model, timings: r.timings });
  })
  .post("/ner/batch", jsonBody(NerBatchRequest), async (c) => {
    const { texts, ...o } = c.get("body") as z.infer<typeof NerBatchRequest>;
    const r = await infer(c, texts, o);
    c.var.log.texts = texts.length;
    return c.json({ results: r.results.map((entities) => ({ entities })), model: r.model, timings: r.timings });
  });
