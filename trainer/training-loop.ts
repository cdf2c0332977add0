// The training loop as a generator: it yields after every step and every evaluation, and the caller decides what to
// save (model-last on every evaluation, model-best when dev F1 improves) — the spaCy loop's shape.
import * as tf from "@tensorflow/tfjs";
import { attributeSlots, docToTags, featurize, PAD, spanScores, tokenize, withKnownWords, type Doc, type TaggerPredictOptions, type Scores } from "../core/index.ts";
import type { TaggerConfig } from "./model/config.ts";
import { ParamAverages } from "./model/averages.ts";
import { crfNll } from "./model/crf-loss.ts";
import { boundaries, forward } from "./model/network.ts";
import { DenseAdam } from "./model/optimizer.ts";
import { rng, shuffle } from "./model/rng.ts";
import { prepareLexicons } from "./model/lexicon.ts";
import { prepareVectors } from "./model/vectors.ts";
import { concatIds, Tagger, type Featurized } from "./model/tagger.ts";

export interface TrainingExample extends Featurized {
  tags: Int32Array;
  /** For partially annotated documents: `[tokens × tags]`, 1 where a tag is allowed. The loss is then
   * −log Σ_allowed p(tag): the tokens a corpus leaves unlabelled may be O or any label it does not annotate. */
  allowed?: Uint8Array;
}

/** A corpus annotated for only some labels (e.g. NCBI-disease: Disease only) — extra training data whose O tokens
 * may belong to the labels it does not annotate. */
export interface PartialCorpus {
  docs: Doc[];
  /** The labels this corpus annotates exhaustively. */
  labels: string[];
}

export interface TrainEvent {
  kind: "step" | "eval";
  step: number;
  epoch: number;
  /** Mean training loss over the steps since the previous event of this kind. */
  loss: number;
  learnRate: number;
  wordsPerSecond: number;
  /** Present on "eval" events. */
  scores?: Scores;
  isBest?: boolean;
  bestF1?: number;
  tagger: Tagger;
}

export interface TrainOptions {
  config: TaggerConfig;
  train: Doc[];
  dev: Doc[];
  signal?: AbortSignal;
  /** Extra, partially annotated training corpora. */
  partial?: PartialCorpus[];
  /** Called once with how many training spans had to be dropped (misaligned or overlapping). */
  onProblems?: (count: number, examples: string[]) => void;
}

export function corpusLabels(docs: Doc[]): string[] {
  return [...new Set(docs.flatMap((d) => d.entities.map((e) => e.label)))].sort();
}

/** Tags a token of a partially annotated corpus may take when the corpus tagged it O: O itself and every tag of a
 * label the corpus does not annotate. */
function openTags(tags: readonly string[], annotated: readonly string[]): number[] {
  return tags.flatMap((t, i) => (t === "O" || !annotated.includes(t.slice(2)) ? [i] : []));
}

export function toExamples(docs: Doc[], tagger: Tagger, annotated?: readonly string[]): { examples: TrainingExample[]; problems: string[] } {
  const index = new Map(tagger.tags.map((t, i) => [t, i]));
  const open = annotated ? openTags(tagger.tags, annotated) : null;
  const K = tagger.tags.length;
  const problems: string[] = [];
  const examples: TrainingExample[] = [];
  for (const doc of docs) {
    const t = docToTags(doc, tagger.config.model.scheme, { mode: "strict", overlap: "longest" });
    problems.push(...t.problems.map((p) => p.message));
    if (t.tokens.length === 0) continue;
    const tags = Int32Array.from(t.tags, (x) => index.get(x)!);
    const example: TrainingExample = { tokens: t.tokens, ids: featurize(t.tokens, tagger.config.features), tags };
    if (open) {
      const allowed = new Uint8Array(tags.length * K);
      tags.forEach((tag, i) => {
        if (t.tags[i] === "O") for (const k of open) allowed[i * K + k] = 1;
        else allowed[i * K + tag] = 1;
      });
      example.allowed = allowed;
    }
    examples.push(example);
  }
  return { examples, problems };
}

/**
 * Strict span scores of `tagger` on `docs`. By default the tagger alone, without the document rules: the training
 * curve and model-best follow what training changes.
 */
export function evaluateTagger(tagger: Tagger, docs: Doc[], options: TaggerPredictOptions = { documentRules: false }): Scores {
  const preds = tagger.predict(docs.map((d) => d.text), options);
  return spanScores(docs.map((d, i) => ({ gold: d.entities, pred: preds[i]! })));
}

