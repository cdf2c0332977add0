// The model registry's failure handling, in Node with an in-memory store and the real Node ort adapter.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExportedTagger, modelKey, pointerKey, sha256Hex } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import { modelLoader } from "../../functions/served-model.ts";
import { ModelRegistry } from "../../functions/registry.ts";
import type { ModelStore } from "../../functions/store.ts";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { ROOT } from "./cli.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");
const manifest = readFileSync(join(FIXTURE, "manifest.json"));
const onnx = readFileSync(join(FIXTURE, "model_quantized.onnx"));

function memoryStore() {
  const m = new Map<string, Uint8Array>();
  let broken = false;
  const store: ModelStore & { put(k: string, v: Uint8Array | string): void; remove(k: string): void; breakReads(b: boolean): void } = {
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
    remove(k) {
      m.delete(k);
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
    let released = 0;
    const counting = async (b: Uint8Array) => {
      const r = await createNodeRunner(b);
      return { run: r.run, release: async () => (released++, r.release?.()) };
    };
    await expect(loadExportedTagger(read, counting)).rejects.toThrow(/E401: model_quantized\.onnx does not run with its manifest/);
    // A server retrying the broken version every 30 s must not keep a session per attempt.
    expect(released).toBe(1);
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

  it("GET /models leaves out a model stored under a reserved name, which /ner could never serve", async () => {
    const store = memoryStore();
    await publishTo(store, "1");
    await point(store, "1");
    store.put(modelKey("ensemble", "1", "manifest.json"), manifest);
    store.put(pointerKey("ensemble"), JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(manifest) }));
    const app = createApp({ createRunner: createNodeRunner, storeOf: () => store, log: () => {} });
    const body = (await (await app.request("/models", {}, { AUTH_DISABLED: "true" })).json()) as { models: Array<{ name: string }> };
    expect(body.models.map((m) => m.name)).toEqual(["custom"]);
  });

  describe("releasing versions that are no longer current", () => {
    /** A registry on a fake clock whose sessions record their release and can be held mid-run. */
    function setup() {
      const clock = { t: 0 };
      const released: number[] = [];
      let hold: { session: number; until: Promise<void> } | null = null;
      let sessions = 0;
      const store = memoryStore();
      const reg = new ModelRegistry(
        store,
        modelLoader({
          tagger: async (b) => {
            const n = ++sessions;
            const r = await createNodeRunner(b);
            return {
              run: async (...a: Parameters<typeof r.run>) => {
                // Only the held session waits: loading a version runs its graph once, which must not block.
                if (hold?.session === n) await hold.until;
                return r.run(...a);
              },
              release: async () => {
                released.push(n);
                await r.release?.();
              },
            };
          },
        }),
        { pointerTtlMs: 0, idleReleaseMs: 1000, now: () => clock.t, log: () => {} },
      );
      const holdRuns = (session: number) => {
        let open!: () => void;
        hold = { session, until: new Promise((r) => (open = r)) };
        return () => {
          hold = null;
          open();
        };
      };
      return { clock, released, store, reg, holdRuns };
    }
    const versionsLoaded = (reg: ModelRegistry) => reg.loaded().map((m) => m.version).sort();

    it("a superseded version is released once idle, never while a request still uses it; the current one never", async () => {
      const { clock, released, store, reg, holdRuns } = setup();
      await publishTo(store, "1");
      await point(store, "1");
      const v1 = await reg.resolve("custom");
      await publishTo(store, "2");
      await point(store, "2");
      const openRuns = holdRuns(1);
      const running = v1.engine.predict([TAGGER_NOTES[0]!]);
      clock.t += 5000;
      expect((await reg.resolve("custom")).version).toBe("2");
      expect(versionsLoaded(reg)).toEqual(["1", "2"]); // v1 is answering a request
      expect(released).toEqual([]);
      openRuns();
      expect((await running)[0]!.map((e) => e.text)).toContain("lisinopril"); // its session was still there
      clock.t += 500;
      await reg.resolve("custom");
      expect(released).toEqual([]); // used 500 ms ago
      clock.t += 1000;
      await reg.resolve("custom");
      expect(released).toEqual([1]);
      expect(versionsLoaded(reg)).toEqual(["2"]);
      clock.t += 60_000;
      const v2 = await reg.resolve("custom");
      expect(released).toEqual([1]); // the current version stays, however idle
      expect((await v2.engine.predict([TAGGER_NOTES[0]!]))[0]!.map((e) => e.text)).toContain("lisinopril");
    });

    it("a version asked for by name@version is loaded again after its release, and released again when idle", async () => {
      const { clock, released, store, reg } = setup();
      await publishTo(store, "1");
      await publishTo(store, "2");
      await point(store, "2");
      await reg.resolve("custom");
      expect((await reg.resolve("custom", "1")).version).toBe("1");
      clock.t += 2000;
      await reg.resolve("custom");
      expect(released).toEqual([2]);
      expect((await reg.resolve("custom", "1")).version).toBe("1");
      expect(versionsLoaded(reg)).toEqual(["1", "2"]);
      clock.t += 2000;
      await reg.resolve("custom");
      expect(released).toEqual([2, 3]);
    });

    it("an unpublished model (current.json deleted) answers 404 and its version is released", async () => {
      const { clock, released, store, reg } = setup();
      await publishTo(store, "1");
      await point(store, "1");
      await reg.resolve("custom");
      store.remove(pointerKey("custom"));
      await expect(reg.resolve("custom")).rejects.toMatchObject({ status: 404 });
      clock.t += 2000;
      await expect(reg.resolve("custom")).rejects.toMatchObject({ status: 404 });
      expect(released).toEqual([1]);
      expect(versionsLoaded(reg)).toEqual([]);
    });
  });

  it("/health stops listing a failure once the pointer it came from is mended", async () => {
    const store = memoryStore();
    await publishTo(store, "1");
    await point(store, "1");
    const reg = new ModelRegistry(store, modelLoader({ tagger: createNodeRunner }), { pointerTtlMs: 0, log: () => {} });
    await reg.resolve("custom");
    await point(store, "1", "0".repeat(64));
    expect((await reg.resolve("custom")).version).toBe("1");
    expect(reg.failures().map((f) => f.version)).toEqual(["1"]);
    store.breakReads(true);
    await reg.resolve("custom");
    store.breakReads(false);
    expect(reg.failures().map((f) => f.version).sort()).toEqual(["1", "current"]);
    await point(store, "1");
    expect((await reg.resolve("custom")).version).toBe("1");
    expect(reg.failures()).toEqual([]);
    // A broken version, then a rollback to the good one: the failure is history once the good pointer serves.
    await point(store, "9");
    expect((await reg.resolve("custom")).version).toBe("1");
    expect(reg.failures().map((f) => f.version)).toEqual(["9"]);
    await point(store, "1");
    await reg.resolve("custom");
    expect(reg.failures()).toEqual([]);
  });
});
