// Bearer-token auth. Tokens come from the API_TOKENS secret and are compared in constant time (as SHA-256 digests,
// so length leaks nothing either). Auth is off only when AUTH_DISABLED is "true"; with neither, the server refuses.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

async function digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
}

/** Constant-time equality of two equal-length byte strings (digests always are). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff === 0;
}

export const authDisabled = (env: { AUTH_DISABLED?: string }) => env.AUTH_DISABLED === "true";

export const requireAuth = (): MiddlewareHandler<AppEnv> =>
  async function requireAuth(c, next) {
    if (authDisabled(c.env)) return next();
    const tokens = (c.env.API_TOKENS ?? "").split(",").map((t) => t.trim()).filter(Boolean);
    if (tokens.length === 0) throw new ApiError(503, "auth_not_configured", "no API tokens are configured; set the API_TOKENS secret (or AUTH_DISABLED=true for local development)");
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    if (!m) throw new ApiError(401, "unauthorized", "missing bearer token", { "WWW-Authenticate": "Bearer" });
    const given = await digest(m[1]!);
    let ok = false;
    // Check every token, so the time does not depend on which one matched.
    for (const t of tokens) ok = sameBytes(given, await digest(t)) || ok;
    if (!ok) throw new ApiError(401, "unauthorized", "invalid bearer token", { "WWW-Authenticate": "Bearer" });
    await next();
  };
