// Log-probabilities → entities, the last step of every tagger (tfjs or ONNX): constrained Viterbi, tags → spans, and
// each entity's score as the mean probability of its tokens' chosen tags.
import { decodeTags } from "./tags.ts";
import type { Span, Token } from "./types.ts";
import { viterbiDecode, type TransitionConstraints } from "./viterbi.ts";

export interface ScoredEntity extends Span {
  text: string;
  score: number;
}

/** `lp`: `[tokens.length, tags.length]` log-probabilities, row-major. Linear in the number of tokens. */
export function decodeEntities(text: string, tokens: readonly Token[], lp: ArrayLike<number>, tags: readonly string[], constraints: TransitionConstraints): ScoredEntity[] {
  const K = tags.length;
  const path = viterbiDecode(lp, tokens.length, constraints);
  return decodeTags(Array.from(path, (k) => tags[k]!)).map((s) => {
    let sum = 0;
    for (let t = s.tokenStart; t < s.tokenEnd; t++) sum += Math.exp(lp[t * K + path[t]!]!);
    const start = tokens[s.tokenStart]!.start;
    const end = tokens[s.tokenEnd - 1]!.end;
    return { label: s.label, start, end, text: text.slice(start, end), score: sum / (s.tokenEnd - s.tokenStart) };
  });
}