function batches(examples: TrainingExample[], words: number, random: () => number): TrainingExample[][] {
  const order = shuffle([...examples], random);
  const out: TrainingExample[][] = [];
  let cur: TrainingExample[] = [];
  let n = 0;
  for (const ex of order) {
    if (cur.length && n + ex.tokens.length > words) {
      out.push(cur);
      cur = [];
      n = 0;
    }
    cur.push(ex);
    n += ex.tokens.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

export function learnRateAt(step: number, t: TaggerConfig["training"]): number {
  if (step <= t.warmupSteps) return (t.learnRate * step) / Math.max(1, t.warmupSteps);
  return t.decay ? t.learnRate * Math.sqrt(Math.max(1, t.warmupSteps) / step) : t.learnRate;
}

/** Hides the whole-word attributes of a random share of tokens (their slots become PAD, so no row is read or updated). */
function wordDropout(ids: Int32Array, n: number, config: TaggerConfig, random: () => number): Int32Array {
  const p = config.training.wordDropout;
  if (p <= 0) return ids;
  const slots = attributeSlots(config.features);
  const perToken = slots.reduce((a, b) => a + b, 0);
  const out = ids.slice();
  for (let t = 0; t < n; t++) {
    if (random() >= p) continue;
    let o = t * perToken;
    config.features.attributes.forEach((attr, a) => {
      if (attr.type === "norm" || attr.type === "lower") out.fill(PAD, o, o + slots[a]!);
      o += slots[a]!;
    });
  }
  return out;
}

/** Mean over tokens of −log Σ_allowed softmax(logits), with `logMask` 0 on allowed tags and −1e9 elsewhere: the usual
 * cross-entropy where exactly one tag is allowed, the partial-annotation likelihood where several are. */
export function partialNll(logits: tf.Tensor2D, logMask: tf.Tensor2D): tf.Scalar {
  return tf.logSumExp(logits, 1).sub(tf.logSumExp(logits.add(logMask), 1)).mean() as tf.Scalar;
}

/** One optimizer step on a batch; returns the loss. */
function step(tagger: Tagger, opt: DenseAdam, batch: TrainingExample[], stepNo: number, lr: number, random: () => number): number {
  const { config, embed, params } = tagger;
  const t = config.training;
  const n = batch.reduce((s, e) => s + e.tokens.length, 0);
  const ids = wordDropout(concatIds(batch), n, config, random);
  const K = tagger.tags.length;
  // log of the allowed-tag mask: 0 on the gold tag of fully annotated documents (on every allowed tag of partial
  // ones), a large negative number elsewhere.
  const logMaskData = new Float32Array(n * K).fill(-1e9);
  let o = 0;
  for (const e of batch) {
    if (e.allowed) {
      for (let i = 0; i < e.allowed.length; i++) if (e.allowed[i]) logMaskData[o * K + i] = 0;
    } else e.tags.forEach((tag, i) => (logMaskData[(o + i) * K + tag] = 0));
    o += e.tags.length;
  }
  const names = [...params.keys()];
  const x0 = tf.tensor2d(embed.lookup(ids, n), [n, embed.width]);
  const logMask = tf.tensor2d(logMaskData, [n, K]);
  const b = boundaries(
    batch.map((e) => e.tokens.length),
    config.model.window,
  );
  const crf = config.model.crf
    ? crfNll(
        batch.map((e) => e.tokens.length),
        Uint8Array.from(logMaskData, (v) => (v === 0 ? 1 : 0)),
        tagger.constraints,
      )
    : null;
  const f = (x: tf.Tensor, ...ps: tf.Tensor[]) => {
    const pm = new Map(names.map((name, i) => [name, ps[i]!]));
    const logits = forward(config, pm, x as tf.Tensor2D, b, { training: true, seed: config.seed * 1_000_003 + stepNo * 17 });
    return crf ? crf(logits, pm.get("crf.trans") as tf.Tensor2D) : partialNll(logits, logMask);
  };
  const { value, grads } = tf.valueAndGrads(f)([x0, ...names.map((name) => params.get(name)!)]);
  const loss = value.dataSync()[0]!;
  const dx0 = grads[0]!.dataSync() as Float32Array;
  const denseSq = tf.tidy(() => tf.addN(grads.slice(1).map((g) => g.square().sum())).dataSync()[0]!);
  const norm = Math.sqrt(denseSq + embed.gradSquare(dx0));
  const settings = { lr, beta1: t.beta1, beta2: t.beta2, step: stepNo, scale: norm > t.gradClip ? t.gradClip / norm : 1 };
  opt.apply(new Map(names.map((name, i) => [name, grads[i + 1]!])), settings);
  embed.update(ids, n, dx0, settings);
  tf.dispose([x0, logMask, value, ...grads, ...b.prev, ...b.next]);
  return loss;
}

export async function* trainTagger(opts: TrainOptions): AsyncGenerator<TrainEvent, void> {
  const { config, signal } = opts;
  const t = config.training;
  const trainDocs = [...opts.train, ...(opts.partial ?? []).flatMap((p) => p.docs)];
  // Whole-word attributes with a minCount learn rows only for the words training saw often enough (core/features.ts).
  function* trainTokens() {
    for (const d of trainDocs) for (const t of tokenize(d.text)) yield t.text;
  }
  // Pretrained word vectors (a `vectors` attribute) are read from their file and kept frozen; lexicons are read into
  // the config, which the model and its manifest carry to the edge.
  const prepared = prepareVectors(prepareLexicons({ ...config.features, ...withKnownWords(config.features, trainTokens()) }));
  const tagger = Tagger.create({ ...config, features: prepared.features }, corpusLabels([...trainDocs, ...opts.dev]), prepared.fixed);
  const { examples, problems } = toExamples(opts.train, tagger);
  for (const p of opts.partial ?? []) {
    const more = toExamples(p.docs, tagger, p.labels);
    examples.push(...more.examples);
    problems.push(...more.problems);
  }
  opts.onProblems?.(problems.length, problems.slice(0, 5));
  const opt = new DenseAdam(tagger.params);
  // With averaging on, evaluations (and so model-best and model-last) see the averaged weights.
  const averages = t.averaging ? new ParamAverages(tagger.params, tagger.embed) : null;
  const random = rng(config.seed + 1);
  let stepNo = 0;
  let best = -1;
  let sinceBest = 0;
  let lossSum = 0;
  let lossSteps = 0;
  let words = 0;
  let started = performance.now();
  let lastEval = 0;
  let epochNow = 1;
  const evaluate = (lr: number, wordsPerSecond: number): TrainEvent => {
    const scores = evaluateTagger(tagger, opts.dev);
    const isBest = scores.micro.f1 > best;
    if (isBest) {
      best = scores.micro.f1;
      sinceBest = 0;
    } else sinceBest++;
    lastEval = stepNo;
    const e: TrainEvent = { kind: "eval", step: stepNo, epoch: epochNow, loss: lossSum / Math.max(1, lossSteps), learnRate: lr, wordsPerSecond, scores, isBest, bestF1: best, tagger };
    lossSum = 0;
    lossSteps = 0;
    words = 0;
    started = performance.now();
    return e;
  };
  try {
    for (let epoch = 1; epoch <= t.maxEpochs; epoch++) {
      epochNow = epoch;
      for (const batch of batches(examples, t.batchWords, random)) {
        if (signal?.aborted || stepNo >= t.maxSteps) return;
        stepNo++;
        const lr = learnRateAt(stepNo, t);
        const loss = step(tagger, opt, batch, stepNo, lr, random);
        averages?.update(stepNo);
        // Let the event loop run between steps: SIGINT handlers and progress-bar timers need it.
        await new Promise((resolve) => setImmediate(resolve));
        lossSum += loss;
        lossSteps++;
        words += batch.reduce((s, e) => s + e.tokens.length, 0);
        const wordsPerSecond = words / ((performance.now() - started) / 1000);
        yield { kind: "step", step: stepNo, epoch, loss, learnRate: lr, wordsPerSecond, tagger };
        if (stepNo % t.evalEvery === 0 || stepNo === t.maxSteps) {
          averages?.swap();
          yield evaluate(lr, wordsPerSecond);
          averages?.swap();
          if (sinceBest >= t.patience) return;
        }
      }
    }
    // Out of epochs between two evaluations: evaluate what the last steps learned, so model-best always exists.
    if (stepNo > lastEval && !signal?.aborted) {
      averages?.swap();
      yield evaluate(learnRateAt(stepNo, t), 0);
    }
  } finally {
    // Whatever ends the run, the caller's final save of model-last gets the averaged weights.
    if (averages && !averages.swapped) averages.swap();
    averages?.dispose();
    opt.dispose();
  }
}
