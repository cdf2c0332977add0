// One error shape for every route: {"error": {"code", "message"}} with the right status. Never a stack trace.
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./env.ts";

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

/**
 * Hono's onError: known errors keep their status and code; anything else is a 500 that reveals nothing to the caller.
 * The unexpected ones are logged with their stack, and only with what the error itself carries: never the request,
 * whose body is a patient's note.
 */
export const onError = (log: (line: string) => void): ErrorHandler<AppEnv> =>
  function onError(err, c) {
    if (err instanceof ApiError) return errorResponse(c, err.status as ContentfulStatusCode, err.code, err.message, err.headers);
    const status = err instanceof HTTPException ? err.status : 500;
    if (status >= 500) log(JSON.stringify({ level: "error", msg: "unhandled error", requestId: c.get("requestId"), name: err.name, message: err.message, stack: err.stack }));
    if (err instanceof HTTPException) return errorResponse(c, err.status as ContentfulStatusCode, "http_error", err.message);
    return errorResponse(c, 500, "internal", "internal error");
  };
