// GET /debug/memory: what this isolate holds for its models, read from inside the runtime — the wasm linear memory
// (exact), the model blocks in it and the models loaded. Answers only where the MEMORY_PROBE var is "true" (tests and
// `npm run bench -- memory`); elsewhere the route does not exist (404). It reads no request data.
import { Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { MemoryResponse } from "../schemas.ts";

/** What a runtime can tell about its own memory (functions/schemas.ts documents each figure). */
export type MemoryFigures = Omit<z.infer<typeof MemoryResponse>, "models">;

export const memory = (figures: () => MemoryFigures) =>
  new Hono<AppEnv>().get("/debug/memory", (c) => {
    if (c.env.MEMORY_PROBE !== "true") throw new ApiError(404, "not_found", "no route for GET /debug/memory");
    const body: z.infer<typeof MemoryResponse> = { ...figures(), models: c.var.registry.loaded().map((m) => ({ name: m.name, version: m.version, kind: m.kind })) };
    return c.json(body);
  });
