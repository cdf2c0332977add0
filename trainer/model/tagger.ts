// A trained (or training) tagger: featurizer config, hash embeddings, network parameters and tag set, with the
// inference path — featurize, score, constrained Viterbi — built from the shared core.
import * as tf from "@tensorflow/tfjs";
import {
  applyDocumentRules,
  attributeDims,
  attributeSlots,
  MednerError,
  decodeEntities,
  featurize,
  tagNames,
  tokenize,
  transitionConstraints,
  type TaggerPredictOptions,
  type ScoredEntity,
  type Token,
  type TransitionConstraints,
} from "../../core/index.ts";
import type { TaggerConfig } from "./config.ts";
import { HashEmbed } from "./hash-embed.ts";
import { boundaries, forward, initParams, toVariables, type Params } from "./network.ts";
import { rng } from "./rng.ts";

export type Entity = ScoredEntity;

export interface Featurized {
  tokens: Token[];
  ids: Int32Array;
}

/** Tokens per forward call at inference: bounds memory, keeps matMuls large. */
const INFER_CHUNK = 8192;

export class Tagger {
  readonly tags: string[];
  readonly constraints: TransitionConstraints;

  constructor(
    readonly config: TaggerConfig,
    readonly labels: string[],
    readonly embed: HashEmbed,
    readonly params: Params,
  ) {
    this.tags = tagNames(labels, config.model.scheme);
    this.constraints = transitionConstraints(this.tags, config.model.scheme);
  }

  /** A new tagger with random weights; `fixed[a]` is the pretrained table of a `vectors` attribute (prepareVectors). */
  static create(config: TaggerConfig, labels: string[], fixed: Array<Float32Array | undefined> = []): Tagger {
    const random = rng(config.seed);
    const f = config.features;
    f.attributes.forEach((a, i) => {
      if (a.type === "vectors" && fixed[i]?.length !== a.rows * a.dim)
        throw new MednerError("E301", `features.attributes[${i}]: the vectors from ${a.path} are not loaded (prepareVectors)`);
      if (a.type === "lexicon" && !a.entries?.length) throw new MednerError("E301", `features.attributes[${i}]: the lexicon ${a.path} is not loaded (prepareLexicons)`);
    });
    const embed = HashEmbed.init(
      f.attributes.map((a) => a.rows),
      attributeDims(f, f.dim),
      attributeSlots(f),
      f.attributes.map((a) => a.type === "ngrams"),
      random,
      fixed,
    );
    const nTags = tagNames(labels, config.model.scheme).length;
    const values = initParams(config, embed.width, nTags, random);
    return new Tagger(config, labels, embed, toVariables(config, values, embed.width, nTags));
  }

  featurize(text: string): Featurized {
    const tokens = tokenize(text);
    return { tokens, ids: featurize(tokens, this.config.features) };
  }

  /** Log-probabilities `[Σ tokens, tags]` for several documents, in order. */
  logProbs(docs: readonly Featurized[]): Float32Array {
    const K = this.tags.length;
    const total = docs.reduce((n, d) => n + d.tokens.length, 0);
    const out = new Float32Array(total * K);
    let offset = 0;
    for (let i = 0; i < docs.length; ) {
      const chunk: Featurized[] = [];
      let n = 0;
      while (i < docs.length && (chunk.length === 0 || n + docs[i]!.tokens.length <= INFER_CHUNK)) {
        n += docs[i]!.tokens.length;
        chunk.push(docs[i++]!);
      }
      if (n === 0) continue;
      const ids = concatIds(chunk);
      const scores = tf.tidy(() => {
        const x0 = tf.tensor2d(this.embed.lookup(ids, n), [n, this.embed.width]);
        const b = boundaries(
          chunk.map((d) => d.tokens.length),
          this.config.model.window,
        );
        return tf.logSoftmax(forward(this.config, this.params, x0, b, { training: false }));
      });
      out.set(scores.dataSync(), offset * K);
      scores.dispose();
      offset += n;
    }
    return out;
  }

  /** The CRF layer's transition scores `[tags × tags]` (current weights), or undefined without a CRF layer. */
  transitions(): Float32Array | undefined {
    return this.params.get("crf.trans")?.dataSync() as Float32Array | undefined;
  }

  /** Entities of one featurized document from its log-probabilities (and the CRF transitions, if any). */
  decode(doc: Featurized, text: string, logProbs: Float32Array, transitions = this.transitions()): Entity[] {
    return decodeEntities(text, doc.tokens, logProbs, this.tags, this.constraints, transitions);
  }

  predict(texts: readonly string[], options: TaggerPredictOptions = {}): Entity[][] {
    const docs = texts.map((t) => this.featurize(t));
    const lp = this.logProbs(docs);
    const K = this.tags.length;
    const transitions = this.transitions();
    let offset = 0;
    const out = docs.map((d, i) => {
      const slice = lp.subarray(offset * K, (offset + d.tokens.length) * K);
      offset += d.tokens.length;
      return this.decode(d, texts[i]!, slice, transitions);
    });
    return options.documentRules === false ? out : applyDocumentRules(texts, out, options, docs.map((d) => d.tokens));
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

export function concatIds(docs: readonly Featurized[]): Int32Array {
  const out = new Int32Array(docs.reduce((n, d) => n + d.ids.length, 0));
  let o = 0;
  for (const d of docs) {
    out.set(d.ids, o);
    o += d.ids.length;
  }
  return out;
}
