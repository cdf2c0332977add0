// The Worker's bindings and the per-request variables the middleware sets.
export interface Bindings {
  MODELS?: R2Bucket;
  MAX_TEXT_CHARS?: string;
  CORS_ORIGINS?: string;
  AUTH_DISABLED?: string;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: { body: unknown };
}
