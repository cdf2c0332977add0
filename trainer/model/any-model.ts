// `evaluate` and `predict` accept a tfjs model folder (model.json), an exported tagger (manifest.json, a seed average
// included) or a transformer folder (manifest.json of kind "transformer", as `models:import` and `models:generate` write
// it): all answer through the same interface, with the service's output.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadExportedTagger, manifestKind, MednerError, parseJsonFile, type Dtype, type ScoredEntity, type TaggerPredictOptions } from "../../core/index.ts";
import { entityLabels, loadTransformer, type Aggregation, type TransformerEngineOptions } from "../../core/transformer/index.ts";
import { createNativeTransformerRunner } from "../../functions/adapters/ort-native-node.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { initBackend } from "../backend.ts";
import { loadTagger } from "./io.ts";

export interface PredictOptions extends TaggerPredictOptions {
  /** Transformer only (default "first", as the service): how word pieces become entities. */
  aggregation?: Aggregation;
}

export interface AnyModel {
  kind: "tfjs" | "onnx" | "transformer";
  labels: string[];
  predict(texts: readonly string[], options?: PredictOptions): Promise<ScoredEntity[][]>;
  /** Frees the tfjs tensors or the onnxruntime session; the model must not be used afterwards. */
  dispose(): Promise<void>;
}

/** Transformer folders only: the window the engine runs (default: the model's maxLength) and its overlap. */
export type WindowOptions = Pick<TransformerEngineOptions, "windowTokens" | "windowOverlap">;

export async function openModel(dir: string, dtype?: Dtype, windows: WindowOptions = {}): Promise<AnyModel> {
  if (existsSync(join(dir, "manifest.json"))) {
    const read = async (name: string) => (existsSync(join(dir, name)) ? new Uint8Array(readFileSync(join(dir, name))) : null);
    if (manifestKind(parseJsonFile((await read("manifest.json"))!, `${dir}/manifest.json`)) === "transformer") {
      // onnxruntime-node: the CLI runs on a machine with native threads; the engine and its answers are the same.
      const engine = await loadTransformer(read, createNativeTransformerRunner, { ...(dtype ? { dtype } : {}), ...windows });
      return {
        kind: "transformer",
        labels: entityLabels(engine.manifest.labels),
        predict: async (texts, o = {}) =>
          (await engine.predict(texts, { aggregation: o.aggregation ?? "first" })).map((es) =>
            es.map((e) => ({ label: e.label, start: e.start, end: e.end, text: e.text, score: e.score, ...("entity" in e ? { tag: e.entity, index: e.index } : {}) })),
          ),
        dispose: () => engine.release(),
      };
    }
    const engine = await loadExportedTagger(read, createNodeRunner, dtype ? { dtype } : {});
    return { kind: "onnx", labels: engine.manifest.labels, predict: (t, o) => engine.predict(t, o), dispose: () => engine.release() };
  }
  if (!existsSync(dir)) throw new MednerError("E302", `${dir}: no such model directory`);
  await initBackend();
  const tagger = loadTagger(dir);
  return { kind: "tfjs", labels: tagger.labels, predict: async (t, o) => tagger.predict(t, o), dispose: async () => tagger.dispose() };
}

/** Opens the model at `dir`, hands it to `use`, and frees it afterwards, also when `use` throws. */
export async function withModel<T>(dir: string, dtype: Dtype | undefined, use: (model: AnyModel) => Promise<T>, windows: WindowOptions = {}): Promise<T> {
  const model = await openModel(dir, dtype, windows);
  try {
    return await use(model);
  } finally {
    await model.dispose();
  }
}
