// The inference engine for transformer token classifiers (DistilBERT): WordPiece with offsets, windows for long notes,
// length-bucketed padded batches through an injected runner (the only part that touches onnxruntime), one merge per
// note, then Python-pipeline aggregation.
import { MednerError } from "../errors.ts";
import { aggregate, AGGREGATIONS, softmax, typeOf, type Aggregation, type TransformerEntity } from "./aggregation.ts";
import { canonicalLabel } from "./canonical.ts";
import type { TransformerManifest } from "./manifest.ts";
import { mergeWindows, planWindows, type TokenWindow } from "./windows.ts";
import { WordPieceTokenizer, type WordPieceToken } from "./wordpiece.ts";

/** Runs the graph: `input_ids`, `attention_mask` int64 `[batch, seq]` → `logits` float32 `[batch, seq, labels]`. */
export interface TransformerRunner {
  run(inputIds: BigInt64Array, attentionMask: BigInt64Array, batch: number, seq: number): Promise<Float32Array>;
  /** Frees the session (its wasm or native memory); the runner must not be used afterwards. */
  release?(): Promise<void>;
}

export interface TransformerEngineOptions {
  /**
   * Padded tokens per runner call (batch × seq). Attention memory grows with batch × heads × seq², about 12.6 MB per
   * 512-token window for DistilBERT, so the default of 1024 keeps a run well inside a Worker's 128 MB. Default 1024.
   */
  maxBatchTokens?: number;
  /**
   * Longest window in tokens, [CLS] and [SEP] included, capped at the model's maxLength (the default). Attention
   * memory grows with the square of it, so a Worker runs 256-token windows (scripts/bench/workerd-memory.ts and
   * windows.ts measure what that costs and changes).
   */
  windowTokens?: number;
  /** Tokens shared by consecutive windows of a long note. Default min(128, a quarter of a window). */
  windowOverlap?: number;
  /**
   * Run several windows in one padded batch (default true). q8 graphs quantize activations dynamically with one scale
   * per tensor, so a window's logits would depend on the other windows and the padding in its batch (measured: up to
   * 0.36 on a logit for the standard q8 graph, 0.008 for ours); the loader turns batching off for q8, so a note's
   * answer never depends on what else was asked, as in the Python pipeline, which runs one window at a time.
   */
  batchWindows?: boolean;
}

export interface TransformerPredictOptions {
  /** Default "simple", the strategy the model card uses. */
  aggregation?: Aggregation;
  /** Labels dropped after grouping. Default ["O"]. */
  ignoreLabels?: readonly string[];
}

/** One note's pieces and their merged logits `[tokens × labels]`. */
export interface ScoredNote {
  tokens: WordPieceToken[];
  logits: Float32Array;
}

interface Job {
  note: number;
  window: number;
  ids: number[];
}

export class TransformerEngine {
  private readonly windowSize: number;
  private readonly overlap: number;
  private readonly maxBatchTokens: number;
  private readonly batchWindows: boolean;
  private readonly labelOf: (type: string) => string;

  constructor(
    readonly manifest: TransformerManifest,
    readonly tokenizer: WordPieceTokenizer,
    private readonly runner: TransformerRunner,
    options: TransformerEngineOptions = {},
  ) {
    const windowTokens = Math.min(options.windowTokens ?? manifest.maxLength, manifest.maxLength);
    if (!Number.isInteger(windowTokens)) throw new MednerError("E401", `a window of ${windowTokens} tokens is not a whole number`);
    this.windowSize = windowTokens - 2;
    if (this.windowSize < 1) throw new MednerError("E401", `a window of ${windowTokens} tokens leaves no room between [CLS] and [SEP]`);
    this.overlap = options.windowOverlap ?? Math.min(128, Math.floor(this.windowSize / 4));
    planWindows(0, this.windowSize, this.overlap); // validates the overlap once, here, not per request
    this.maxBatchTokens = options.maxBatchTokens ?? 1024;
    this.batchWindows = options.batchWindows ?? true;
    const labels = new Map(manifest.labels.map((l) => { const type = typeOf(l); return [type, canonicalLabel(type)] as const; }));
    this.labelOf = (type) => labels.get(type) ?? canonicalLabel(type);
  }

