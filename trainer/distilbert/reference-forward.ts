// DistilBertForTokenClassification's forward pass in float64, straight from the Hugging Face modeling code's
// equations and the weights map, sharing nothing with the graph builder: the tests' proof that the ONNX graphs
// compute the model. Slow (plain loops); meant for the tiny preset.
import type { DistilBertConfig } from "./hf-config.ts";
import type { Weights } from "./weights.ts";

/** erf to ~1e-15: its Maclaurin series near 0, the continued fraction of erfc further out. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = a;
  for (let n = 80; n >= 1; n--) f = a + n / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f));
}

/** Logits [sequence, labels] for one sequence; keys where `mask` is 0 get no attention, as in masked_fill. */
export function referenceLogits(c: DistilBertConfig, w: Weights, ids: number[], mask: number[] = ids.map(() => 1)): Float64Array {
  const S = ids.length;
  const D = c.dim;
  const Dh = D / c.n_heads;
  const t = (n: string) => w.get(n)!.data;
  const linear = (x: Float64Array, n: string, inn: number, out: number) => {
    const W = t(`${n}.weight`);
    const b = t(`${n}.bias`);
    const y = new Float64Array(S * out);
    for (let s = 0; s < S; s++)
      for (let o = 0; o < out; o++) {
        let acc = b[o]!;
        for (let i = 0; i < inn; i++) acc += x[s * inn + i]! * W[o * inn + i]!;
        y[s * out + o] = acc;
      }
    return y;
  };
  const layerNorm = (x: Float64Array, n: string) => {
    const [g, b] = [t(`${n}.weight`), t(`${n}.bias`)];
    const y = new Float64Array(x.length);
    for (let s = 0; s < S; s++) {
      const row = x.subarray(s * D, (s + 1) * D);
      const mean = row.reduce((a, v) => a + v, 0) / D;
      const inv = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / D + 1e-12);
      for (let d = 0; d < D; d++) y[s * D + d] = (row[d]! - mean) * inv * g[d]! + b[d]!;
    }
    return y;
  };
  let x = new Float64Array(S * D);
  for (let s = 0; s < S; s++)
    for (let d = 0; d < D; d++) x[s * D + d] = t("distilbert.embeddings.word_embeddings.weight")[ids[s]! * D + d]! + t("distilbert.embeddings.position_embeddings.weight")[s * D + d]!;
  x = layerNorm(x, "distilbert.embeddings.LayerNorm");
  for (let l = 0; l < c.n_layers; l++) {
    const p = `distilbert.transformer.layer.${l}`;
    const [q, k, v] = ["q_lin", "k_lin", "v_lin"].map((n) => linear(x, `${p}.attention.${n}`, D, D)) as [Float64Array, Float64Array, Float64Array];
    const context = new Float64Array(S * D);
    for (let h = 0; h < c.n_heads; h++)
      for (let i = 0; i < S; i++) {
        const scores = Array.from({ length: S }, (_, j) => {
          if (mask[j] === 0) return -Infinity;
          let a = 0;
          for (let d = 0; d < Dh; d++) a += (q[i * D + h * Dh + d]! / Math.sqrt(Dh)) * k[j * D + h * Dh + d]!;
          return a;
        });
        const top = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - top));
        const z = e.reduce((a, b) => a + b, 0);
        for (let d = 0; d < Dh; d++) context[i * D + h * Dh + d] = e.reduce((acc, pj, j) => acc + (pj / z) * v[j * D + h * Dh + d]!, 0);
      }
    const attended = linear(context, `${p}.attention.out_lin`, D, D);
    x = layerNorm(attended.map((a, i) => a + x[i]!), `${p}.sa_layer_norm`);
    const hidden = linear(x, `${p}.ffn.lin1`, D, c.hidden_dim).map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2)));
    const ffn = linear(hidden, `${p}.ffn.lin2`, c.hidden_dim, D);
    x = layerNorm(ffn.map((a, i) => a + x[i]!), `${p}.output_layer_norm`);
  }
  return linear(x, "classifier", D, Object.keys(c.id2label).length);
}
