// Bounded work per isolate: at most MAX_IN_FLIGHT (default 256) model requests at once; the next one is answered at
// once with 503 `overloaded` and Retry-After, in our error shape, instead of waiting in an unbounded queue. Requests
// run one model call at a time (the wasm heap has one queue), so waiting ones only hold their body: the bound keeps
// that memory flat and the wait each caller sees bounded. Counted per app (one per isolate in the Worker).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

export const DEFAULT_MAX_IN_FLIGHT = 256;

export const shedLoad = (): MiddlewareHandler<AppEnv> => {
  let inFlight = 0;
  return async function shedLoad(c, next) {
    const max = Number(c.env.MAX_IN_FLIGHT ?? DEFAULT_MAX_IN_FLIGHT);
    if (inFlight >= max) {
      const busy = inFlight;
      // Read the body first (limitBody has bounded it): answering with it unread makes workerd close the connection
      // under the client, which then sees a reset instead of this 503 (measured: every shed request, before this).
      await c.req.arrayBuffer().catch(() => undefined);
      throw new ApiError(503, "overloaded", `${busy} requests are being answered (the limit is ${max}); retry shortly`, { "Retry-After": "1" });
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
};
