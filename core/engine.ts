// The inference engine for exported taggers, used by the CLI, the Node server and the Worker alike: featurize with the
// core featurizer, pack documents into padded batches with masks, run the ONNX session through an injected runner,
// decode with constrained Viterbi. The runner is the only part that touches onnxruntime (an adapter per runtime).
import { decodeEntities, type ScoredEntity } from "./decode.ts";
import { applyDocumentRules, type DocumentRulesOptions } from "./document-rules.ts";
import { MednerError } from "./errors.ts";
import { attributeSlots, featurize, PAD } from "./features.ts";
import type { Manifest } from "./manifest.ts";
import { tokenize } from "./tokenizer.ts";
import type { Token } from "./types.ts";
import { transitionConstraints, type TransitionConstraints } from "./viterbi.ts";

export type EngineEntity = ScoredEntity;

/** Runs the graph: `ids` `[batch, tokens, slots]` int32 and `mask` `[batch, tokens]` → log-probs `[batch, tokens, tags]`. */
export interface TaggerRunner {
  run(ids: Int32Array, mask: Float32Array, batch: number, tokens: number, slots: number): Promise<Float32Array>;
  /** Frees the session (its wasm or native memory); the runner must not be used afterwards. */
  release?(): Promise<void>;
}

/** After decoding, the document rules (abbreviations, label consistency) run unless `documentRules` is false. */
export interface TaggerPredictOptions extends DocumentRulesOptions {
  documentRules?: boolean;
}

export interface EngineOptions {
  /**
   * Padded tokens per session run (batch × longest piece); bounds memory per run. A note longer than this is run in
   * pieces, each with the model's receptive field of context on both sides (the same answer as whole), where the
   * manifest gives it. Default 8192; a Worker uses less (activations grow with it: docs/workers.md).
   */
  maxBatchTokens?: number;
}

/** A stretch of one document run at once: its tokens `[from, to)`, of which `[start, end)` are kept. */
interface Piece {
  doc: number;
  from: number;
  to: number;
  start: number;
  end: number;
}

/** `n` tokens cut into runs of at most `size`, each keeping `size − 2·context` tokens and seeing `context` more on each side. */
export function planPieces(doc: number, n: number, size: number, context: number | undefined): Piece[] {
  const keep = size - 2 * (context ?? 0);
  if (n <= size || context === undefined || keep < 1) return [{ doc, from: 0, to: n, start: 0, end: n }];
  const pieces: Piece[] = [];
  for (let start = 0; start < n; start += keep) {
    const end = Math.min(n, start + keep);
    pieces.push({ doc, from: Math.max(0, start - context), to: Math.min(n, end + context), start, end });
  }
  return pieces;
}

export class TaggerEngine {
  private readonly constraints: TransitionConstraints;
  private readonly slots: number;

  constructor(
    readonly manifest: Manifest,
    private readonly runner: TaggerRunner,
    private readonly options: EngineOptions = {},
  ) {
    this.constraints = transitionConstraints(manifest.tags, manifest.scheme);
    const K = manifest.tags.length;
    if (manifest.transitions && manifest.transitions.length !== K * K)
      throw new MednerError("E401", `manifest.json: transitions has ${manifest.transitions.length} values, expected ${K * K} (tags × tags)`);
    manifest.featurizer.config.attributes.forEach((a, i) => {
      // A lexicon without its phrases would match nothing: the model would run without the feature it learnt.
      if (a.type === "lexicon" && !a.entries?.length) throw new MednerError("E401", `manifest.json: featurizer attribute ${i} (lexicon) has no entries`);
      // The featurizer binary-searches `known` for a word's row: it must be the table's words, sorted.
      if (a.type !== "vectors") return;
      const known = a.known ?? [];
      if (known.length !== a.rows || known.some((h, j) => j > 0 && h <= known[j - 1]!))
        throw new MednerError("E401", `manifest.json: featurizer attribute ${i} (vectors) needs ${a.rows} sorted word hashes in known, has ${known.length}${known.length === a.rows ? " unsorted" : ""}`);
    });
    this.slots = attributeSlots(manifest.featurizer.config).reduce((a, b) => a + b, 0);
  }

  /** Frees the runner's session; call only once no prediction is running or will run. */
  async release(): Promise<void> {
    await this.runner.release?.();
  }

  async predict(texts: readonly string[], options: TaggerPredictOptions = {}): Promise<EngineEntity[][]> {
    const docs = texts.map((text) => {
      const tokens = tokenize(text);
      return { text, tokens, ids: featurize(tokens, this.manifest.featurizer.config) };
    });
    const S = this.slots;
    const K = this.manifest.tags.length;
    const budget = this.options.maxBatchTokens ?? 8192;
    const lps = docs.map((d) => new Float32Array(d.tokens.length * K));
    // Shortest first, so each padded batch wastes little.
    const pieces = docs.flatMap((d, j) => planPieces(j, d.tokens.length, budget, this.manifest.receptiveField)).sort((a, b) => a.to - a.from - (b.to - b.from));
    let i = 0;
    while (i < pieces.length) {
      const batch: Piece[] = [];
      while (i < pieces.length && (batch.length === 0 || (batch.length + 1) * (pieces[i]!.to - pieces[i]!.from) <= budget)) batch.push(pieces[i++]!);
      const T = Math.max(1, ...batch.map((p) => p.to - p.from));
      const ids = new Int32Array(batch.length * T * S).fill(PAD);
      const mask = new Float32Array(batch.length * T);
      batch.forEach((p, b) => {
        ids.set(docs[p.doc]!.ids.subarray(p.from * S, p.to * S), b * T * S);
        mask.fill(1, b * T, b * T + p.to - p.from);
      });
      const lp = await this.runner.run(ids, mask, batch.length, T, S);
      if (lp.length !== batch.length * T * K) throw new MednerError("E401", `model output has ${lp.length} values, expected ${batch.length * T * K}`);
      batch.forEach((p, b) => lps[p.doc]!.set(lp.subarray((b * T + p.start - p.from) * K, (b * T + p.end - p.from) * K), p.start * K));
    }
    const out = docs.map((d, j) => this.decode(d.text, d.tokens, lps[j]!));
    return options.documentRules === false ? out : applyDocumentRules(texts, out, options, docs.map((d) => d.tokens));
  }

  private decode(text: string, tokens: Token[], lp: Float32Array): EngineEntity[] {
    return decodeEntities(text, tokens, lp, this.manifest.tags, this.constraints, this.manifest.transitions);
  }
}
