// Store faults and a model that throws, inside workerd: R2 (miniflare's) read through the R2 store, the weights
// streamed into the wasm heap as in the Worker, behind STORE_TIMEOUT_MS. Reads that throw, stall mid-file or come back
// short keep the good version answering and are listed in /health; with no good version, 503 + Retry-After.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { modelKey, type ModelFormat, type ModelStream, type RunnerFactory, type TaggerRunner } from "../../core/index.ts";
import { r2Store } from "../../functions/adapters/r2-store.ts";
import { createWorkerdRunner, WORKER_TAGGER_OPTIONS } from "../../functions/adapters/ort-workerd.ts";
import { createApp } from "../../functions/app.ts";
import type { LoadFailure } from "../../functions/registry.ts";
import { withReadTimeout } from "../../functions/timed-store.ts";
import { faultyStore, INJECTED } from "../fixtures/faulty-store.ts";
import { fixtureBytes, pointTo, publishFixture } from "./fixture.ts";

const bucket = (env as unknown as { MODELS: R2Bucket }).MODELS;
const TIMEOUT_MS = 200;
const NOTE = "Pt with HTN on lisinopril.";

function serve(name: string, createRunner: RunnerFactory<TaggerRunner> = createWorkerdRunner) {
  const store = faultyStore(r2Store(bucket));
  const app = createApp({ createRunner, taggerOptions: WORKER_TAGGER_OPTIONS, storeOf: () => withReadTimeout(store, TIMEOUT_MS), log: () => {} });
  const bindings = { AUTH_DISABLED: "true", POINTER_TTL_SECONDS: "0" };
  const ner = async (text = NOTE) => {
    const res = await app.request("/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text, model: name }) }, bindings);
    return { res, body: (await res.json()) as { model?: { version: string }; error?: { code: string } } };
  };
  const failures = async () => ((await (await app.request("/health", {}, bindings)).json()) as { failures: LoadFailure[] }).failures;
  return { store, ner, failures };
}

async function timed<T>(p: Promise<T>): Promise<T> {
  const started = Date.now();
  const out = await p;
  expect(Date.now() - started).toBeLessThan(20 * TIMEOUT_MS);
  return out;
}

describe("the R2 store", () => {
  it("reads a missing object as null, and a short one as the bytes it holds, with their size", async () => {
    const store = r2Store(bucket);
    const onnx = fixtureBytes("model_quantized.onnx");
    await bucket.put("models/short/1/model_quantized.onnx", onnx.slice(0, 1000));
    expect(await store.get("models/short/1/manifest.json")).toBeNull();
    expect(await store.open!("models/short/1/manifest.json")).toBeNull();
    expect((await store.get("models/short/1/model_quantized.onnx"))!.byteLength).toBe(1000);
    const opened = (await store.open!("models/short/1/model_quantized.onnx"))!;
    expect(opened.size).toBe(1000);
    expect((await new Response(opened.body).arrayBuffer()).byteLength).toBe(1000);
  });
});

describe("store faults (workerd)", () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ["Date"] }));
  afterEach(() => void vi.useRealTimers());

  it("a short model file in R2, with no good version: 503 model_unavailable with Retry-After, served once whole", async () => {
    await publishFixture(bucket, "short-file", "1");
    await bucket.put(modelKey("short-file", "1", "model_quantized.onnx"), fixtureBytes("model_quantized.onnx").slice(0, 1000));
    await pointTo(bucket, "short-file", "1");
    const w = serve("short-file");
    const { res, body } = await w.ner();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(body).toEqual({ error: { code: "model_unavailable", message: expect.any(String) } });
    expect((await w.failures()).map((f) => f.error)).toEqual([expect.stringMatching(/^E402: model_quantized\.onnx: the store holds 1000 bytes, the manifest says \d+: truncated or replaced$/)]);
    await publishFixture(bucket, "short-file", "1");
    vi.setSystemTime(Date.now() + 31_000);
    expect((await w.ner()).body.model?.version).toBe("1");
    expect(await w.failures()).toEqual([]);
  });

  it("R2 reads that throw, then stall: the good version answers, /health lists why, and healing clears it", async () => {
    await publishFixture(bucket, "flaky", "1");
    await pointTo(bucket, "flaky", "1");
    const w = serve("flaky");
    expect((await w.ner()).body.model?.version).toBe("1");
    w.store.inject(/./, "throw");
    expect((await w.ner()).body.model?.version).toBe("1");
    expect((await w.failures())[0]).toMatchObject({ version: "current", error: `store read failed: ${INJECTED}` });
    w.store.inject(/./, "stall");
    expect((await timed(w.ner())).body.model?.version).toBe("1");
    expect((await w.failures())[0]!.error).toMatch(`no answer from the model store within ${TIMEOUT_MS} ms`);
    w.store.heal();
    expect((await w.ner()).res.status).toBe(200);
    expect(await w.failures()).toEqual([]);
  });

  it.each([
    ["stalls mid-file", "stall-body", /E401: reading the model file failed \(.*no answer from the model store within 200 ms\)/],
    ["is cut short mid-transfer", "truncate", /E402: model_quantized\.onnx: sha256 mismatch .*: truncated or tampered/],
  ] as const)("a new version whose weights stream %s: the good version answers; the mended one is served", async (_, fault, error) => {
    const name = `stream-${fault}`;
    await publishFixture(bucket, name, "1");
    await publishFixture(bucket, name, "2");
    await pointTo(bucket, name, "1");
    const w = serve(name);
    expect((await w.ner()).body.model?.version).toBe("1");
    w.store.inject(modelKey(name, "2", "model_quantized.onnx"), fault);
    await pointTo(bucket, name, "2");
    expect((await timed(w.ner())).body.model?.version).toBe("1");
    expect(await w.failures()).toEqual([expect.objectContaining({ version: "2", error: expect.stringMatching(error) })]);
    w.store.heal();
    vi.setSystemTime(Date.now() + 31_000);
    expect((await w.ner()).body.model?.version).toBe("2");
  });

  it("a stalled store with no good version answers 503 with Retry-After once the timeout passes", async () => {
    await publishFixture(bucket, "stalled", "1");
    await pointTo(bucket, "stalled", "1");
    const w = serve("stalled");
    w.store.inject(/./, "stall");
    const { res, body } = await timed(w.ner());
    expect([res.status, res.headers.get("retry-after"), body.error?.code]).toEqual([503, "30", "model_unavailable"]);
    w.store.heal();
    expect((await w.ner()).res.status).toBe(200);
  });
});

describe("a model that throws at run time (workerd)", () => {
  it("fails that note with a 500 in our shape, and the isolate answers the next one", async () => {
    // Throws a bare number, as onnxruntime's wasm does, on long inputs only (not the warm-up run at load).
    const failing = (r: TaggerRunner): TaggerRunner => ({ ...r, run: (...a: Parameters<TaggerRunner["run"]>) => (a[3] > 40 ? Promise.reject(5_431_088) : r.run(...a)) });
    const runner = Object.assign(async (b: Uint8Array) => failing(await createWorkerdRunner(b)), {
      fromStream: async (file: ModelStream, format: ModelFormat) => failing(await createWorkerdRunner.fromStream!(file, format)),
    });
    await publishFixture(bucket, "throws", "1");
    await pointTo(bucket, "throws", "1");
    const w = serve("throws", runner);
    const { res, body } = await w.ner(`${NOTE} `.repeat(8));
    expect(res.status).toBe(500);
    expect(body).toEqual({ error: { code: "internal", message: "internal error" } });
    expect((await w.ner()).res.status).toBe(200);
  });
});
