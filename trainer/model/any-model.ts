// `evaluate` and `predict` accept a tfjs model folder (model.json) or an exported one (manifest.json): both answer
// through the same interface, with the same output.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadExportedTagger, MednerError, type Dtype, type TaggerPredictOptions, type ScoredEntity } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { initBackend } from "../backend.ts";
import { loadTagger } from "./io.ts";

export interface AnyModel {
  kind: "tfjs" | "onnx";
  labels: string[];
  predict(texts: readonly string[], options?: TaggerPredictOptions): Promise<ScoredEntity[][]>;
  /** Frees the tfjs tensors or the onnxruntime session; the model must not be used afterwards. */
  dispose(): Promise<void>;
}

export async function openModel(dir: string, dtype?: Dtype): Promise<AnyModel> {
  if (existsSync(join(dir, "manifest.json"))) {
    const read = async (name: string) => (existsSync(join(dir, name)) ? new Uint8Array(readFileSync(join(dir, name))) : null);
    const engine = await loadExportedTagger(read, createNodeRunner, dtype ? { dtype } : {});
    return { kind: "onnx", labels: engine.manifest.labels, predict: (t, o) => engine.predict(t, o), dispose: () => engine.release() };
  }
  if (!existsSync(dir)) throw new MednerError("E302", `${dir}: no such model directory`);
  await initBackend();
  const tagger = loadTagger(dir);
  return { kind: "tfjs", labels: tagger.labels, predict: async (t, o) => tagger.predict(t, o), dispose: async () => tagger.dispose() };
}

/** Opens the model at `dir`, hands it to `use`, and frees it afterwards, also when `use` throws. */
export async function withModel<T>(dir: string, dtype: Dtype | undefined, use: (model: AnyModel) => Promise<T>): Promise<T> {
  const model = await openModel(dir, dtype);
  try {
    return await use(model);
  } finally {
    await model.dispose();
  }
}
