// The tagger network as an ONNX graph: hashed feature ids in, tag log-probabilities out. Featurization and decoding
// stay in core (shared), so the graph holds only what tfjs computed: embedding sums/means, the maxout window encoder
// and the output layer. q8 stores every matrix and embedding table as int8 with per-channel scales: matrices are
// dequantized in the graph (DequantizeLinear, per output column), tables are dequantized row by row after the gather;
// biases and layer norms stay float32. A table only known words can reach (a whole-word attribute with `minCount`)
// keeps only those words' rows, behind a row map: the same answers, a fraction of the bytes.
import { attributeSlots, rowFor } from "../../core/index.ts";
import { SeedAverageTagger } from "../model/seed-average.ts";
import type { Tagger } from "../model/tagger.ts";
import { GraphBuilder } from "./onnx-builder.ts";
import { quantizeSymmetric } from "./quantize.ts";

export type ExportDtype = "fp32" | "q8";
export const OPSET = 17;
const BIG = 2 ** 52;

/**
 * The graph of a tagger, or of a seed average: each member's network side by side on the same ids (members featurize
 * alike), their log-probabilities averaged. Frozen word-vector tables that the members share are stored once.
 */
export function exportTaggerOnnx(tagger: Tagger, dtype: ExportDtype): Uint8Array {
  const members = tagger instanceof SeedAverageTagger ? tagger.members : [tagger];
  const g = new GraphBuilder();
  const slots = attributeSlots(tagger.config.features);
  const S = slots.reduce((a, b) => a + b, 0);
  const K = tagger.tags.length;
  const ids = g.input("ids", "int32", ["batch", "tokens", S]);
  const mask = g.input("mask", "float32", ["batch", "tokens"]);
  const mask3 = g.node("Unsqueeze", [mask, g.ints([2])]);
  if (members.length === 1) network(g, tagger, dtype, { prefix: "", ids, mask3, output: "logprobs", shared: null });
  else {
    const shared = { first: members[0]!, names: new Map<number, string[]>() };
    const outs = members.map((m, k) => network(g, m, dtype, { prefix: `m${k}.`, ids, mask3, shared }));
    const sum = outs.slice(1).reduce((acc, o) => g.node("Add", [acc, o]), outs[0]!);
    // Renormalized per token, as SeedAverageTagger.logProbs does, so entity scores stay probabilities.
    g.node("LogSoftmax", [g.node("Div", [sum, g.constant("members", "float32", [], new Float32Array([members.length]))])], { axis: -1 }, "logprobs");
  }
  g.output("logprobs", "float32", ["batch", "tokens", K]);
  const what = members.length > 1 ? `medner tagger seed average of ${members.length}` : "medner tagger";
  return g.build("medner-tagger", OPSET, `${what} (${dtype}): ${tagger.labels.join(", ")}`);
}

interface NetworkOptions {
  /** Prepended to every constant's name, so members' weights do not collide. */
  prefix: string;
  ids: string;
  mask3: string;
  output?: string;
  /** Seed averages: frozen vector tables equal to the first member's reuse its constants. */
  shared: { first: Tagger; names: Map<number, string[]> } | null;
}

