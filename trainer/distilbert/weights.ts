// A DistilBertForTokenClassification's weights as a map from the Hugging Face state-dict names to float32 tensors:
// what the hub importer reads from safetensors and what the generator draws at random. torch's Linear stores its
// weight as [out, in]; the graph builder transposes where it needs to.
import { MednerError } from "../../core/errors.ts";
import { rng } from "../model/rng.ts";
import type { DistilBertConfig } from "./hf-config.ts";

export type Weights = Map<string, { shape: number[]; data: Float32Array }>;

/** Every tensor the model needs, with its shape. */
export function expectedShapes(c: DistilBertConfig): Map<string, number[]> {
  const labels = Object.keys(c.id2label).length;
  const m = new Map<string, number[]>([
    ["distilbert.embeddings.word_embeddings.weight", [c.vocab_size, c.dim]],
    ["distilbert.embeddings.position_embeddings.weight", [c.max_position_embeddings, c.dim]],
    ["distilbert.embeddings.LayerNorm.weight", [c.dim]],
    ["distilbert.embeddings.LayerNorm.bias", [c.dim]],
  ]);
  for (let i = 0; i < c.n_layers; i++) {
    const p = `distilbert.transformer.layer.${i}`;
    for (const lin of ["q_lin", "k_lin", "v_lin", "out_lin"]) {
      m.set(`${p}.attention.${lin}.weight`, [c.dim, c.dim]);
      m.set(`${p}.attention.${lin}.bias`, [c.dim]);
    }
    for (const ln of ["sa_layer_norm", "output_layer_norm"]) {
      m.set(`${p}.${ln}.weight`, [c.dim]);
      m.set(`${p}.${ln}.bias`, [c.dim]);
    }
    m.set(`${p}.ffn.lin1.weight`, [c.hidden_dim, c.dim]);
    m.set(`${p}.ffn.lin1.bias`, [c.hidden_dim]);
    m.set(`${p}.ffn.lin2.weight`, [c.dim, c.hidden_dim]);
    m.set(`${p}.ffn.lin2.bias`, [c.dim]);
  }
  m.set("classifier.weight", [labels, c.dim]);
  m.set("classifier.bias", [labels]);
  return m;
}

/** Throws E513 naming the first missing or misshaped tensor. */
export function checkWeights(c: DistilBertConfig, w: Weights): void {
  for (const [name, shape] of expectedShapes(c)) {
    const t = w.get(name);
    if (!t) throw new MednerError("E513", `weights: ${name} is missing`);
    if (t.shape.join() !== shape.join()) throw new MednerError("E513", `weights: ${name} has shape [${t.shape}], the config needs [${shape}]`);
    if (t.data.length !== shape.reduce((a, b) => a * b, 1)) throw new MednerError("E513", `weights: ${name} has ${t.data.length} values for shape [${shape}]`);
  }
}

/**
 * BERT's initialization (normal, std 0.02; LayerNorm 1 and 0; zero biases), seeded. The classifier is the exception:
 * with std 0.02 its logits would differ by hundredths, so the argmax between labels would turn on rounding and hide or
 * fake disagreement between runtimes. Its weights get std 10/√dim instead: over unit-variance hidden states that gives
 * logits with std ≈ 10, so the top two labels of a token are usually several units apart.
 */
export function randomDistilBertWeights(c: DistilBertConfig, seed: number): Weights {
  const random = rng(seed);
  const normal = (std: number) => {
    // Box–Muller; 1 - u keeps log away from 0.
    const u = 1 - random();
    return std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const w: Weights = new Map();
  for (const [name, shape] of expectedShapes(c)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (/(LayerNorm|layer_norm)\.weight$/.test(name)) data.fill(1);
    else if (name === "classifier.weight") for (let i = 0; i < data.length; i++) data[i] = normal(10 / Math.sqrt(c.dim));
    else if (name.endsWith(".weight")) for (let i = 0; i < data.length; i++) data[i] = normal(0.02);
    w.set(name, { shape, data });
  }
  // Like BERT, the [PAD] row of the word embeddings is zero.
  w.get("distilbert.embeddings.word_embeddings.weight")!.data.fill(0, c.pad_token_id * c.dim, (c.pad_token_id + 1) * c.dim);
  return w;
}
