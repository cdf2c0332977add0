// POST /ner: validates the request; answers 503 until a model is published to the store (the edge-service issue).
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";

export const NerRequest = z.object({
  text: z.string(),
  model: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  labels: z.array(z.string().min(1)).optional(),
  minScore: z.number().min(0).max(1).optional(),
});

export const ner = new Hono<AppEnv>().post("/ner", jsonBody(NerRequest), (c) => {
  const body = c.get("body") as z.infer<typeof NerRequest>;
  const max = Number(c.env.MAX_TEXT_CHARS ?? 20000);
  if (body.text.length > max) throw new ApiError(413, "text_too_long", `text has ${body.text.length} characters; the limit is ${max}`);
  throw new ApiError(503, "model_unavailable", `model "${body.model ?? "custom"}" is not published in this store yet`, { "Retry-After": "60" });
});
