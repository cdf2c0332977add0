// The exported fixture model inside workerd: loads through the workerd ort adapter and finds exactly the entities the
// Node engine found (tests/fixtures/models/tiny-tagger/expected.json, written by scripts/build-fixture-tagger.ts).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadExportedTagger } from "../../core/index.ts";
import { createWorkerdRunner } from "../../functions/adapters/ort-workerd.ts";
import expected from "../fixtures/models/tiny-tagger/expected.json";
import expectedCrf from "../fixtures/models/tiny-tagger-crf/expected.json";

type Files = Record<string, string>;
const bindings = env as unknown as { FIXTURE_TAGGER: Files; FIXTURE_TAGGER_CRF: Files; FIXTURE_TAGGER_ORT: Files };
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const reader = (files: Files) => async (name: string) => (files[name] ? bytes(files[name]) : null);
const read = reader(bindings.FIXTURE_TAGGER);

describe("engine in workerd", () => {
  for (const [name, files, want] of [
    ["the tiny tagger", bindings.FIXTURE_TAGGER, expected],
    ["the tiny tagger with a CRF layer and word vectors", bindings.FIXTURE_TAGGER_CRF, expectedCrf],
  ] as const)
    it(`gives the same entities as in Node: ${name}`, async () => {
      const engine = await loadExportedTagger(reader(files), createWorkerdRunner);
      const got = await engine.predict(want.sentences, { documentRules: false });
      expect(got.flat().length).toBeGreaterThan(3);
      expect(got.map((es) => es.map(({ score, ...rest }) => rest))).toEqual(want.entities.map((es) => es.map(({ score, ...rest }) => rest)));
      got.flat().forEach((e, i) => expect(e.score).toBeCloseTo(want.entities.flat()[i]!.score, 6));
    });

  it("streams the ORT-format twin into the wasm heap and answers as the ONNX file does", async () => {
    const files = bindings.FIXTURE_TAGGER_ORT;
    const opened: string[] = [];
    const open = async (name: string) => {
      opened.push(name);
      const b = files[name] ? bytes(files[name]) : null;
      return b && { size: b.byteLength, body: new Blob([b]).stream() };
    };
    const engine = await loadExportedTagger(reader(files), createWorkerdRunner, { open });
    expect(opened).toEqual(["model_quantized.ort"]);
    const got = await engine.predict(expected.sentences, { documentRules: false });
    expect(got.map((es) => es.map(({ score, ...rest }) => rest))).toEqual(expected.entities.map((es) => es.map(({ score, ...rest }) => rest)));
    got.flat().forEach((e, i) => expect(e.score).toBeCloseTo(expected.entities.flat()[i]!.score, 5));
    await engine.release();
  });

  it("runs the document rules after decoding, unless told not to", async () => {
    const engine = await loadExportedTagger(read, createWorkerdRunner);
    const text = "Pt on lisinopril (LSN) daily for HTN. LSN held.";
    const strings = (es: Array<{ text: string }>) => es.map((e) => e.text);
    expect(strings((await engine.predict([text], { documentRules: false }))[0]!)).toEqual(["lisinopril", "HTN"]);
    expect(strings((await engine.predict([text]))[0]!)).toEqual(["lisinopril", "LSN", "HTN", "LSN"]);
  });

  it("the CRF fixture really uses transitions and vectors", async () => {
    const manifest = JSON.parse(new TextDecoder().decode((await reader(bindings.FIXTURE_TAGGER_CRF)("manifest.json"))!));
    expect(manifest.transitions.length).toBe(manifest.tags.length ** 2);
    expect(manifest.featurizer.config.attributes.at(-1)).toMatchObject({ type: "vectors", rows: 2000, dim: 100 });
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
