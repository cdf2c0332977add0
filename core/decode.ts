// Log-probabilities → entities, the last step of every tagger (tfjs or ONNX): constrained Viterbi, tags → spans, and
// each entity's score as the mean probability of its tokens' chosen tags. A model with a CRF layer passes its
// transition scores: Viterbi adds them, and a token's probability is its CRF marginal.
import { crfForwardBackward } from "./crf.ts";
import { decodeTags } from "./tags.ts";
import type { Span, Token } from "./types.ts";
import { viterbiDecode, type TransitionConstraints } from "./viterbi.ts";

export interface ScoredEntity extends Span {
  text: string;
  score: number;
  /** Transformer with aggregation "none" only: the model's own tag for the piece ("B-Disease_disorder"), as Python's `entity`. */
  tag?: string;
  /** With `tag`: the piece's index in the model input ([CLS] is 0), as Python's `index`. */
  index?: number;
}

/**
 * `lp`: `[tokens.length, tags.length]` log-probabilities, row-major; `transitions`: `[tags, tags]` CRF transition
 * scores, when the model has them. Linear in the number of tokens.
 */
export function decodeEntities(
  text: string,
  tokens: readonly Token[],
  lp: ArrayLike<number>,
  tags: readonly string[],
  constraints: TransitionConstraints,
  transitions?: ArrayLike<number>,
): ScoredEntity[] {
  const K = tags.length;
  const path = viterbiDecode(lp, tokens.length, constraints, transitions);
  const marginals = transitions ? crfForwardBackward(lp, tokens.length, constraints, transitions).marginals : null;
  const prob = (t: number) => (marginals ? marginals[t * K + path[t]!]! : Math.exp(lp[t * K + path[t]!]!));
  return decodeTags(Array.from(path, (k) => tags[k]!)).map((s) => {
    let sum = 0;
    for (let t = s.tokenStart; t < s.tokenEnd; t++) sum += prob(t);
    const start = tokens[s.tokenStart]!.start;
    const end = tokens[s.tokenEnd - 1]!.end;
    return { label: s.label, start, end, text: text.slice(start, end), score: sum / (s.tokenEnd - s.tokenStart) };
  });
}
