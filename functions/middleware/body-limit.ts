// 413 for bodies over MAX_BODY_BYTES (default 2 MB), before anything parses them. The limit is a var, known only
// per request, so hono's bodyLimit is built on the first request that brings a limit and reused for the next ones.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

export const limitBody = (): MiddlewareHandler<AppEnv> => {
  // Keyed by the limit: one entry per isolate in the Worker (its vars do not change), a few at most in tests.
  const byLimit = new Map<number, MiddlewareHandler>();
  return async function limitBody(c, next) {
    const maxSize = Number(c.env.MAX_BODY_BYTES ?? 2_000_000);
    let limit = byLimit.get(maxSize);
    if (!limit) {
      limit = bodyLimit({
        maxSize,
        onError: () => {
          throw new ApiError(413, "body_too_large", `the body is over ${maxSize} bytes`);
        },
      });
      byLimit.set(maxSize, limit);
    }
    return limit(c, next);
  };
};
