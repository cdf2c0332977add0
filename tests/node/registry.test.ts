// The model registry's failure handling, in Node with an in-memory store and the real Node ort adapter.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExportedTagger, modelKey, pointerKey, sha256Hex } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-node.ts";
import { createApp } from "../../functions/app.ts";
import { modelLoader } from "../../functions/load-model.ts";
import { ModelRegistry } from "../../functions/registry.ts";
import type { ModelStore } from "../../functions/store.ts";
import { ROOT } from "./cli.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");
const manifest = readFileSync(join(FIXTURE, "manifest.json"));
const onnx = readFileSync(join(FIXTURE, "model_quantized.onnx"));

function memoryStore() {
  const m = new Map<string, Uint8Array>();
  let broken = false;
  const store: ModelStore & { put(k: string, v: Uint8Array | string): void; breakReads(b: boolean): void } = {
    async get(k) {
      if (broken) throw new Error("R2 is having a bad day");
      return m.get(k) ?? null;
    },
    async list(p) {
      return [...m.keys()].filter((k) => k.startsWith(p)).sort();
    },
    put(k, v) {
      m.set(k, typeof v === "string" ? new TextEncoder().encode(v) : v);
    },
    breakReads(b) {
      broken = b;
    },
  };
  return store;
}

async function publishTo(store: ReturnType<typeof memoryStore>, version: string, m: Uint8Array = manifest, o: Uint8Array = onnx) {
  store.put(modelKey("custom", version, "manifest.json"), m);
  store.put(modelKey("custom", version, "model_quantized.onnx"), o);
}
const point = async (store: ReturnType<typeof memoryStore>, version: string, sha?: string) =>
  store.put(pointerKey("custom"), JSON.stringify({ version, manifest_sha256: sha ?? (await sha256Hex(manifest)) }));

describe("ModelRegistry", () => {
  it("an explicit version never launders a pointer whose manifest sha256 is wrong", async () => {
    const store = memoryStore();
    await publishTo(store, "1");
    await point(store, "1", "0".repeat(64));
    const reg = new ModelRegistry(store, modelLoader({ tagger: createNodeRunner }), { pointerTtlMs: 0 });
    await expect(reg.resolve("custom")).rejects.toMatchObject({ status: 503 });
    expect((await reg.resolve("custom", "1")).version).toBe("1");
    await expect(reg.resolve("custom")).rejects.toMatchObject({ status: 503 });
  });

  it("a version republished in place is loaded again", async () => {
    const store = memoryStore();
    await publishTo(store, "1");
    await point(store, "1");
    const reg = new ModelRegistry(store, modelLoader({ tagger: createNodeRunner }), { pointerTtlMs: 0 });
    const first = await reg.resolve("custom");
    const edited = new TextEncoder().encode(new TextDecoder().decode(manifest).replace('"createdAt"', '"createdAt" ').replace('"createdAt" ', '"createdAt"') + " ");
    await publishTo(store, "1", edited);
    await point(store, "1", await sha256Hex(edited));
    const second = await reg.resolve("custom");
    expect(second).not.toBe(first);
    expect(second.manifestSha256).toBe(await sha256Hex(edited));
  });

  it("a pointer to a missing version, a broken pointer and a store error keep the good version and are listed", async () => {
    const store = memoryStore();
    await publishTo(store, "1");
    await point(store, "1");
    const reg = new ModelRegistry(store, modelLoader({ tagger: createNodeRunner }), { pointerTtlMs: 0 });
    await reg.resolve("custom");
    await point(store, "9");
    expect((await reg.resolve("custom")).version).toBe("1");
    store.put(pointerKey("custom"), "{not json");
    expect((await reg.resolve("custom")).version).toBe("1");
    store.breakReads(true);
    expect((await reg.resolve("custom")).version).toBe("1");
    store.breakReads(false);
    expect(reg.failures().map((f) => f.version).sort()).toEqual(["9", "current"]);
    expect(reg.failures().find((f) => f.version === "9")!.error).toMatch(/manifest\.json is missing/);
  });

  it("with no good version, a pointer to a missing version answers 503, not 404", async () => {
    const store = memoryStore();
    await point(store, "9");
    const app = createApp({ createRunner: createNodeRunner, storeOf: () => store, log: () => {} });
    const res = await app.request("/ner", { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"x"}' }, { AUTH_DISABLED: "true" });
    expect(res.status).toBe(503);
  });

  it("concurrent first requests share one load", async () => {
    const store = memoryStore();
    await publishTo(store, "1");
    await point(store, "1");
    let sessions = 0;
    const reg = new ModelRegistry(
      store,
      modelLoader({
        tagger: async (b) => {
          sessions++;
          return createNodeRunner(b);
        },
      }),
    );
    const models = await Promise.all(Array.from({ length: 16 }, () => reg.resolve("custom")));
    expect(new Set(models).size).toBe(1);
    expect(sessions).toBe(1);
  });

  it("a model whose graph does not match its manifest fails at load time, not on every request", async () => {
    const m = JSON.parse(new TextDecoder().decode(manifest));
    m.labels = ["DISEASE", "MEDICATION"];
    m.tags = m.tags.filter((t: string) => !t.endsWith("TREATMENT"));
    const bad = new TextEncoder().encode(JSON.stringify(m));
    const read = async (f: string) => (f === "manifest.json" ? bad : f === "model_quantized.onnx" ? new Uint8Array(onnx) : null);
    await expect(loadExportedTagger(read, createNodeRunner)).rejects.toThrow(/E401: model_quantized\.onnx does not run with its manifest/);
  });

  it("GET /models lists a version with an invalid manifest as invalid instead of failing", async () => {
    const store = memoryStore();
    await publishTo(store, "1");
    store.put(modelKey("custom", "2", "manifest.json"), "{}");
    await point(store, "1");
    const app = createApp({ createRunner: createNodeRunner, storeOf: () => store, log: () => {} });
    const res = await app.request("/models/custom", {}, { AUTH_DISABLED: "true" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { versions: Array<{ version: string; valid: boolean }> };
    expect(body.versions.map((v) => [v.version, v.valid])).toEqual([["1", true], ["2", false]]);
  });
});
