// Store faults under Node, through the app as it is composed (a store behind STORE_TIMEOUT_MS): each read that throws,
// stalls, comes back cut short or corrupt, finds nothing, or meets a manifest replaced mid-load. The good version keeps
// answering, /health lists the failure, 503 + Retry-After comes only when no version is good, and healing recovers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { modelKey, pointerKey, sha256Hex } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import type { LoadFailure } from "../../functions/registry.ts";
import { DEFAULT_STORE_TIMEOUT_MS, storeTimeoutMs, withReadTimeout } from "../../functions/timed-store.ts";
import { faultyStore, INJECTED, memoryStore, type FaultyStore, type MemoryStore } from "../fixtures/faulty-store.ts";
import { ROOT } from "./cli.ts";

const fixture = (dir: string) => ({
  manifest: new Uint8Array(readFileSync(join(ROOT, "tests/fixtures/models", dir, "manifest.json"))),
  onnx: new Uint8Array(readFileSync(join(ROOT, "tests/fixtures/models", dir, "model_quantized.onnx"))),
});
const TAGGER = fixture("tiny-tagger");
/** Another valid model, for a version republished in place. */
const CRF = fixture("tiny-tagger-crf");
const TIMEOUT_MS = 100;
const MANIFEST = (v: string) => modelKey("custom", v, "manifest.json");
const ONNX = (v: string) => modelKey("custom", v, "model_quantized.onnx");

async function publish(mem: MemoryStore, version: string, model = TAGGER, files = ["manifest.json", "model_quantized.onnx"]) {
  if (files.includes("manifest.json")) await mem.put(MANIFEST(version), model.manifest);
  if (files.includes("model_quantized.onnx")) await mem.put(ONNX(version), model.onnx);
}
const point = async (mem: MemoryStore, version: string, model = TAGGER) =>
  mem.put(pointerKey("custom"), JSON.stringify({ version, manifest_sha256: await sha256Hex(model.manifest) }));

