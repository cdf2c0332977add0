// Builds a servable model from a published folder, whatever its kind: reads manifest.json once, then hands the
// folder to the tagger loader or the transformer loader. Both verify every file against the manifest's sha256.
import {
  dtypeFile,
  loadExportedTagger,
  manifestKind,
  servedFile,
  type EngineOptions,
  MednerError,
  type ModelKind,
  type OpenFile,
  parseJsonFile,
  type RunnerFactory,
  type ScoredEntity,
  type TaggerRunner,
} from "../core/index.ts";
import { entityLabels, loadTransformer, type Aggregation, type TransformerEngineOptions, type TransformerRunner } from "../core/transformer/index.ts";

export interface ServeOptions {
  /** Transformer only; the tagger decodes whole spans and ignores it. */
  aggregation?: Aggregation;
  /** Tagger only (default true): the document rules of core/document-rules.ts. */
  documentRules?: boolean;
}

/** A loaded model, as the registry and the routes see it. */
export interface Recognizer {
  kind: ModelKind;
  /** The labels its entities can carry (canonical where the model has them). */
  labels: string[];
  /** sha256 of the file being served (the ONNX file, or its ORT-format twin), from the manifest the loader verified. */
  servedSha256: string;
  predict(texts: readonly string[], options?: ServeOptions): Promise<ScoredEntity[][]>;
  /** Frees the model's session; the registry calls it once no request uses this version any more. */
  release(): Promise<void>;
}

export interface Runtimes {
  tagger: RunnerFactory<TaggerRunner>;
  transformer?: RunnerFactory<TransformerRunner>;
  /** How this runtime runs transformers (the Worker: shorter windows, for memory). */
  transformerOptions?: TransformerEngineOptions;
  /** How this runtime runs taggers (the Worker: fewer tokens per run, for memory). */
  taggerOptions?: EngineOptions;
}

export type ReadFile = (file: string) => Promise<Uint8Array | null>;

export function modelLoader(runtimes: Runtimes) {
  return async function loadModel(read: ReadFile, open?: OpenFile): Promise<Recognizer> {
    const raw = await read("manifest.json");
    if (!raw) throw new MednerError("E401", "manifest.json is missing");
    const kind = manifestKind(parseJsonFile(raw, "manifest.json"));
    const cached: ReadFile = (file) => (file === "manifest.json" ? Promise.resolve(raw) : read(file));
    if (kind === "transformer") {
      if (!runtimes.transformer) throw new MednerError("E401", "this server has no transformer runtime");
      const engine = await loadTransformer(cached, runtimes.transformer, { ...runtimes.transformerOptions, ...(open ? { open } : {}) });
      const m = engine.manifest;
      return {
        kind: "transformer",
        labels: entityLabels(m.labels),
        servedSha256: m.files[servedFile(m, dtypeFile("transformer", m.dtype), runtimes.transformer, open)]!.sha256,
        async predict(texts, options = {}) {
          const out = await engine.predict(texts, { aggregation: options.aggregation ?? "first" });
          // The engine already gives each entity its canonical label (core/transformer/canonical.ts).
          return out.map((es) => es.map((e) => ({ label: e.label, start: e.start, end: e.end, text: e.text, score: e.score, ...("entity" in e ? { tag: e.entity, index: e.index } : {}) })));
        },
        release: () => engine.release(),
      };
    }
    const engine = await loadExportedTagger(cached, runtimes.tagger, { ...runtimes.taggerOptions, ...(open ? { open } : {}) });
    const m = engine.manifest;
    const sha256 = m.files[servedFile(m, dtypeFile("tagger", m.dtype), runtimes.tagger, open)]!.sha256;
    return { kind: "tagger", labels: m.labels, servedSha256: sha256, predict: (texts, options) => engine.predict(texts, options), release: () => engine.release() };
  };
}
