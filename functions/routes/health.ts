// GET /health: liveness, plus the models loaded in this isolate (none until a model store is wired in).
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const health = new Hono<AppEnv>().get("/health", (c) => c.json({ status: "ok", models: [] as string[] }));
