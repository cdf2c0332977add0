// Runs inside workerd (vitest-pool-workers): the app as the Worker serves it.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const post = (body: string, type = "application/json") =>
  SELF.fetch("https://medner.test/ner", { method: "POST", headers: { "content-type": type }, body });

describe("worker (workerd)", () => {
  it("GET /health answers ok", async () => {
    const res = await SELF.fetch("https://medner.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", models: [] });
  });

  it.each([
    ["not json", "application/json", 400, "invalid_json"],
    [JSON.stringify({ text: 5 }), "application/json", 400, "invalid_request"],
    [JSON.stringify({ text: "x" }), "text/plain", 415, "unsupported_media_type"],
    [JSON.stringify({ text: "x".repeat(20001) }), "application/json", 413, "text_too_long"],
    [JSON.stringify({ text: "Pt on ASA." }), "application/json", 503, "model_unavailable"],
  ])("POST /ner %#: %s → %i %s", async (body, type, status, code) => {
    const res = await post(body, type);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message).not.toMatch(/\n\s+at /);
  });

  it("names the offending field", async () => {
    const res = await post(JSON.stringify({ text: "x", minScore: 3 }));
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^minScore: /);
  });

  it("unknown routes get the same error shape", async () => {
    const res = await SELF.fetch("https://medner.test/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "no route for GET /nope" } });
  });
});
