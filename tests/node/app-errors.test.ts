// The app's error path under Node: an unexpected error is a bare 500 to the caller and a log line with its stack for
// us, never with the note; the body limit follows each env's MAX_BODY_BYTES.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { modelKey, pointerKey, sha256Hex } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import type { ModelStore } from "../../functions/store.ts";
import { ROOT } from "./cli.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");

async function fixtureStore(): Promise<ModelStore> {
  const manifest = readFileSync(join(FIXTURE, "manifest.json"));
  const files = new Map<string, Uint8Array>([
    [modelKey("custom", "1", "manifest.json"), manifest],
    [modelKey("custom", "1", "model_quantized.onnx"), readFileSync(join(FIXTURE, "model_quantized.onnx"))],
    [pointerKey("custom"), new TextEncoder().encode(JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(manifest) }))],
  ]);
  return { get: async (k) => files.get(k) ?? null, list: async (p) => [...files.keys()].filter((k) => k.startsWith(p)) };
}

const emptyStore: ModelStore = { get: async () => null, list: async () => [] };
const post = (body: string, headers: Record<string, string> = {}) => ({ method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("errors", () => {
  const note = "Jane Roe, born 1950-02-03, takes warfarin for atrial fibrillation. ".repeat(4);
  // What the model throws, as onnxruntime does: an Error, or from its wasm a bare number (a C++ exception's address),
  // or anything at all (here the note itself, which must not reach the log).
  it.each([
    ["an Error", new TypeError("the session was closed"), "TypeError", "the session was closed"],
    ["a number", 5_431_088, "Error", "the model threw a non-Error value (number)"],
    ["a string", note, "Error", "the model threw a non-Error value (string)"],
  ])("a model that throws %s for one note: a 500 internal for it, logged with a stack and without the note; the next note answers", async (_, thrown, name, message) => {
    const store = await fixtureStore();
    const lines: string[] = [];
    const app = createApp({
      createRunner: async (bytes) => {
        const r = await createNodeRunner(bytes);
        // Fails on a long input only (the warm-up run at load and short notes pass): the failure is this note's alone.
        return { ...r, run: async (...a: Parameters<typeof r.run>) => (a[3] > 40 ? Promise.reject(thrown) : r.run(...a)) };
      },
      storeOf: () => store,
      log: (line) => lines.push(line),
    });
    const env = { AUTH_DISABLED: "true" };
    const res = await app.request("/ner", post(JSON.stringify({ text: note })), env);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "internal", message: "internal error" } });
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === "error");
    expect(logged).toEqual([{ level: "error", msg: "unhandled error", requestId: res.headers.get("x-request-id"), name, message, stack: expect.stringMatching(new RegExp(`^${name}: ${message.replace(/[()]/g, "\\$&")}\n\\s+at `)) }]);
    for (const word of ["Jane Roe", "warfarin", "fibrillation"]) expect(lines.join("\n")).not.toContain(word);
    const next = await app.request("/ner", post(JSON.stringify({ text: "Aspirin for CAD." })), env);
    expect(next.status).toBe(200);
    expect(((await next.json()) as { entities: unknown[] }).entities.length).toBeGreaterThan(0);
  });

  it("a coded error is not logged as unexpected", async () => {
    const lines: string[] = [];
    const app = createApp({ createRunner: createNodeRunner, storeOf: () => emptyStore, log: (l) => lines.push(l) });
    const res = await app.request("/ner", post('{"text": "x"}'), { AUTH_DISABLED: "true" });
    expect(res.status).toBe(404);
    expect(lines.filter((l) => l.includes('"unhandled error"'))).toEqual([]);
  });

  it("the body limit follows each env's MAX_BODY_BYTES, though it is built once", async () => {
    const app = createApp({ createRunner: createNodeRunner, storeOf: () => emptyStore, log: () => {} });
    // Over 100 bytes, under 1000: past the limit, the schema refuses the unknown field.
    const body = JSON.stringify({ text: "x".repeat(150), colour: 1 });
    const codeFor = async (max: string) => {
      const res = await app.request("/ner", post(body), { AUTH_DISABLED: "true", MAX_BODY_BYTES: max });
      return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    };
    expect(await codeFor("100")).toEqual([413, "body_too_large"]);
    expect(await codeFor("1000")).toEqual([400, "invalid_request"]);
    expect(await codeFor("100")).toEqual([413, "body_too_large"]);
  });
});
