// The folder store (the Node server's) on files that are missing, short, or not files: only a missing file reads as
// "not there"; a short one fails verification; any other read failure is the store's, and the good version serves on.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { modelKey, pointerKey, sha256Hex } from "../../core/index.ts";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import type { LoadFailure } from "../../functions/registry.ts";
import { withReadTimeout } from "../../functions/timed-store.ts";
import { ROOT } from "./cli.ts";
import { tempDir } from "./temp.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");
const manifest = readFileSync(join(FIXTURE, "manifest.json"));
const onnx = readFileSync(join(FIXTURE, "model_quantized.onnx"));

function write(root: string, key: string, bytes: Uint8Array | string) {
  mkdirSync(dirname(join(root, key)), { recursive: true });
  writeFileSync(join(root, key), bytes);
}

async function published(onnxBytes: Uint8Array = onnx) {
  const root = tempDir("fs-store");
  write(root, modelKey("custom", "1", "manifest.json"), manifest);
  write(root, modelKey("custom", "1", "model_quantized.onnx"), onnxBytes);
  write(root, pointerKey("custom"), JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(manifest) }));
  const app = createApp({ createRunner: createNodeRunner, storeOf: () => withReadTimeout(fsStore(root), 1000), log: () => {} });
  const env = { AUTH_DISABLED: "true", POINTER_TTL_SECONDS: "0" };
  const ner = () => app.request("/ner", { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"Pt on lisinopril."}' }, env);
  const failures = async () => ((await (await app.request("/health", {}, env)).json()) as { failures: LoadFailure[] }).failures;
  return { root, ner, failures };
}

describe("fsStore", () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ["Date"] }));
  afterEach(() => void vi.useRealTimers());

  it("reads a missing file, or a path through a file, as null, and throws any other failure", async () => {
    const root = tempDir("fs-store");
    const store = fsStore(root);
    expect(await store.get(pointerKey("custom"))).toBeNull();
    write(root, "models/custom", "a file where a folder should be");
    expect(await store.get(pointerKey("custom"))).toBeNull();
    mkdirSync(join(root, pointerKey("other")), { recursive: true });
    await expect(store.get(pointerKey("other"))).rejects.toMatchObject({ code: "EISDIR" });
  });

  it("a short model file (a publish still writing it) answers 503 until the file is whole, then serves", async () => {
    const { root, ner, failures } = await published(onnx.subarray(0, 1000));
    const res = await ner();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect((await failures()).map((f) => f.error)).toEqual([expect.stringMatching(/^E402: model_quantized\.onnx: sha256 mismatch .* for 1000 bytes\): truncated or tampered$/)]);
    write(root, modelKey("custom", "1", "model_quantized.onnx"), onnx);
    vi.setSystemTime(Date.now() + 31_000);
    expect((await ner()).status).toBe(200);
    expect(await failures()).toEqual([]);
  });

  it("a pointer that cannot be read (a folder in its place) keeps the good version serving, not 404", async () => {
    const { root, ner, failures } = await published();
    expect((await ner()).status).toBe(200);
    rmSync(join(root, pointerKey("custom")));
    mkdirSync(join(root, pointerKey("custom")));
    expect((await ner()).status).toBe(200);
    expect(await failures()).toEqual([expect.objectContaining({ version: "current", error: expect.stringMatching(/^store read failed: EISDIR/) })]);
    rmSync(join(root, pointerKey("custom")), { recursive: true });
    write(root, pointerKey("custom"), JSON.stringify({ version: "1", manifest_sha256: await sha256Hex(manifest) }));
    expect((await ner()).status).toBe(200);
    expect(await failures()).toEqual([]);
  });
});
