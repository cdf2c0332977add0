// `medner export`: a trained tagger → an exported folder (ONNX file named by DTYPE_FILES + manifest.json; for q8 also
// its ORT-format twin, which the Worker loads with its weights in place). For q8, a guard evaluates fp32 and q8 on the
// dev set and refuses a q8 file that loses accuracy, unless forced.
import { defaultContextRulesId } from "../../core/context/index.ts";
import { gitCommit } from "../git.ts";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DTYPE_FILES,
  FEATURIZER_VERSION,
  MednerError,
  ortFormatFile,
  sha256Hex,
  spanScores,
  TaggerEngine,
  type Doc,
  type Dtype,
  type Manifest,
  type Scores,
} from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { loadTagger, modelFacts } from "../model/io.ts";
import { SeedAverageTagger } from "../model/seed-average.ts";
import type { Tagger } from "../model/tagger.ts";
import { toOrtFormat } from "./ort-format.ts";
import { keepFrequentVectors } from "./prune-vectors.ts";
import { exportTaggerOnnx } from "./tagger-onnx.ts";

export interface ExportOptions {
  modelDir: string;
  out: string;
  dtype: Dtype;
  name: string;
  version?: string;
  /** Dev documents for the metrics in the manifest and the q8 guard. */
  dev?: Doc[];
  force?: boolean;
  /** Guard limits (default GUARD). */
  guard?: Partial<typeof GUARD>;
  /** Keep only the vectors of this many of the most frequent words (prune-vectors.ts): a smaller model for Workers. */
  vectorRows?: number;
  /** With vectorRows: also keep these words' vectors (the training corpus's). */
  vectorWords?: Iterable<string>;
  /** What the model was made from (repository path → sha256), recorded as the manifest's `source.inputs`. */
  inputs?: Record<string, string>;
  /** q8: also write the ORT-format twin (default true). A folder shipped in git leaves it out: it is rebuilt at start. */
  ortTwin?: boolean;
}

export interface GuardReport {
  fp32F1: number;
  q8F1: number;
  /** Share of fp32 entities that q8 finds identically (start, end, label). */
  agreement: number;
  passed: boolean;
}

export const GUARD = { maxF1Loss: 0.003, minAgreement: 0.99 };

function manifestFor(tagger: Tagger, o: ExportOptions, trainDataSha256: string | undefined, source: Record<string, unknown>): Manifest {
  return {
    name: o.name,
    version: o.version ?? new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z"),
    kind: "tagger",
    dtype: o.dtype,
    labels: tagger.labels,
    tags: tagger.tags,
    scheme: tagger.config.model.scheme,
    featurizer: { version: FEATURIZER_VERSION, config: { attributes: tagger.config.features.attributes, seeds: tagger.config.features.seeds } },
    receptiveField: tagger.config.model.depth * tagger.config.model.window,
    ...(tagger.transitions() ? { transitions: Array.from(tagger.transitions()!) } : {}),
    files: {},
    ...(trainDataSha256 ? { trainDataSha256 } : {}),
    createdAt: new Date().toISOString(),
    gitCommit: gitCommit(),
    source,
  };
}

/** Scores the graph `bytes` on `docs` in a session of its own, released before returning. */
async function score(manifest: Manifest, bytes: Uint8Array, docs: Doc[]): Promise<{ scores: Scores; preds: Array<Array<{ start: number; end: number; label: string }>> }> {
  const engine = new TaggerEngine(manifest, await createNodeRunner(bytes));
  try {
    // The network's own output, as training measured it: the document rules would spread any q8/fp32 difference to
    // every repeat of a string, and their score depends on how the corpus splits its documents.
    const preds = await engine.predict(docs.map((d) => d.text), { documentRules: false });
    return { scores: spanScores(docs.map((d, i) => ({ gold: d.entities, pred: preds[i]! }))), preds };
  } finally {
    await engine.release();
  }
}

const compact = (s: Scores) => ({
  micro: { precision: s.micro.precision, recall: s.micro.recall, f1: s.micro.f1 },
  labels: Object.fromEntries(Object.entries(s.labels).map(([l, v]) => [l, { precision: v.precision, recall: v.recall, f1: v.f1, support: v.support }])),
});

