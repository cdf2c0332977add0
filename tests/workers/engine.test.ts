// The exported fixture model inside workerd: loads through the workerd ort adapter and finds exactly the entities the
// Node engine found (tests/fixtures/models/tiny-tagger/expected.json, written by scripts/build-fixture-tagger.ts).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadExportedTagger } from "../../core/index.ts";
import { createWorkerdRunner } from "../../functions/adapters/ort-workerd.ts";
import expected from "../fixtures/models/tiny-tagger/expected.json";

const files = (env as unknown as { FIXTURE_TAGGER: Record<string, string> }).FIXTURE_TAGGER;
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const read = async (name: string) => (files[name] ? bytes(files[name]) : null);

describe("engine in workerd", () => {
  it("gives the same entities as in Node", async () => {
    const engine = await loadExportedTagger(read, createWorkerdRunner);
    const got = await engine.predict(expected.sentences);
    expect(got.map((es) => es.map(({ score, ...rest }) => rest))).toEqual(expected.entities.map((es) => es.map(({ score, ...rest }) => rest)));
    got.flat().forEach((e, i) => expect(e.score).toBeCloseTo(expected.entities.flat()[i]!.score, 6));
  });

  it("refuses a tampered ONNX file, naming the sha256 mismatch", async () => {
    const tampered = async (name: string) => {
      const b = await read(name);
      if (b && name.endsWith(".onnx")) b[b.length - 100]! ^= 0xff;
      return b;
    };
    await expect(loadExportedTagger(tampered, createWorkerdRunner)).rejects.toThrow(/E402: model_quantized\.onnx: sha256 mismatch/);
  });
});
