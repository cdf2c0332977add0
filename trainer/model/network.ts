// The tagger network in tfjs: a maxout mix of the hash-embedding vectors, then residual windowed maxout layers with
// layer norm (spaCy's MaxoutWindowEncoder), then per-token tag scores. Windows are shifted slices + matMul, because
// the wasm backend has no conv1d gradient; a boundary mask keeps documents in one flattened batch from seeing each other.
import * as tf from "@tensorflow/tfjs";
import type { TaggerConfig } from "./config.ts";

export type ParamName = string;
export type Params = Map<ParamName, tf.Variable>;

/** Per-token masks: `prev[k-1][t] = 1` when token t-k is in the same document as t; `next` likewise for t+k. */
export interface Boundaries {
  prev: tf.Tensor2D[];
  next: tf.Tensor2D[];
}

function glorot(rows: number, cols: number, random: () => number): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => (random() * 2 - 1) * limit);
}

/** Shapes of every parameter, in a fixed order (the order weights are saved in). */
export function paramShapes(config: TaggerConfig, inputWidth: number, nTags: number): Array<[ParamName, number[]]> {
  const { width, depth, window, maxoutPieces: P } = config.model;
  const shapes: Array<[ParamName, number[]]> = [
    ["mix.W", [inputWidth, width * P]],
    ["mix.b", [width * P]],
    ["mix.ln.g", [width]],
    ["mix.ln.b", [width]],
  ];
  for (let l = 0; l < depth; l++)
    shapes.push([`enc${l}.W`, [(2 * window + 1) * width, width * P]], [`enc${l}.b`, [width * P]], [`enc${l}.ln.g`, [width]], [`enc${l}.ln.b`, [width]]);
  shapes.push(["out.W", [width, nTags]], ["out.b", [nTags]]);
  // CRF transition scores (from → to), zero at the start.
  if (config.model.crf) shapes.push(["crf.trans", [nTags, nTags]]);
  return shapes;
}

export function initParams(config: TaggerConfig, inputWidth: number, nTags: number, random: () => number): Map<ParamName, Float32Array> {
  const out = new Map<ParamName, Float32Array>();
  for (const [name, shape] of paramShapes(config, inputWidth, nTags)) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (name.endsWith(".W")) out.set(name, glorot(shape[0]!, shape[1]!, random));
    else if (name.endsWith(".ln.g")) out.set(name, new Float32Array(size).fill(1));
    else out.set(name, new Float32Array(size));
  }
  return out;
}

export function toVariables(config: TaggerConfig, values: Map<ParamName, Float32Array>, inputWidth: number, nTags: number): Params {
  const params: Params = new Map();
  for (const [name, shape] of paramShapes(config, inputWidth, nTags)) params.set(name, tf.variable(tf.tensor(values.get(name)!, shape), true));
  return params;
}

/** Boundary masks from document lengths (the flattened batch is the documents one after another). */
export function boundaries(lengths: number[], window: number): Boundaries {
  const n = lengths.reduce((a, b) => a + b, 0);
  const prev: tf.Tensor2D[] = [];
  const next: tf.Tensor2D[] = [];
  for (let k = 1; k <= window; k++) {
    const p = new Float32Array(n);
    const q = new Float32Array(n);
    let offset = 0;
    for (const len of lengths) {
      for (let i = 0; i < len; i++) {
        p[offset + i] = i >= k ? 1 : 0;
        q[offset + i] = i + k < len ? 1 : 0;
      }
      offset += len;
    }
    prev.push(tf.tensor2d(p, [n, 1]));
    next.push(tf.tensor2d(q, [n, 1]));
  }
  return { prev, next };
}

function shift(h: tf.Tensor2D, k: number): tf.Tensor2D {
  // k > 0: row t gets row t-k; k < 0: row t gets row t+|k|. Rows with no source are zero.
  const [n, w] = h.shape;
  const a = Math.abs(k);
  if (a >= n) return tf.zerosLike(h);
  const pad = tf.zeros([a, w]) as tf.Tensor2D;
  return k > 0 ? tf.concat([pad, h.slice([0, 0], [n - a, w])], 0) : tf.concat([h.slice([a, 0], [n - a, w]), pad], 0);
}

/** Maxout over `pieces` column blocks of `width` (piece-major), as an elementwise maximum chain: its gradient needs
 * no broadcast compare, which the wasm backend does slowly. */
function maxout(z: tf.Tensor2D, width: number, pieces: number): tf.Tensor2D {
  if (pieces === 1) return z;
  const n = z.shape[0];
  let m = z.slice([0, 0], [n, width]);
  for (let p = 1; p < pieces; p++) m = tf.maximum(m, z.slice([0, p * width], [n, width]));
  return m;
}

/**
 * matMul whose gradient transposes explicitly: tfjs-backend-wasm runs matMul with transposeA/transposeB about 10×
 * slower than a plain matMul of transposed copies (measured here: 260 ms vs 22 ms for 2000×384 · 384×384).
 */
// customGrad passes inputs and the save function as one variadic list.
const matMul = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, saved[1]!.transpose() as tf.Tensor2D),
      tf.matMul(saved[0]!.transpose() as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const mean = x.mean(1, true);
  const centered = x.sub(mean);
  const variance = centered.square().mean(1, true);
  return centered.div(variance.add(1e-5).sqrt()).mul(g).add(b) as tf.Tensor2D;
}

export interface ForwardOptions {
  training: boolean;
  /** Seed for this call's dropout masks. */
  seed?: number;
}

/** Tag scores (logits) `[n, tags]` for embedding vectors `x0` `[n, attributes · dim]`. */
export function forward(config: TaggerConfig, params: ReadonlyMap<ParamName, tf.Tensor>, x0: tf.Tensor2D, b: Boundaries, opts: ForwardOptions): tf.Tensor2D {
  const { width, depth, window, maxoutPieces: P, dropout } = config.model;
  const p = (name: string) => params.get(name)!;
  let seed = opts.seed ?? 0;
  const drop = (x: tf.Tensor2D) => (opts.training && dropout > 0 ? (tf.dropout(x, dropout, undefined, seed++) as tf.Tensor2D) : x);
  let h = layerNorm(maxout(matMul(drop(x0), p("mix.W")).add(p("mix.b")), width, P), p("mix.ln.g"), p("mix.ln.b"));
  for (let l = 0; l < depth; l++) {
    const parts: tf.Tensor2D[] = [];
    for (let k = window; k >= 1; k--) parts.push(shift(h, k).mul(b.prev[k - 1]!));
    parts.push(h);
    for (let k = 1; k <= window; k++) parts.push(shift(h, -k).mul(b.next[k - 1]!));
    const z = maxout(matMul(tf.concat(parts, 1), p(`enc${l}.W`)).add(p(`enc${l}.b`)), width, P);
    h = h.add(drop(layerNorm(z, p(`enc${l}.ln.g`), p(`enc${l}.ln.b`))));
  }
  return matMul(h, p("out.W")).add(p("out.b"));
}
