// Linear-chain CRF over per-token tag scores, within the tag scheme's hard constraints: the forward-backward pass
// that gives log Z, the marginal probability of every tag at every token and the expected transition counts. The
// trainer uses it for the CRF loss and its gradient; the decoder uses the marginals as entity scores. Written by hand:
// it is a few loops over a K × K matrix, and no maintained JS library offers a constrained CRF.
import type { TransitionConstraints } from "./viterbi.ts";

export interface CrfPass {
  logZ: number;
  /** `[T, K]`: P(tag k at token t). */
  marginals: Float64Array;
  /** `[K, K]`: Σ_t P(tag i at t−1, tag j at t). */
  pairs: Float64Array;
}

function logSumExp(xs: Float64Array, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (xs[i]! > m) m = xs[i]!;
  if (m === -Infinity) return m;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(xs[i]! - m);
  return m + Math.log(s);
}

/**
 * Forward-backward over `T` tokens: path score = Σ_t scores[t, y_t] + Σ_t transitions[y_{t−1}, y_t], over the paths
 * `c` allows and, when `mask` (`[T, K]`, 1 = allowed) is given, only through the tags it allows — the gold path of a
 * fully annotated sentence, or every path consistent with a partial annotation. `logZ` is −∞ when no path is left.
 */
export function crfForwardBackward(scores: ArrayLike<number>, T: number, c: TransitionConstraints, transitions: ArrayLike<number>, mask?: ArrayLike<number>): CrfPass {
  const K = c.size;
  const ok = (t: number, j: number) => !mask || mask[t * K + j]! > 0;
  const alpha = new Float64Array(T * K).fill(-Infinity);
  const beta = new Float64Array(T * K).fill(-Infinity);
  const tmp = new Float64Array(K);
  const marginals = new Float64Array(T * K);
  const pairs = new Float64Array(K * K);
  if (T === 0) return { logZ: 0, marginals, pairs };
  for (let j = 0; j < K; j++) if (c.start[j] && ok(0, j)) alpha[j] = scores[j]!;
  for (let t = 1; t < T; t++)
    for (let j = 0; j < K; j++) {
      if (!ok(t, j)) continue;
      for (let i = 0; i < K; i++) tmp[i] = c.allowed[i * K + j] ? alpha[(t - 1) * K + i]! + transitions[i * K + j]! : -Infinity;
      alpha[t * K + j] = logSumExp(tmp, K) + scores[t * K + j]!;
    }
  for (let j = 0; j < K; j++) if (c.end[j] && ok(T - 1, j)) beta[(T - 1) * K + j] = 0;
  for (let t = T - 2; t >= 0; t--)
    for (let i = 0; i < K; i++) {
      if (!ok(t, i)) continue;
      for (let j = 0; j < K; j++) tmp[j] = c.allowed[i * K + j] ? transitions[i * K + j]! + scores[(t + 1) * K + j]! + beta[(t + 1) * K + j]! : -Infinity;
      beta[t * K + i] = logSumExp(tmp, K);
    }
  for (let j = 0; j < K; j++) tmp[j] = alpha[(T - 1) * K + j]! + beta[(T - 1) * K + j]!;
  const logZ = logSumExp(tmp, K);
  if (logZ === -Infinity) return { logZ, marginals, pairs };
  for (let t = 0; t < T; t++) for (let j = 0; j < K; j++) marginals[t * K + j] = Math.exp(alpha[t * K + j]! + beta[t * K + j]! - logZ);
  for (let t = 1; t < T; t++)
    for (let i = 0; i < K; i++) {
      const a = alpha[(t - 1) * K + i]!;
      if (a === -Infinity) continue;
      for (let j = 0; j < K; j++) {
        if (!c.allowed[i * K + j]) continue;
        const b = beta[t * K + j]!;
        if (b === -Infinity) continue;
        pairs[i * K + j]! += Math.exp(a + transitions[i * K + j]! + scores[t * K + j]! + b - logZ);
      }
    }
  return { logZ, marginals, pairs };
}
