// Parses and validates a JSON body with a zod schema: 415 for another content type, 400 for malformed JSON or a
// schema violation (naming the field). The parsed body is left in c.var.body.
import type { MiddlewareHandler } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

export const jsonBody = (schema: z.ZodType): MiddlewareHandler<AppEnv> =>
  async function jsonBody(c, next) {
    const type = c.req.header("content-type") ?? "";
    // application/json itself, with or without parameters: not application/json-patch+json or application/json-seq.
    if (!/^application\/json\s*(;|$)/i.test(type)) throw new ApiError(415, "unsupported_media_type", "send the body as application/json");
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new ApiError(400, "invalid_json", "the body is not valid JSON");
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = issue.path.join(".") || "(body)";
      throw new ApiError(400, "invalid_request", `${field}: ${issue.message}`);
    }
    c.set("body", r.data);
    await next();
  };
