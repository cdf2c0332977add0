// The Worker's bindings and the per-request variables the middleware sets.
import type { RequestIdVariables } from "hono/request-id";
import type { ModelRegistry } from "./registry.ts";

/** What `npm run types` (wrangler types) generates from wrangler.toml, with vars widened to string. */
type GeneratedEnv = { [K in keyof Cloudflare.Env]?: Cloudflare.Env[K] extends string ? string : Cloudflare.Env[K] };

/** wrangler.toml's bindings and vars, plus the secrets and optional vars it does not list. */
export interface Bindings extends GeneratedEnv {
  /** Comma-separated bearer tokens (a secret: `wrangler secret put API_TOKENS`). */
  API_TOKENS?: string;
  /** "true" turns auth off: local development only. */
  AUTH_DISABLED?: string;
  MAX_BODY_BYTES?: string;
  /** Seconds a model's current.json is cached. */
  POINTER_TTL_SECONDS?: string;
  /** Milliseconds a read of the model store may take (a stream: to open, and between chunks); default 10000. */
  STORE_TIMEOUT_MS?: string;
  /** "true" opens GET /debug/memory (tests and the memory benchmark only). */
  MEMORY_PROBE?: string;
  /** "true" loads models as before the Worker's memory plan (whole files, ONNX): the memory benchmark's "before". */
  LOAD_WHOLE_FILES?: string;
  /** Model requests (/ner, /ner/batch, /visualize) answered at once per isolate; more get 503 overloaded (default 256). */
  MAX_IN_FLIGHT?: string;
  /** Chunks one GET /jobs/:id/results reads (default 1000): each is a subrequest, and plans cap them per request. */
  JOB_RESULTS_PAGE_CHUNKS?: string;
}

/** What a route adds to the request's log line. Never text or entity strings: they are patient data. */
export interface LogFields {
  model?: string;
  version?: string;
  textLength?: number;
  texts?: number;
  entityCount?: number;
  /** POST /context: how many spans were asked about. */
  spanCount?: number;
  inferenceMs?: number;
  /** Bulk jobs: the job's id, and at submission its notes and chunks. */
  job?: string;
  notes?: number;
  chunks?: number;
}

export type AppEnv = {
  Bindings: Bindings;
  Variables: RequestIdVariables & { registry: ModelRegistry; log: LogFields };
};
