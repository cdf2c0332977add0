// GET /health: liveness, the models loaded in this isolate, and recent load failures.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { authDisabled } from "../middleware/auth.ts";

export const health = new Hono<AppEnv>().get("/health", (c) =>
  c.json({
    status: "ok",
    auth: authDisabled(c.env) ? "disabled" : c.env.API_TOKENS ? "bearer" : "not configured",
    models: c.var.registry.loaded(),
    failures: c.var.registry.failures(),
  }),
);
