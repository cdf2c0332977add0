import { describe, expect, it } from "vitest";
import { mergeEnsemble } from "./ensemble.ts";
import type { SourcedEntity } from "./types.ts";

const note = "Metformin for type 2 diabetes; chest pain after PCI.";
const at = (text: string, label: string, score: number, source: string, nth = 0): SourcedEntity => {
  let start = -1;
  for (let i = 0; i <= nth; i++) start = note.indexOf(text, start + 1);
  return { text, label, start, end: start + text.length, score, source };
};

describe("mergeEnsemble", () => {
  it("keeps one entity when both models agree, with the higher score and both sources", () => {
    const out = mergeEnsemble([at("Metformin", "MEDICATION", 0.8, "custom")], [at("Metformin", "MEDICATION", 0.95, "transformer")]);
    expect(out).toEqual([{ ...at("Metformin", "MEDICATION", 0.95, "custom+transformer") }]);
  });

  it("lets the higher score win an overlap between the models, whatever its label", () => {
    const out = mergeEnsemble([at("diabetes", "DISEASE", 0.7, "custom")], [at("type 2 diabetes", "DISEASE", 0.9, "transformer")]);
    expect(out.map((e) => [e.text, e.source])).toEqual([["type 2 diabetes", "transformer"]]);
    const out2 = mergeEnsemble([at("PCI", "TREATMENT", 0.9, "custom")], [at("PCI", "DISEASE", 0.6, "transformer")]);
    expect(out2.map((e) => [e.text, e.label])).toEqual([["PCI", "TREATMENT"]]);
  });

  it("breaks a score tie by length, then in favour of the custom model", () => {
    const tieLen = mergeEnsemble([at("diabetes", "DISEASE", 0.8, "custom")], [at("type 2 diabetes", "DISEASE", 0.8, "transformer")]);
    expect(tieLen.map((e) => e.text)).toEqual(["type 2 diabetes"]);
    const tie = mergeEnsemble([at("chest pain", "DISEASE", 0.8, "custom")], [at("chest pain", "MEDICATION", 0.8, "transformer")]);
    expect(tie.map((e) => [e.label, e.source])).toEqual([["DISEASE", "custom"]]);
  });

  it("keeps the transformer's other labels only where no canonical entity overlaps them", () => {
    const out = mergeEnsemble(
      [at("chest pain", "DISEASE", 0.6, "custom")],
      [at("chest pain", "Sign_symptom", 0.99, "transformer"), at("after", "Time", 0.5, "transformer"), at("Metformin", "MEDICATION", 0.9, "transformer")],
    );
    expect(out.map((e) => [e.text, e.label, e.source])).toEqual([
      ["Metformin", "MEDICATION", "transformer"],
      ["chest pain", "DISEASE", "custom"],
      ["after", "Time", "transformer"],
    ]);
  });

  it("keeps the custom model's own labels too (a BC5CDR model's Chemical), where no canonical entity overlaps them", () => {
    const out = mergeEnsemble(
      [at("Metformin", "Chemical", 0.9, "custom"), at("diabetes", "Disease", 0.8, "custom"), at("PCI", "Chemical", 0.4, "custom")],
      [at("type 2 diabetes", "DISEASE", 0.7, "transformer"), at("PCI", "Diagnostic_procedure", 0.6, "transformer")],
    );
    // "diabetes" (Disease, 0.8) loses to the canonical DISEASE it overlaps; "PCI" goes to the higher-scored other label.
    expect(out.map((e) => [e.text, e.label, e.source])).toEqual([
      ["Metformin", "Chemical", "custom"],
      ["type 2 diabetes", "DISEASE", "transformer"],
      ["PCI", "Diagnostic_procedure", "transformer"],
    ]);
    // Equal scores between other labels: the longer span, then the custom model.
    const tie = mergeEnsemble([at("chest pain", "Symptom", 0.5, "custom")], [at("chest pain", "Sign_symptom", 0.5, "transformer")]);
    expect(tie.map((e) => [e.label, e.source])).toEqual([["Symptom", "custom"]]);
  });

  it("returns entities in text order and never two that overlap", () => {
    const out = mergeEnsemble(
      [at("Metformin", "MEDICATION", 0.5, "custom"), at("type 2 diabetes", "DISEASE", 0.5, "custom"), at("PCI", "TREATMENT", 0.9, "custom")],
      [at("2 diabetes", "DISEASE", 0.6, "transformer"), at("pain", "DISEASE", 0.6, "transformer")],
    );
    for (let i = 1; i < out.length; i++) expect(out[i]!.start).toBeGreaterThanOrEqual(out[i - 1]!.end);
    expect(out.map((e) => e.text)).toEqual(["Metformin", "2 diabetes", "pain", "PCI"]);
  });
});
