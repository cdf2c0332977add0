// The shipped default model (models/custom/default): its manifest must still match what it was made from, its files
// must be the ones the manifest names, and it must answer a clinical note as a clinician would label it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanScores } from "../../core/index.ts";
import { readCorpus } from "../../trainer/corpus/index.ts";
import { openModel, type AnyModel } from "../../trainer/model/any-model.ts";
import { changedInputs, defaultInputs, readShippedManifest, recordedInputs, SHIPPED } from "../../scripts/default-model.ts";

const manifest = readShippedManifest();

describe("the shipped default model", () => {
  it("was made from today's config, lexicon and corpus", () => {
    expect(manifest, "models/custom/default/manifest.json is missing: run npm run models:default").not.toBeNull();
    const changed = changedInputs(recordedInputs(manifest!), defaultInputs());
    expect(changed, `changed since models/custom/default was exported: run npm run models:default and commit it`).toEqual([]);
    expect(Object.keys(recordedInputs(manifest!)!)).toEqual(expect.arrayContaining(["models/custom/config.json", "models/lexicons/wordnet-chemical-disease.tsv", "data/clinical-notes/train.json", "data/clinical-notes/dev.json"]));
  });

  it("holds exactly the files its manifest names, byte for byte", () => {
    const files = Object.entries(manifest!.files);
    expect(files.map(([f]) => f)).toEqual(["model_quantized.onnx"]);
    for (const [file, entry] of files) {
      const bytes = readFileSync(join(SHIPPED, file));
      expect(bytes.byteLength).toBe(entry.size);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(entry.sha256);
    }
  });

  describe("answers", () => {
    let model: AnyModel;
    beforeAll(async () => {
      model = await openModel(SHIPPED);
    });
    afterAll(() => model.dispose());

    it("a clinical note with each entity where a clinician would mark it", async () => {
      const text = "72 yo M with HTN and type 2 diabetes mellitus, on metformin 500 mg PO BID and lisinopril. s/p CABG in 2019. Denies chest pain.";
      const [entities] = await model.predict([text]);
      expect(entities!.map((e) => [e.text, e.label])).toEqual([
        ["HTN", "DISEASE"],
        ["type 2 diabetes mellitus", "DISEASE"],
        ["metformin", "MEDICATION"],
        ["lisinopril", "MEDICATION"],
        ["CABG", "TREATMENT"],
        ["chest pain", "DISEASE"],
      ]);
      for (const e of entities!) expect(text.slice(e.start, e.end)).toBe(e.text);
    });

    it("the dev split with the F1 its manifest reports", async () => {
      const dev = readCorpus(join(SHIPPED, "../../../data/clinical-notes/dev.json")).docs;
      const preds = await model.predict(dev.map((d) => d.text), { documentRules: false });
      const f1 = spanScores(dev.map((d, i) => ({ gold: d.entities, pred: preds[i]! }))).micro.f1;
      expect(f1).toBeGreaterThan(0.8);
      expect(f1).toBeCloseTo(manifest!.devMetrics!.q8!.micro.f1, 10);
    });
  });
});
