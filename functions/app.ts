// The Hono app: routes composed under one error handler. Entry points (workerd, Node) import `app`.
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";
import { errorResponse, onError } from "./errors.ts";
import { health } from "./routes/health.ts";
import { ner } from "./routes/ner.ts";

export const app = new Hono<AppEnv>()
  .route("/", health)
  .route("/", ner)
  .notFound((c) => errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`))
  .onError(onError);