  /** Frees the runner's session; call only once no prediction is running or will run. */
  async release(): Promise<void> {
    await this.runner.release?.();
  }

  async predict(texts: readonly string[], options: TransformerPredictOptions = {}): Promise<TransformerEntity[][]> {
    const aggregation = options.aggregation ?? "simple";
    if (!AGGREGATIONS.includes(aggregation)) throw new Error(`unknown aggregation ${String(aggregation)} (one of ${AGGREGATIONS.join(", ")})`);
    const notes = await this.score(texts);
    return notes.map((note, i) =>
      aggregate({
        text: texts[i]!,
        tokens: note.tokens,
        // In place: the merged logits are this call's own, and a long note's are megabytes.
        scores: softmax(note.logits, this.manifest.labels.length, note.logits),
        labels: this.manifest.labels,
        unkId: this.tokenizer.unkId,
        tokensToString: (t) => this.tokenizer.tokensToString(t),
        aggregation,
        ignoreLabels: options.ignoreLabels,
        labelOf: this.labelOf,
      }),
    );
  }

  /** Tokenizes, runs every window and merges them: one logits row per piece of each note. */
  async score(texts: readonly string[]): Promise<ScoredNote[]> {
    const L = this.manifest.labels.length;
    const notes = texts.map((text) => {
      const tokens = this.tokenizer.tokenize(text);
      return { tokens, windows: planWindows(tokens.length, this.windowSize, this.overlap), rows: [] as Float32Array[] };
    });
    const jobs: Job[] = notes.flatMap((n, note) => n.windows.map((w: TokenWindow, window) => ({ note, window, ids: n.tokens.slice(w.start, w.end).map((t) => t.id) })));
    // Similar lengths together, so padding wastes little.
    jobs.sort((a, b) => a.ids.length - b.ids.length);
    for (const batch of this.batches(jobs)) {
      const seq = batch.at(-1)!.ids.length + 2;
      const ids = new BigInt64Array(batch.length * seq).fill(BigInt(this.tokenizer.padId));
      const mask = new BigInt64Array(batch.length * seq);
      batch.forEach((job, b) => {
        const row = b * seq;
        ids[row] = BigInt(this.tokenizer.clsId);
        job.ids.forEach((id, t) => (ids[row + 1 + t] = BigInt(id)));
        ids[row + 1 + job.ids.length] = BigInt(this.tokenizer.sepId);
        mask.fill(1n, row, row + job.ids.length + 2);
      });
      const logits = await this.runner.run(ids, mask, batch.length, seq);
      if (logits.length !== batch.length * seq * L)
        throw new MednerError("E401", `model output has ${logits.length} values, expected ${batch.length * seq * L} (batch ${batch.length} × seq ${seq} × ${L} labels)`);
      batch.forEach((job, b) => {
        const from = (b * seq + 1) * L;
        notes[job.note]!.rows[job.window] = logits.subarray(from, from + job.ids.length * L);
      });
    }
    return notes.map((n) => ({ tokens: n.tokens, logits: mergeWindows(n.tokens.length, n.windows, n.rows, L) }));
  }

  /** Consecutive runs of the sorted jobs whose padded size fits the budget (a single window always fits). */
  private *batches(jobs: Job[]): Generator<Job[]> {
    let batch: Job[] = [];
    for (const job of jobs) {
      if (batch.length > 0 && (!this.batchWindows || (batch.length + 1) * (job.ids.length + 2) > this.maxBatchTokens)) {
        yield batch;
        batch = [];
      }
      batch.push(job);
    }
    if (batch.length > 0) yield batch;
  }
}
