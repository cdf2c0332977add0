// Constrained Viterbi: the best tag sequence under per-token scores that never breaks the tag scheme, so the
// decoder used at inference cannot emit `O I-X` or an unclosed BILOU entity.
import { isAllowedEnd, isAllowedTransition, type TagScheme } from "./tags.ts";

export interface TransitionConstraints {
  /** allowed[from * K + to] */
  allowed: Uint8Array;
  start: Uint8Array;
  end: Uint8Array;
  size: number;
}

export function transitionConstraints(tags: readonly string[], scheme: TagScheme): TransitionConstraints {
  const K = tags.length;
  const allowed = new Uint8Array(K * K);
  const start = new Uint8Array(K);
  const end = new Uint8Array(K);
  for (let j = 0; j < K; j++) {
    start[j] = isAllowedTransition(null, tags[j]!, scheme) ? 1 : 0;
    end[j] = isAllowedEnd(tags[j]!, scheme) ? 1 : 0;
    for (let i = 0; i < K; i++) allowed[i * K + j] = isAllowedTransition(tags[i]!, tags[j]!, scheme) ? 1 : 0;
  }
  return { allowed, start, end, size: K };
}

/**
 * Best path through `scores` (T × K, row-major, log-probabilities or any additive scores) that respects `c`.
 * `transitions` (K × K, optional) adds learned transition scores, as a CRF layer would.
 */
export function viterbiDecode(
  scores: ArrayLike<number>,
  T: number,
  c: TransitionConstraints,
  transitions?: ArrayLike<number>,
): Int32Array {
  const K = c.size;
  const path = new Int32Array(T);
  if (T === 0) return path;
  let prev = new Float64Array(K);
  let cur = new Float64Array(K);
  const back = new Int32Array(T * K);
  for (let j = 0; j < K; j++) prev[j] = c.start[j] ? scores[j]! : -Infinity;
  for (let t = 1; t < T; t++) {
    for (let j = 0; j < K; j++) {
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < K; i++) {
        if (!c.allowed[i * K + j]) continue;
        const v = prev[i]! + (transitions ? transitions[i * K + j]! : 0);
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      cur[j] = best + scores[t * K + j]!;
      back[t * K + j] = arg;
    }
    [prev, cur] = [cur, prev];
  }
  let best = -Infinity;
  let arg = 0;
  for (let j = 0; j < K; j++) {
    if (c.end[j] && prev[j]! > best) {
      best = prev[j]!;
      arg = j;
    }
  }
  path[T - 1] = arg;
  for (let t = T - 1; t > 0; t--) path[t - 1] = back[t * K + path[t]!]!;
  return path;
}