export async function exportModel(o: ExportOptions): Promise<{ manifest: Manifest; guard: GuardReport | null; file: string }> {
  const info = modelFacts(o.modelDir);
  const tagger = loadTagger(o.modelDir);
  try {
    const vectorRows = o.vectorRows ? keepFrequentVectors(tagger instanceof SeedAverageTagger ? tagger.members : [tagger], o.vectorRows, o.vectorWords) : null;
    const manifest = manifestFor(tagger, o, info.training.trainDataSha256 as string | undefined, {
      backend: info.training.backend,
      step: info.training.step,
      modelDir: o.modelDir,
      weightsSha256: info.weightsSha256,
      ...(info.training.members ? { members: info.training.members, seed: info.training.seed } : {}),
      ...(vectorRows ? { vectorRows } : {}),
      ...(o.inputs ? { inputs: o.inputs } : {}),
      // The context rules the service applies after this model (core/context), as the lexicon is recorded above.
      context: defaultContextRulesId(),
    });
    const bytes = exportTaggerOnnx(tagger, o.dtype);
    let guard: GuardReport | null = null;
    if (o.dev) {
      const main = await score(manifest, bytes, o.dev);
      manifest.devMetrics = { [o.dtype]: compact(main.scores) };
      if (o.dtype === "q8") {
        const fp32 = await score(manifest, exportTaggerOnnx(tagger, "fp32"), o.dev);
        manifest.devMetrics.fp32 = compact(fp32.scores);
        let same = 0;
        let total = 0;
        fp32.preds.forEach((ents, i) => {
          const q = new Set(main.preds[i]!.map((e) => `${e.start}:${e.end}:${e.label}`));
          total += ents.length;
          same += ents.filter((e) => q.has(`${e.start}:${e.end}:${e.label}`)).length;
        });
        const agreement = total ? same / total : 1;
        const limits = { ...GUARD, ...o.guard };
        const passed = fp32.scores.micro.f1 - main.scores.micro.f1 <= limits.maxF1Loss && agreement >= limits.minAgreement;
        guard = { fp32F1: fp32.scores.micro.f1, q8F1: main.scores.micro.f1, agreement, passed };
        if (!passed && !o.force)
          throw new MednerError(
            "E403",
            `q8 refused: dev F1 ${main.scores.micro.f1.toFixed(4)} vs fp32 ${fp32.scores.micro.f1.toFixed(4)} (limit: ${(limits.maxF1Loss * 100).toFixed(2)} points lost), entity agreement ${(agreement * 100).toFixed(2)}% (limit: ${(limits.minAgreement * 100).toFixed(2)}%); pass --force to export anyway`,
          );
      }
    }
    mkdirSync(o.out, { recursive: true });
    // Another dtype exported earlier from the same model stays listed; anything else in the folder is replaced.
    const previousPath = join(o.out, "manifest.json");
    if (existsSync(previousPath)) {
      const prev = JSON.parse(readFileSync(previousPath, "utf8")) as Manifest;
      // Same trained weights and the same vectors kept only (a pruned table and an unpruned file would disagree on
      // every row); the dtype being written keeps only metrics computed now.
      if (prev.source?.weightsSha256 === info.weightsSha256 && prev.name === manifest.name && JSON.stringify(prev.source?.vectorRows ?? null) === JSON.stringify(vectorRows)) {
        for (const [f, e] of Object.entries(prev.files)) if (f !== DTYPE_FILES[o.dtype] && f !== ortFormatFile(DTYPE_FILES[o.dtype]) && existsSync(join(o.out, f))) manifest.files[f] = e;
        const { [o.dtype]: _stale, ...others } = prev.devMetrics ?? {};
        manifest.devMetrics = { ...others, ...manifest.devMetrics };
        manifest.version = o.version ?? prev.version;
      }
    }
    const file = DTYPE_FILES[o.dtype];
    // Converted before anything is written, so a failed conversion leaves the folder as it was.
    const ort = o.dtype === "q8" && o.ortTwin !== false ? await toOrtFormat(bytes, "tagger") : null;
    writeFileSync(join(o.out, file), bytes);
    manifest.files[file] = { sha256: await sha256Hex(bytes), size: bytes.byteLength, dtype: o.dtype };
    if (ort) {
      writeFileSync(join(o.out, ortFormatFile(file)), ort);
      manifest.files[ortFormatFile(file)] = { sha256: await sha256Hex(ort), size: ort.byteLength, dtype: o.dtype };
    }
    // The edge serves q8 whenever the folder has it.
    manifest.dtype = manifest.files[DTYPE_FILES.q8] ? "q8" : "fp32";
    writeFileSync(previousPath, `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest, guard, file };
  } finally {
    tagger.dispose();
  }
}
