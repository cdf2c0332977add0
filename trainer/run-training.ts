// Trains a tagger into OUT/: model-last/ on every evaluation (and on interruption or error), model-best/ when dev F1
// improves, metrics.json with the whole history, and training-curve.svg — what `medner train` runs.
import { copyFileSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MednerError, sha256Stream, type Doc, type Scores } from "../core/index.ts";
import type { BackendInfo } from "./backend.ts";
import { trainingCurveSvg, type CurvePoint } from "./curve.ts";
import type { TaggerConfig } from "./model/config.ts";
import { saveTagger } from "./model/io.ts";
import { rng, shuffle } from "./model/rng.ts";
import type { Tagger } from "./model/tagger.ts";
import { trainTagger, type PartialCorpus, type TrainEvent } from "./training-loop.ts";

export interface TrainingRun {
  config: TaggerConfig;
  train: Doc[];
  dev: Doc[];
  /** Extra, partially annotated training corpora (`medner train --partial`). */
  partial?: PartialCorpus[];
  out: string;
  backend: BackendInfo;
  dataDescription: Record<string, string>;
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent) => void;
  onProblems?: (count: number, examples: string[]) => void;
}

export interface TrainingSummary {
  bestStep: number;
  bestF1: number;
  best: Scores | null;
  steps: number;
  wallSeconds: number;
  interrupted: boolean;
}

export function dataHash(docs: Doc[]): string {
  const h = sha256Stream();
  const utf8 = new TextEncoder();
  for (const d of docs) h.update(utf8.encode(JSON.stringify([d.text, d.entities])));
  return h.hex();
}

/** Holds out `fraction` of the documents (seeded) when no dev set is given. */
export function splitDev(docs: Doc[], fraction: number, seed: number): { train: Doc[]; dev: Doc[] } {
  if (fraction <= 0 || docs.length < 2)
    throw new MednerError("E301", `no dev set: pass --dev, or keep training.devFraction > 0 with at least 2 documents (have ${docs.length})`);
  const order = shuffle([...docs], rng(seed + 7));
  const n = Math.max(1, Math.round(docs.length * fraction));
  return { dev: order.slice(0, n), train: order.slice(n) };
}

/**
 * `to` becomes a copy of the model folder `from`, made of hard links where the file system allows: saveTagger always
 * writes a new folder and renames it into place, so a linked file is never modified afterwards, and a model with word
 * vectors (hundreds of MB) is not copied at every improvement. Built beside `to` and renamed, like saveTagger.
 */
function snapshot(from: string, to: string): void {
  const tmp = `${to}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const f of readdirSync(from)) {
    try {
      linkSync(join(from, f), join(tmp, f));
    } catch {
      copyFileSync(join(from, f), join(tmp, f));
    }
  }
  rmSync(to, { recursive: true, force: true });
  renameSync(tmp, to);
}

export async function runTraining(run: TrainingRun): Promise<TrainingSummary> {
  const { out, config } = run;
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  const history: Array<Record<string, unknown>> = [];
  const curve: CurvePoint[] = [];
  let best: { step: number; f1: number; scores: Scores | null } = { step: 0, f1: -1, scores: null };
  let last: { tagger: Tagger; step: number; epoch: number } | null = null;
  let saved = -1;
  let interrupted = false;
  const facts = (step: number, epoch: number) => ({
    backend: run.backend.name,
    tfjs: run.backend.tfjsVersion,
    seed: config.seed,
    step,
    epoch,
    data: run.dataDescription,
    trainDataSha256: dataHash([...run.train, ...(run.partial ?? []).flatMap((p) => p.docs)]),
    bestDevF1: best.f1,
    savedAt: new Date().toISOString(),
  });
  const writeReport = () => {
    const wallSeconds = (performance.now() - started) / 1000;
    writeFileSync(
      join(out, "metrics.json"),
      `${JSON.stringify({ backend: run.backend.name, data: run.dataDescription, config, best: { step: best.step, f1: best.f1, scores: best.scores }, wallSeconds, history }, null, 2)}\n`,
    );
    writeFileSync(join(out, "training-curve.svg"), trainingCurveSvg(curve, `medner tagger — ${run.backend.name} backend`));
  };
  try {
    for await (const e of trainTagger({ config, train: run.train, dev: run.dev, ...(run.partial ? { partial: run.partial } : {}), ...(run.signal ? { signal: run.signal } : {}), ...(run.onProblems ? { onProblems: run.onProblems } : {}) })) {
      last = { tagger: e.tagger, step: e.step, epoch: e.epoch };
      if (e.kind === "eval") {
        const s = e.scores!;
        history.push({ step: e.step, epoch: e.epoch, loss: e.loss, learnRate: e.learnRate, wordsPerSecond: e.wordsPerSecond, f1: s.micro.f1, precision: s.micro.precision, recall: s.micro.recall, labels: s.labels });
        curve.push({ step: e.step, loss: e.loss, f1: s.micro.f1 });
        if (e.isBest) best = { step: e.step, f1: s.micro.f1, scores: s };
        saveTagger(e.tagger, join(out, "model-last"), facts(e.step, e.epoch));
        saved = e.step;
        if (e.isBest) snapshot(join(out, "model-last"), join(out, "model-best"));
        writeReport();
      }
      run.onEvent?.(e);
    }
    interrupted = run.signal?.aborted ?? false;
  } finally {
    // On Ctrl-C or an exception, model-last/ still holds the latest weights.
    if (last && saved !== last.step) saveTagger(last.tagger, join(out, "model-last"), facts(last.step, last.epoch));
    writeReport();
    last?.tagger.dispose();
  }
  return { bestStep: best.step, bestF1: best.f1, best: best.scores, steps: last?.step ?? 0, wallSeconds: (performance.now() - started) / 1000, interrupted };
}
