// Auth and CORS, through app.request with explicit bindings, inside workerd with the workerd ort adapter.
import { describe, expect, it } from "vitest";
import { modelKey } from "../../core/index.ts";
import { createWorkerdRunner } from "../../functions/adapters/ort-workerd.ts";
import { createApp } from "../../functions/app.ts";
import { ApiError } from "../../functions/errors.ts";
import type { ModelStore } from "../../functions/store.ts";
import { fixtureBytes, pointTo, publishFixture } from "./fixture.ts";

function memoryStore(): ModelStore & { put(k: string, v: Uint8Array | string): Promise<void> } {
  const m = new Map<string, Uint8Array>();
  return {
    async get(k) {
      return m.get(k) ?? null;
    },
    async list(p) {
      return [...m.keys()].filter((k) => k.startsWith(p)).sort();
    },
    async put(k, v) {
      m.set(k, typeof v === "string" ? new TextEncoder().encode(v) : v);
    },
  };
}

const store = memoryStore();
await publishFixture(store, "custom", "1");
await pointTo(store, "custom", "1");
const lines: string[] = [];
const app = createApp({ createRunner: createWorkerdRunner, storeOf: () => store, log: (l) => lines.push(l) });
const ner = (headers: Record<string, string>, env: Record<string, string>) =>
  app.request("/ner", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ text: "Pt with HTN on lisinopril." }) }, env);

describe("auth", () => {
  const env = { API_TOKENS: "alpha-token, beta-token" };
  it("accepts any configured bearer token", async () => {
    expect((await ner({ authorization: "Bearer alpha-token" }, env)).status).toBe(200);
    expect((await ner({ authorization: "bearer beta-token" }, env)).status).toBe(200);
  });
  it.each([
    [{}, "missing bearer token"],
    [{ authorization: "Bearer wrong" }, "invalid bearer token"],
    [{ authorization: "Basic YWxwaGE=" }, "missing bearer token"],
  ])("401 for %j", async (headers, message) => {
    const res = await ner(headers, env);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message } });
  });
  it("refuses to serve when no tokens are configured and auth is not explicitly off", async () => {
    const res = await ner({}, {});
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("auth_not_configured");
    expect((await ner({}, { AUTH_DISABLED: "true" })).status).toBe(200);
  });
  it("CORS allows only the configured origins", async () => {
    const res = await app.request("/health", { headers: { origin: "https://ehr.example" } }, { CORS_ORIGINS: "https://ehr.example", AUTH_DISABLED: "true" });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://ehr.example");
    const other = await app.request("/health", { headers: { origin: "https://evil.example" } }, { CORS_ORIGINS: "https://ehr.example", AUTH_DISABLED: "true" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    // A browser shows a cross-origin caller only the headers listed here; X-Medner-Models names the model for hf,
    // spacy and fhir answers.
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["x-medner-models", "x-request-id", "retry-after"]));
  });

  it("CORS headers come with errors raised before any route, such as a missing MODELS binding", async () => {
    const noStore = createApp({
      createRunner: createWorkerdRunner,
      storeOf: () => {
        throw new ApiError(503, "store_unavailable", "the MODELS R2 binding is missing", { "Retry-After": "60" });
      },
      log: () => {},
    });
    const res = await noStore.request("/health", { headers: { origin: "https://ehr.example" } }, { CORS_ORIGINS: "https://ehr.example", AUTH_DISABLED: "true" });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("store_unavailable");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://ehr.example");
    expect(res.headers.get("retry-after")).toBe("60");
  });
});

describe("request log", () => {
  it("one structured line per request, with counts and timings, never the note text or entity strings", async () => {
    lines.length = 0;
    await ner({}, { AUTH_DISABLED: "true" });
    const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.requestId);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ method: "POST", route: "/ner", status: 200, model: "custom", version: "1", textLength: 26, entityCount: expect.any(Number) });
    expect(lines.join("\n")).not.toMatch(/HTN|lisinopril/);
    void fixtureBytes;
    void modelKey;
  });
});