/** Adds one tagger's network to `g`; returns the name of its log-probabilities. */
function network(g: GraphBuilder, tagger: Tagger, dtype: ExportDtype, o: NetworkOptions): string {
  const { config, embed } = tagger;
  const { width, depth, window, maxoutPieces: P } = config.model;
  const slots = attributeSlots(config.features);
  const K = tagger.tags.length;
  const { ids, mask3, prefix } = o;

  const param = (name: string) => tagger.params.get(name)!.dataSync() as Float32Array;
  const vector = (name: string) => g.constant(`${prefix}${name}`, "float32", [param(name).length], param(name));
  const dense = (x: string, name: string, rows: number, cols: number) => {
    if (dtype === "fp32") return g.node("Add", [g.node("MatMul", [x, g.constant(`${prefix}${name}.W`, "float32", [rows, cols], param(`${name}.W`))]), vector(`${name}.b`)]);
    // Float activations times per-column int8 weights, dequantized in the graph (the runtimes fold that once at load).
    // Integer matmuls on per-token int8 activations were measured on the default clinical model: 2.3x faster, but dev
    // F1 0.7933 against 0.8230, which the q8 guard refuses; the option was removed (docs/benchmarks.md).
    const w = quantizeSymmetric(param(`${name}.W`), rows, cols, "column");
    const deq = g.node("DequantizeLinear", [g.constant(`${prefix}${name}.W.q`, "int8", [rows, cols], w.q), g.constant(`${prefix}${name}.W.scale`, "float32", [cols], w.scales), g.constant(`${prefix}${name}.W.zero`, "int8", [cols], new Int8Array(cols))], { axis: 1 });
    return g.node("Add", [g.node("MatMul", [x, deq]), vector(`${name}.b`)]);
  };
  const maxout = (z: string) => {
    if (P === 1) return z;
    const pieces = Array.from({ length: P }, (_, p) => g.node("Slice", [z, g.ints([p * width]), g.ints([(p + 1) * width]), g.ints([2])]));
    return g.node("Max", pieces);
  };
  const layerNorm = (x: string, name: string) => g.node("LayerNormalization", [x, vector(`${name}.g`), vector(`${name}.b`)], { axis: -1, epsilon: 1e-5 });

  // Embeddings: one Gather per attribute over its slots; PAD (-1) indexes the zero row appended to every table.
  let slot = 0;
  const parts = config.features.attributes.map((attr, a) => {
    const dim = embed.dims[a]!;
    const reachable = "known" in attr && attr.type !== "vectors" && attr.known ? compactRows(attr.known, config.features.seeds, embed.rows[a]!) : null;
    const rows = reachable ? reachable.used.length : embed.rows[a]!;
    const table = new Float32Array((rows + 1) * dim);
    if (reachable) reachable.used.forEach((r, i) => table.set(embed.tables[a]!.subarray(r * dim, (r + 1) * dim), i * dim));
    else table.set(embed.tables[a]!);
    const sliced = g.node("Slice", [ids, g.ints([slot]), g.ints([slot + slots[a]!]), g.ints([2])]);
    const attrIds = reachable ? g.node("Gather", [g.constant(`${prefix}embed.${a}.rowmap`, "int32", [reachable.map.length], reachable.map), sliced], { axis: 0 }) : sliced;
    slot += slots[a]!;
    // A frozen vector table equal to the first member's is that member's constant; every other table is this
    // network's own.
    const { shared } = o;
    const reuse = shared && attr.type === "vectors" && tagger !== shared.first && sameTable(embed.tables[a]!, shared.first.embed.tables[a]!) ? shared.names.get(a) : undefined;
    const own = shared && attr.type === "vectors" && tagger === shared.first ? "" : prefix;
    const tables =
      reuse ??
      (dtype === "fp32"
        ? [g.constant(`${own}embed.${a}`, "float32", [rows + 1, dim], table)]
        : (() => {
            // int8 rows and their scales; only the gathered rows are dequantized: dequantizing whole tables would
            // cost more per request than the whole network.
            const { q, scales } = quantizeSymmetric(table, rows + 1, dim, "row");
            return [g.constant(`${own}embed.${a}.q`, "int8", [rows + 1, dim], q), g.constant(`${own}embed.${a}.scale`, "float32", [rows + 1], scales)];
          })());
    if (shared && tagger === shared.first) shared.names.set(a, tables);
    let rowsOut: string;
    if (dtype === "fp32") rowsOut = g.node("Gather", [tables[0]!, attrIds], { axis: 0 });
    else {
      const qRows = g.node("Cast", [g.node("Gather", [tables[0]!, attrIds], { axis: 0 })], { to: 1 });
      const scales = g.node("Unsqueeze", [g.node("Gather", [tables[1]!, attrIds], { axis: 0 }), g.ints([3])]);
      rowsOut = g.node("Mul", [qRows, scales]);
    }
    const summed = g.node("ReduceSum", [rowsOut, g.ints([2])], { keepdims: 0 });
    if (attr.type !== "ngrams") return summed;
    const filled = g.node("Cast", [g.node("GreaterOrEqual", [attrIds, g.constant(`${prefix}zero_${a}`, "int32", [], new Int32Array([0]))])], { to: 1 });
    const count = g.node("Max", [g.node("ReduceSum", [filled, g.ints([2])], { keepdims: 1 }), g.constant(`${prefix}one_${a}`, "float32", [], new Float32Array([1]))]);
    return g.node("Div", [summed, count]);
  });
  const x0 = g.node("Concat", parts, { axis: -1 });

  let h = g.node("Mul", [layerNorm(maxout(dense(x0, "mix", embed.width, width * P)), "mix.ln"), mask3]);
  for (let l = 0; l < depth; l++) {
    const cols: string[] = [];
    for (let k = window; k >= 1; k--) cols.push(g.node("Slice", [g.node("Pad", [h, g.ints([0, k, 0, 0, 0, 0])]), g.ints([0]), g.ints([-k]), g.ints([1])]));
    cols.push(h);
    for (let k = 1; k <= window; k++) cols.push(g.node("Slice", [g.node("Pad", [h, g.ints([0, 0, 0, 0, k, 0])]), g.ints([k]), g.ints([BIG]), g.ints([1])]));
    const z = layerNorm(maxout(dense(g.node("Concat", cols, { axis: -1 }), `enc${l}`, (2 * window + 1) * width, width * P)), `enc${l}.ln`);
    h = g.node("Mul", [g.node("Add", [h, z]), mask3]);
  }
  return g.node("LogSoftmax", [dense(h, "out", width, K)], { axis: -1 }, o.output);
}

function sameTable(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/**
 * The rows of a `rows`-row hashed table that known words reach (each word's `seeds` rows), in order, and the map from
 * every row id (PAD, -1, included as the last entry) to its place among them; every other row id maps to the zero row
 * appended after them. Featurization never produces another row id for such an attribute (core/features.ts).
 */
export function compactRows(known: readonly number[], seeds: number, rows: number): { used: number[]; map: Int32Array } {
  const used = [...new Set(known.flatMap((h) => Array.from({ length: seeds }, (_, s) => rowFor(h, s, rows))))].sort((x, y) => x - y);
  const map = new Int32Array(rows + 1).fill(used.length);
  used.forEach((r, i) => (map[r] = i));
  return { used, map };
}
