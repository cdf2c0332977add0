// The Worker's bindings and the per-request variables the middleware sets.
import type { RequestIdVariables } from "hono/request-id";
import type { ModelRegistry } from "./registry.ts";

export interface Bindings {
  MODELS?: R2Bucket;
  /** Comma-separated bearer tokens (a secret: `wrangler secret put API_TOKENS`). */
  API_TOKENS?: string;
  /** "true" turns auth off: local development only. */
  AUTH_DISABLED?: string;
  MAX_TEXT_CHARS?: string;
  MAX_BODY_BYTES?: string;
  CORS_ORIGINS?: string;
  /** Seconds a model's current.json is cached. */
  POINTER_TTL_SECONDS?: string;
}

/** What a route adds to the request's log line. Never text or entity strings: they are patient data. */
export interface LogFields {
  model?: string;
  version?: string;
  textLength?: number;
  texts?: number;
  entityCount?: number;
  inferenceMs?: number;
}

export type AppEnv = {
  Bindings: Bindings;
  Variables: RequestIdVariables & { body: unknown; registry: ModelRegistry; log: LogFields };
};