/** The app over `store` as the entry points compose it, with the pointer read on every request. */
function serve(store: FaultyStore) {
  const app = createApp({ createRunner: createNodeRunner, storeOf: () => withReadTimeout(store, TIMEOUT_MS), log: () => {} });
  const env = { AUTH_DISABLED: "true", POINTER_TTL_SECONDS: "0" };
  const ner = async (extra: object = {}) => {
    const res = await app.request("/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "Pt with HTN on lisinopril.", ...extra }) }, env);
    return { res, body: (await res.json()) as { entities?: unknown[]; model?: { version: string }; error?: { code: string } } };
  };
  const failures = async () => ((await (await app.request("/health", {}, env)).json()) as { failures: LoadFailure[] }).failures;
  return { ner, failures };
}

async function setup(warm: boolean) {
  const mem = memoryStore();
  const store = faultyStore(mem);
  const app = serve(store);
  if (warm) {
    await publish(mem, "1");
    await point(mem, "1");
    expect((await app.ner()).body.model?.version).toBe("1");
  }
  return { mem, store, ...app };
}

type World = Awaited<ReturnType<typeof setup>>;
interface Case {
  fault: string;
  /** Breaks a store whose version 1 is published and current (or, cold, a store where nothing is loaded yet). */
  breakIt(w: World): Promise<void>;
  failed: { version: string; error: RegExp };
  mend(w: World): Promise<void>;
  /** The version that answers once the store is mended. */
  mended: string;
}

const onceBefore = (w: World, key: string, act: () => Promise<void>) => {
  w.store.onRead = async (k) => {
    if (k !== key) return;
    w.store.onRead = null;
    await act();
  };
};
const newVersion = (fault: Parameters<FaultyStore["inject"]>[1], file: string, error: RegExp): Case => ({
  fault: `version 2's ${file} read: ${fault}`,
  breakIt: async (w) => {
    await publish(w.mem, "2");
    w.store.inject(modelKey("custom", "2", file), fault);
    await point(w.mem, "2");
  },
  failed: { version: "2", error },
  mend: async (w) => w.store.heal(),
  mended: "2",
});
const pointerFault = (fault: Parameters<FaultyStore["inject"]>[1], error: RegExp): Case => ({
  fault: `the pointer read: ${fault}`,
  breakIt: async (w) => w.store.inject(pointerKey("custom"), fault),
  failed: { version: "current", error },
  mend: async (w) => w.store.heal(),
  mended: "1",
});
const STALLED = new RegExp(`no answer from the model store within ${TIMEOUT_MS} ms`);

const CASES: Case[] = [
  pointerFault("throw", new RegExp(`store read failed: ${INJECTED}`)),
  pointerFault("stall", STALLED),
  pointerFault("truncate", /is not a valid pointer/),
  newVersion("throw", "manifest.json", new RegExp(INJECTED)),
  newVersion("stall", "model_quantized.onnx", STALLED),
  newVersion("truncate", "model_quantized.onnx", /E402: model_quantized\.onnx: sha256 mismatch .*: truncated or tampered/),
  newVersion("corrupt", "model_quantized.onnx", /E402: model_quantized\.onnx: sha256 mismatch/),
  newVersion("corrupt", "manifest.json", /E402: manifest\.json of custom@2: sha256 does not match current\.json/),
  {
    fault: "a pointer to a version whose files are missing",
    breakIt: (w) => point(w.mem, "2"),
    failed: { version: "2", error: /manifest\.json is missing/ },
    mend: (w) => publish(w.mem, "2"),
    mended: "2",
  },
  {
    fault: "a version whose model file is missing",
    breakIt: async (w) => {
      await publish(w.mem, "2", TAGGER, ["manifest.json"]);
      await point(w.mem, "2");
    },
    failed: { version: "2", error: /model_quantized\.onnx is missing/ },
    mend: (w) => publish(w.mem, "2"),
    mended: "2",
  },
  {
    fault: "the manifest replaced between the pointer read and its own (version 2 republished in place)",
    breakIt: async (w) => {
      await publish(w.mem, "2");
      onceBefore(w, MANIFEST("2"), () => publish(w.mem, "2", CRF));
      await point(w.mem, "2");
    },
    failed: { version: "2", error: /sha256 does not match current\.json/ },
    mend: (w) => point(w.mem, "2", CRF),
    mended: "2",
  },
  {
    fault: "the version republished in place after its manifest was read, before its model file",
    breakIt: async (w) => {
      await publish(w.mem, "2");
      onceBefore(w, ONNX("2"), () => publish(w.mem, "2", CRF));
      await point(w.mem, "2");
    },
    failed: { version: "2", error: /model_quantized\.onnx: sha256 mismatch/ },
    mend: (w) => point(w.mem, "2", CRF),
    mended: "2",
  },
];

/** Past the 30 s a failed version is not retried for (the Retry-After it sends). */
const afterRetryAfter = () => vi.setSystemTime(Date.now() + 31_000);

describe("store faults (Node)", () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ["Date"] }));
  afterEach(() => void vi.useRealTimers());

  it.each(CASES)("$fault: the good version answers, /health lists it, and the mended store is served", async (c) => {
    const w = await setup(true);
    await c.breakIt(w);
    // Twice: the second request meets the failure as remembered (not retried for 30 s) rather than as it happens.
    for (let i = 0; i < 2; i++) {
      const { res, body } = await w.ner();
      expect(res.status).toBe(200);
      expect(body.model!.version).toBe("1");
      expect(body.entities!.length).toBeGreaterThan(0);
    }
    expect(await w.failures()).toContainEqual({ name: "custom", ...c.failed, error: expect.stringMatching(c.failed.error), at: expect.any(String) });
    await c.mend(w);
    afterRetryAfter();
    const { res, body } = await w.ner();
    expect(res.status).toBe(200);
    expect(body.model!.version).toBe(c.mended);
    expect(await w.failures()).toEqual([]);
  });

  const COLD: Array<[string, Parameters<FaultyStore["inject"]>, RegExp]> = [
    ["the pointer read throws", [pointerKey("custom"), "throw"], new RegExp(INJECTED)],
    ["the pointer read stalls", [pointerKey("custom"), "stall"], STALLED],
    ["the model file comes back truncated", [ONNX("2"), "truncate"], /truncated or tampered/],
    ["the model file stalls", [ONNX("2"), "stall"], STALLED],
    ["the pointer names a version whose files are missing", [/custom\/2\//, "missing"], /manifest\.json is missing/],
  ];
  it.each(COLD)("%s, with no good version: 503 model_unavailable with Retry-After, until the store heals", async (_, fault, error) => {
    const w = await setup(false);
    await publish(w.mem, "2");
    await point(w.mem, "2");
    w.store.inject(...fault);
    const started = performance.now();
    const { res, body } = await w.ner();
    expect(performance.now() - started).toBeLessThan(20 * TIMEOUT_MS);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(body).toEqual({ error: { code: "model_unavailable", message: expect.any(String) } });
    expect(await w.failures()).toContainEqual(expect.objectContaining({ error: expect.stringMatching(error) }));
    w.store.heal();
    afterRetryAfter();
    expect((await w.ner()).body.model?.version).toBe("2");
    expect(await w.failures()).toEqual([]);
  });

  it("a version asked for by name goes on answering while the store is down, and concurrent requests all answer", async () => {
    const w = await setup(true);
    expect((await w.ner({ version: "1" })).body.model!.version).toBe("1");
    w.store.inject(/./, "stall");
    const answers = await Promise.all([w.ner({ version: "1" }), w.ner(), w.ner({ version: "1" }), w.ner()]);
    expect(answers.map((a) => [a.res.status, a.body.model?.version])).toEqual(Array(4).fill([200, "1"]));
    expect((await w.failures()).map((f) => f.version).sort()).toEqual(["1", "current"]);
    w.store.heal();
    await w.ner();
    expect(await w.failures()).toEqual([]);
  });
});

describe("withReadTimeout", () => {
  const read = async (body: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(body).arrayBuffer());

  it("errors a stream that stops mid-file, and an open that never answers; passes a healthy one unchanged", async () => {
    const mem = memoryStore({ streams: true });
    await mem.put(ONNX("1"), TAGGER.onnx);
    const store = faultyStore(mem);
    const timed = withReadTimeout(store, 50);
    expect(await read((await timed.open!(ONNX("1")))!.body)).toEqual(TAGGER.onnx);
    store.inject(ONNX("1"), "stall-body");
    const stalled = (await timed.open!(ONNX("1")))!;
    expect(stalled.size).toBe(TAGGER.onnx.byteLength);
    await expect(read(stalled.body)).rejects.toThrow(`${ONNX("1")}: no answer from the model store within 50 ms`);
    store.inject(ONNX("1"), "stall");
    await expect(timed.open!(ONNX("1"))).rejects.toThrow(/no answer/);
    await expect(timed.get(ONNX("1"))).rejects.toThrow(/no answer/);
  });

  it.each([
    [undefined, DEFAULT_STORE_TIMEOUT_MS],
    ["2500", 2500],
    ["0", DEFAULT_STORE_TIMEOUT_MS],
    ["soon", DEFAULT_STORE_TIMEOUT_MS],
  ])("STORE_TIMEOUT_MS=%s reads as %d ms", (value, ms) => expect(storeTimeoutMs(value)).toBe(ms));
});
