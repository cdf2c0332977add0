// One error shape for every route: {"error": {"code", "message"}} with the right status. Never a stack trace.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
  }
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}) {
  return c.json({ error: { code, message } }, status, headers);
}

/** Hono's onError: known errors keep their status and code; anything else is a 500 that reveals nothing. */
export function onError(err: Error, c: Context) {
  if (err instanceof ApiError) return errorResponse(c, err.status as ContentfulStatusCode, err.code, err.message, err.headers);
  if (err instanceof HTTPException) return errorResponse(c, err.status as ContentfulStatusCode, "http_error", err.message);
  console.error(JSON.stringify({ level: "error", msg: "unhandled error", name: err.name }));
  return errorResponse(c, 500, "internal", "internal error");
}
