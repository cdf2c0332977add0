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
export interface PredictOptions extends DocumentRulesOptions {
  documentRules?: boolean;
}

export interface EngineOptions {
  /** Padded tokens per session run (batch × longest document); bounds memory per run. Default 8192. */
  maxBatchTokens?: number;
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

  async predict(texts: readonly string[], options: PredictOptions = {}): Promise<EngineEntity[][]> {
    const docs = texts.map((text) => {
      const tokens = tokenize(text);
      return { text, tokens, ids: featurize(tokens, this.manifest.featurizer.config) };
    });
    const out: EngineEntity[][] = new Array(docs.length);
    // Shortest first, so each padded batch wastes little.
    const order = docs.map((_, i) => i).sort((a, b) => docs[a]!.tokens.length - docs[b]!.tokens.length);
    const budget = this.options.maxBatchTokens ?? 8192;
    let i = 0;
    while (i < order.length) {
      const batch: number[] = [];
      while (i < order.length && (batch.length === 0 || (batch.length + 1) * docs[order[i]!]!.tokens.length <= budget)) batch.push(order[i++]!);
      const T = Math.max(1, ...batch.map((j) => docs[j]!.tokens.length));
      const S = this.slots;
      const ids = new Int32Array(batch.length * T * S).fill(PAD);
      const mask = new Float32Array(batch.length * T);
      batch.forEach((j, b) => {
        ids.set(docs[j]!.ids, b * T * S);
        mask.fill(1, b * T, b * T + docs[j]!.tokens.length);
      });
      const lp = await this.runner.run(ids, mask, batch.length, T, S);
      const K = this.manifest.tags.length;
      if (lp.length !== batch.length * T * K) throw new MednerError("E401", `model output has ${lp.length} values, expected ${batch.length * T * K}`);
      batch.forEach((j, b) => {
        const d = docs[j]!;
        out[j] = this.decode(d.text, d.tokens, lp.subarray(b * T * K, (b * T + d.tokens.length) * K));
      });
    }
    return options.documentRules === false ? out : applyDocumentRules(texts, out, options, docs.map((d) => d.tokens));
  }

  private decode(text: string, tokens: Token[], lp: Float32Array): EngineEntity[] {
    return decodeEntities(text, tokens, lp, this.manifest.tags, this.constraints, this.manifest.transitions);
  }
}
