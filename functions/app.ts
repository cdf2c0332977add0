// The Hono app: middleware, routes and one error handler. Entry points (workerd, Node) call createApp with the way
// their runtime builds ONNX sessions and finds the model store.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import type { EngineOptions, RunnerFactory, TaggerRunner } from "../core/index.ts";
import type { TransformerEngineOptions, TransformerRunner } from "../core/transformer/index.ts";
import type { AppEnv, Bindings } from "./env.ts";
import { errorResponse, onError } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { shedLoad } from "./middleware/shed-load.ts";
import { limitBody } from "./middleware/body-limit.ts";
import { requestLog } from "./middleware/request-log.ts";
import { modelLoader } from "./served-model.ts";
import { ModelRegistry } from "./registry.ts";
import { demo } from "./routes/demo.ts";
import { docs } from "./routes/docs.ts";
import { health } from "./routes/health.ts";
import { jobs } from "./routes/jobs.ts";
import { memory, type MemoryFigures } from "./routes/memory.ts";
import { models } from "./routes/models.ts";
import { ner } from "./routes/ner.ts";
import type { ModelStore } from "./store.ts";

export interface AppDeps {
  createRunner: RunnerFactory<TaggerRunner>;
  /** Sessions for transformer models; without it, a published transformer fails to load (503). */
  createTransformerRunner?: RunnerFactory<TransformerRunner>;
  /** How this runtime runs transformers (the Worker: 256-token windows, for memory). */
  transformerOptions?: TransformerEngineOptions;
  /** How this runtime runs taggers (the Worker: 128 tokens per run, for memory). */
  taggerOptions?: EngineOptions;
  storeOf: (env: Bindings) => ModelStore;
  /** The runtime's own memory figures, for GET /debug/memory (where MEMORY_PROBE is "true"). */
  memory?: () => MemoryFigures;
  log?: (line: string) => void;
}

export function createApp(deps: AppDeps) {
  // One registry per store: the isolate (or process) keeps loaded sessions across requests.
  const registries = new WeakMap<object, ModelRegistry>();
  const log = deps.log ?? ((line: string) => console.log(line));
  const registryFor = (env: Bindings) => {
    const key = (env.MODELS as object | undefined) ?? registries;
    let r = registries.get(key);
    if (!r) {
      // LOAD_WHOLE_FILES: the way models were loaded before the Worker's memory plan (whole files, ONNX, full-length
      // windows), kept so that `npm run bench -- memory` measures before and after on the same build.
      const whole = env.LOAD_WHOLE_FILES === "true";
      const full = deps.storeOf(env);
      const loadModel = modelLoader({
        tagger: deps.createRunner,
        ...(deps.createTransformerRunner ? { transformer: deps.createTransformerRunner } : {}),
        ...(deps.transformerOptions && !whole ? { transformerOptions: deps.transformerOptions } : {}),
        ...(deps.taggerOptions && !whole ? { taggerOptions: deps.taggerOptions } : {}),
      });
      const store: ModelStore = whole ? { get: full.get, list: full.list } : full;
      r = new ModelRegistry(store, loadModel, { pointerTtlMs: Number(env.POINTER_TTL_SECONDS ?? 30) * 1000, log: (l) => log(JSON.stringify(l)) });
      registries.set(key, r);
    }
    return r;
  };
  // Built once for the app: the same handlers guard every route that takes a body or needs a token.
  const limit = limitBody();
  const auth = requireAuth();
  const shed = shedLoad();
  const app = new Hono<AppEnv>()
    .use(requestId())
    .use(requestLog(log))
    .use(
      cors({
        origin: (origin, c) => {
          const allowed = (c.env.CORS_ORIGINS ?? "").split(",").map((s: string) => s.trim());
          return allowed.includes("*") ? "*" : allowed.includes(origin) ? origin : null;
        },
        allowHeaders: ["Authorization", "Content-Type"],
        // X-Medner-Models is the only place the hf, spacy and fhir formats name the model; browsers hide headers
        // that are not listed here from cross-origin callers.
        exposeHeaders: ["X-Medner-Models", "X-Request-Id", "Retry-After", "Location", "Link"],
        allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
      }),
    )
    // After CORS, so that an error here (store_unavailable: no MODELS binding) reaches browsers with CORS headers.
    .use(async (c, next) => {
      c.set("registry", registryFor(c.env));
      await next();
    })
    .use("/ner/*", limit, auth, shed)
    .use("/visualize", limit, auth, shed)
    .use("/context", limit, auth)
    .use("/models/*", auth)
    // Bulk jobs read their own body, under their own limit (MAX_JOB_BODY_BYTES): not the one of limitBody.
    .use("/jobs", auth)
    .use("/jobs/*", auth)
    .route("/", health)
    .route("/", ner)
    .route("/", jobs)
    .route("/", models(deps.storeOf))
    .route("/", docs)
    .route("/", demo)
    .route("/", memory(deps.memory ?? (() => ({ wasmMemoryBytes: 0, modelBlockBytes: 0 }))))
    .notFound((c) => errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`))
    .onError(onError(log));
  // The queue consumer (functions/jobs/consume.ts) runs on the same registries, so an isolate loads each model once.
  return Object.assign(app, { registryFor });
}
