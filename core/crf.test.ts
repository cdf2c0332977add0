import { describe, expect, it } from "vitest";
import { crfForwardBackward } from "./crf.ts";
import { decodeEntities } from "./decode.ts";
import { tokenize } from "./tokenizer.ts";
import { tagNames } from "./tags.ts";
import { transitionConstraints, viterbiDecode } from "./viterbi.ts";

// A seeded generator for scores (mulberry32).
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every path the constraints (and mask) allow, with its score: brute force, for checking the recursion. */
function paths(scores: number[], T: number, K: number, c: ReturnType<typeof transitionConstraints>, tr: number[], mask?: number[]) {
  const out: Array<{ path: number[]; score: number }> = [];
  const walk = (path: number[]) => {
    if (path.length === T) {
      if (!c.end[path[T - 1]!]) return;
      let s = 0;
      path.forEach((k, t) => (s += scores[t * K + k]! + (t > 0 ? tr[path[t - 1]! * K + k]! : 0)));
      out.push({ path, score: s });
      return;
    }
    const t = path.length;
    for (let k = 0; k < K; k++) {
      if (mask && !mask[t * K + k]) continue;
      if (t === 0 ? !c.start[k] : !c.allowed[path[t - 1]! * K + k]) continue;
      walk([...path, k]);
    }
  };
  walk([]);
  return out;
}

const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

describe("crfForwardBackward", () => {
  const tags = tagNames(["DRUG", "DX"], "BILOU");
  const K = tags.length;
  const c = transitionConstraints(tags, "BILOU");
  const T = 5;
  const r = random(7);
  const scores = Array.from({ length: T * K }, () => r() * 4 - 2);
  const tr = Array.from({ length: K * K }, () => r() * 2 - 1);

  it("matches brute-force enumeration of every valid path: log Z, marginals and transition counts", () => {
    const all = paths(scores, T, K, c, tr);
    expect(all.length).toBeGreaterThan(50);
    const logZ = lse(all.map((p) => p.score));
    const got = crfForwardBackward(scores, T, c, tr);
    expect(got.logZ).toBeCloseTo(logZ, 9);
    for (let t = 0; t < T; t++)
      for (let k = 0; k < K; k++) {
        const want = all.filter((p) => p.path[t] === k).reduce((s, p) => s + Math.exp(p.score - logZ), 0);
        expect(got.marginals[t * K + k]).toBeCloseTo(want, 9);
      }
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) {
        let want = 0;
        for (const p of all) for (let t = 1; t < T; t++) if (p.path[t - 1] === i && p.path[t] === j) want += Math.exp(p.score - logZ);
        expect(got.pairs[i * K + j]).toBeCloseTo(want, 9);
      }
  });

  it("with a mask sums only the paths through the allowed tags; the gold path alone gives its own score", () => {
    const mask = Array.from({ length: T * K }, (_, i) => (i % K === 0 || i % 3 === 1 ? 1 : 0));
    const allowed = paths(scores, T, K, c, tr, mask);
    expect(crfForwardBackward(scores, T, c, tr, mask).logZ).toBeCloseTo(lse(allowed.map((p) => p.score)), 9);
    const gold = paths(scores, T, K, c, tr)[17]!;
    const oneHot = Array.from({ length: T * K }, (_, i) => (gold.path[Math.floor(i / K)] === i % K ? 1 : 0));
    expect(crfForwardBackward(scores, T, c, tr, oneHot).logZ).toBeCloseTo(gold.score, 9);
    // A mask no valid path satisfies: I-DRUG cannot start a sentence.
    const bad = Array.from({ length: T * K }, (_, i) => (i < K ? +(tags[i] === "I-DRUG") : 1));
    expect(crfForwardBackward(scores, T, c, tr, bad).logZ).toBe(-Infinity);
  });
});

describe("decoding with CRF transitions", () => {
  it("Viterbi adds the transitions, and an entity's score is the mean CRF marginal of its tags", () => {
    const tags = tagNames(["DRUG"], "BIO");
    const c = transitionConstraints(tags, "BIO");
    const K = tags.length;
    const text = "warfarin sodium daily";
    const tokens = tokenize(text);
    // Per-token log-probabilities: "sodium" leans O, so without transitions the entity is one token.
    const p = [
      [0.1, 0.8, 0.1],
      [0.55, 0.05, 0.4],
      [0.9, 0.05, 0.05],
    ];
    const lp = p.flat().map(Math.log);
    expect(tags).toEqual(["O", "B-DRUG", "I-DRUG"]);
    const plain = decodeEntities(text, tokens, lp, tags, c);
    expect(plain.map((e) => e.text)).toEqual(["warfarin"]);
    expect(plain[0]!.score).toBeCloseTo(0.8, 9);
    // A transition that favours B-DRUG → I-DRUG: the entity takes "sodium" too.
    const tr = new Array(K * K).fill(0);
    tr[1 * K + 2] = 1;
    const path = viterbiDecode(lp, 3, c, tr);
    expect(Array.from(path)).toEqual([1, 2, 0]);
    const withCrf = decodeEntities(text, tokens, lp, tags, c, tr);
    expect(withCrf.map((e) => e.text)).toEqual(["warfarin sodium"]);
    const m = crfForwardBackward(lp, 3, c, tr).marginals;
    expect(withCrf[0]!.score).toBeCloseTo((m[0 * K + 1]! + m[1 * K + 2]!) / 2, 12);
    expect(withCrf[0]!.score).toBeGreaterThan(0);
    expect(withCrf[0]!.score).toBeLessThan(1);
  });
});
