// The same app under Node: models from a folder laid out like the bucket, sessions through the Node ort adapter.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { taggerReference } from "../fixtures/tagger-reference.ts";
import { folderStoreWith } from "./folder-store.ts";
import { ROOT } from "./cli.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");

describe("Node app with a folder store", async () => {
  const root = await folderStoreWith(FIXTURE);
  const app = createApp({ createRunner: createNodeRunner, storeOf: () => fsStore(root), log: () => {} });
  // What the model's ONNX file finds, worked out without core's engine.
  const [want] = await taggerReference(FIXTURE, [TAGGER_NOTES[1]!]);

  it("serves /ner with the entities the model's ONNX file defines", async () => {
    const res = await app.request("/ner", { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer t" }, body: JSON.stringify({ text: TAGGER_NOTES[1] }) }, { API_TOKENS: "t" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entities: Array<{ text: string; label: string; start: number; end: number }> };
    expect(want!.length).toBeGreaterThan(0);
    expect(body.entities.map(({ text, label, start, end }) => ({ label, start, end, text }))).toEqual(want!.map(({ label, start, end, text }) => ({ label, start, end, text })));
  });

  it("lists the published model and refuses paths that climb out of the store", async () => {
    const res = await app.request("/models/custom", {}, { AUTH_DISABLED: "true" });
    expect(((await res.json()) as { currentVersion: string }).currentVersion).toBe("1");
    // A file beside the store: reachable by ".." if the store did not refuse it.
    writeFileSync(join(root, "..", "outside-the-store.txt"), "secret");
    expect(await fsStore(root).get("models/../../outside-the-store.txt")).toBeNull();
    expect(await fsStore(root).get("../outside-the-store.txt")).toBeNull();
  });

  it("GET /debug/memory exists only where MEMORY_PROBE is \"true\"", async () => {
    for (const env of [{ AUTH_DISABLED: "true" }, { AUTH_DISABLED: "true", MEMORY_PROBE: "1" }]) {
      const res = await app.request("/debug/memory", {}, env);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    const res = await app.request("/debug/memory", {}, { AUTH_DISABLED: "true", MEMORY_PROBE: "true" });
    expect(res.status).toBe(200);
    // This app has no wasm runtime of its own to report on: zeros, and the model the first test loaded.
    expect(await res.json()).toEqual({ wasmMemoryBytes: 0, modelBlockBytes: 0, models: [{ name: "custom", version: "1", kind: "tagger" }] });
  });
});
