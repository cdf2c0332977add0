// The CRF layer's loss for tfjs: mean over tokens of log Z − log Σ_(paths the annotation allows) exp(score), with the
// gradient from core's forward-backward (marginals minus the annotation-constrained marginals; likewise for the
// transition counts). For a fully annotated sentence the allowed paths are the gold path; for a partially annotated
// one, every path its unlabelled tokens permit — the CRF form of `partialNll`.
import * as tf from "@tensorflow/tfjs";
import { crfForwardBackward, type TransitionConstraints } from "../../core/index.ts";

type CrfNll = (logits: tf.Tensor2D, transitions: tf.Tensor2D) => tf.Scalar;

/**
 * `lengths`: the documents' token counts in the flattened batch; `allowed`: `[Σ lengths, K]`, 1 where a tag is
 * allowed. Returns a loss function of (logits, transitions) with both gradients. The forward pass reads the logits
 * back (dataSync): the recursion runs in plain JS, on K × K numbers per token.
 */
export function crfNll(lengths: readonly number[], allowed: Uint8Array, c: TransitionConstraints): CrfNll {
  const K = c.size;
  return tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [logits, transitions] = args as [tf.Tensor2D, tf.Tensor2D];
    const E = logits.dataSync() as Float32Array;
    const Tr = transitions.dataSync() as Float32Array;
    const n = logits.shape[0];
    const gE = new Float32Array(n * K);
    const gT = new Float32Array(K * K);
    let loss = 0;
    let o = 0;
    for (const len of lengths) {
      const e = E.subarray(o * K, (o + len) * K);
      const all = crfForwardBackward(e, len, c, Tr);
      const gold = crfForwardBackward(e, len, c, Tr, allowed.subarray(o * K, (o + len) * K));
      // An annotation no valid path satisfies cannot be learned from; toExamples only builds valid ones.
      if (gold.logZ !== -Infinity) {
        loss += all.logZ - gold.logZ;
        for (let i = 0; i < len * K; i++) gE[o * K + i] = all.marginals[i]! - gold.marginals[i]!;
        for (let i = 0; i < K * K; i++) gT[i]! += all.pairs[i]! - gold.pairs[i]!;
      }
      o += len;
    }
    const scale = 1 / Math.max(1, n);
    return {
      value: tf.scalar(loss * scale),
      gradFunc: (dy: tf.Tensor) => [tf.tensor2d(gE, [n, K]).mul(dy).mul(scale), tf.tensor2d(gT, [K, K]).mul(dy).mul(scale)],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as CrfNll;
}
