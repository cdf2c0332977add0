// Log-probabilities → entities, the last step of every tagger (tfjs or ONNX): constrained Viterbi, tags → spans, and
// each entity's score as the mean probability of its tokens' chosen tags.
import { tagsToSpans } from "./doc-tags.ts";
import type { Span, Token } from "./types.ts";
import { viterbiDecode, type TransitionConstraints } from "./viterbi.ts";

export interface ScoredEntity extends Span {
  text: string;
  score: number;
}

/** `lp`: `[tokens.length, tags.length]` log-probabilities, row-major. */
export function decodeEntities(text: string, tokens: readonly Token[], lp: ArrayLike<number>, tags: readonly string[], constraints: TransitionConstraints): ScoredEntity[] {
  const K = tags.length;
  const path = viterbiDecode(lp, tokens.length, constraints);
  const spans = tagsToSpans(
    tokens,
    Array.from(path, (k) => tags[k]!),
  );
  return spans.map((s) => {
    let sum = 0;
    let count = 0;
    for (let t = 0; t < tokens.length; t++)
      if (tokens[t]!.start >= s.start && tokens[t]!.end <= s.end) {
        sum += Math.exp(lp[t * K + path[t]!]!);
        count++;
      }
    return { ...s, text: text.slice(s.start, s.end), score: count ? sum / count : 0 };
  });
}
