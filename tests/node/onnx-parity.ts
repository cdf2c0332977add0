// Export-and-compare steps shared by the training-option tests: a trained model exported to fp32 ONNX and loaded by
// the Node engine, and the check that it finds what the tfjs model finds.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { loadExportedTagger, type Doc, type ScoredEntity, type TaggerEngine } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { exportModel } from "../../trainer/export/export-model.ts";

/** Exports `modelDir` as fp32 ONNX into a new folder (dev metrics from `dev`) and loads it with the Node engine. */
export async function exportFp32(modelDir: string, name: string, dev: Doc[]): Promise<{ dir: string; manifest: any; engine: TaggerEngine }> {
  const dir = mkdtempSync(join(tmpdir(), "medner-export-"));
  await exportModel({ modelDir, out: dir, dtype: "fp32", name, version: "1", dev });
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  const engine = await loadExportedTagger(async (f) => new Uint8Array(readFileSync(join(dir, f))), createNodeRunner, { dtype: "fp32" });
  return { dir, manifest, engine };
}

/** The ONNX engine's entities are the tfjs model's: the same spans and labels, scores within 1e-4; and there are some. */
export function expectSameEntities(fromOnnx: ScoredEntity[][], fromTfjs: ScoredEntity[][]): void {
  expect(fromTfjs.flat().length, "no entities to compare").toBeGreaterThan(0);
  expect(fromOnnx.map((es) => es.map(({ score, ...e }) => e))).toEqual(fromTfjs.map((es) => es.map(({ score, ...e }) => e)));
  fromOnnx.flat().forEach((e, i) => expect(e.score).toBeCloseTo(fromTfjs.flat()[i]!.score, 4));
}
