// The exported fixture models inside workerd: they load through the workerd ort adapter and find exactly the entities
// their ONNX files define (worked out in Node without core's engine: tests/fixtures/tagger-reference.ts), which include
// the ones marked by hand.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadExportedTagger, type ScoredEntity } from "../../core/index.ts";
import { createWorkerdRunner } from "../../functions/adapters/ort-workerd.ts";
import { HAND_CHECKED, TAGGER_NOTES } from "../fixtures/tagger-notes.ts";

type Files = Record<string, string>;
type Reference = Record<"tagger" | "crf", ScoredEntity[][]>;
const bindings = env as unknown as { FIXTURE_TAGGER: Files; FIXTURE_TAGGER_CRF: Files; FIXTURE_TAGGER_ORT: Files; TAGGER_REFERENCE: Reference };
const reference = bindings.TAGGER_REFERENCE;
const unscored = (es: ScoredEntity[][]) => es.map((xs) => xs.map(({ score, ...rest }) => rest));
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const reader = (files: Files) => async (name: string) => (files[name] ? bytes(files[name]) : null);
const read = reader(bindings.FIXTURE_TAGGER);

describe("engine in workerd", () => {
  for (const [name, files, want] of [
    ["the tiny tagger", bindings.FIXTURE_TAGGER, reference.tagger],
    ["the tiny tagger with a CRF layer and word vectors", bindings.FIXTURE_TAGGER_CRF, reference.crf],
  ] as const)
    it(`finds what its ONNX file defines, the hand-marked entities among them: ${name}`, async () => {
      const engine = await loadExportedTagger(reader(files), createWorkerdRunner);
      const got = await engine.predict(TAGGER_NOTES, { documentRules: false });
      expect(got.flat().length).toBeGreaterThan(5);
      expect(unscored(got)).toEqual(unscored(want));
      got.flat().forEach((e, i) => expect(e.score).toBeCloseTo(want.flat()[i]!.score, 5));
      unscored(got).forEach((es, i) => expect(es).toEqual(expect.arrayContaining(HAND_CHECKED[i]!)));
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
    const got = await engine.predict(TAGGER_NOTES, { documentRules: false });
    expect(got.flat().length).toBeGreaterThan(5);
    expect(unscored(got)).toEqual(unscored(reference.tagger));
    got.flat().forEach((e, i) => expect(e.score).toBeCloseTo(reference.tagger.flat()[i]!.score, 5));
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
