// One structured log line per request: id, route, status, model, text length, entity count, timings. Routes add
// fields through c.var.log; nothing here ever reads the body, so note text cannot reach the log.
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../env.ts";

export const requestLog = (write: (line: string) => void = console.log): MiddlewareHandler<AppEnv> =>
  async function requestLog(c, next) {
    const started = Date.now();
    c.set("log", {});
    await next();
    write(
      JSON.stringify({
        requestId: c.get("requestId"),
        method: c.req.method,
        route: routePath(c, -1),
        status: c.res.status,
        ...c.get("log"),
        totalMs: Date.now() - started,
      }),
    );
  };
