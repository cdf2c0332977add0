// The Hugging Face config.json of a DistilBertForTokenClassification, as far as medner reads and writes it, and the
// two generated presets: tiny (tests) and full (d4data/biomedical-ner-all's shape, for benchmarks).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { describeIssue, MednerError } from "../../core/errors.ts";
import type { DistilBertShape } from "../../core/transformer/manifest.ts";

export const DistilBertConfigSchema = z
  .object({
    model_type: z.literal("distilbert"),
    architectures: z.array(z.string()).optional(),
    dim: z.int().positive(),
    n_layers: z.int().positive(),
    n_heads: z.int().positive(),
    hidden_dim: z.int().positive(),
    vocab_size: z.int().positive(),
    max_position_embeddings: z.int().positive(),
    activation: z.enum(["gelu"]).default("gelu"),
    sinusoidal_pos_embds: z.literal(false).default(false),
    pad_token_id: z.int().nonnegative().default(0),
    id2label: z.record(z.string(), z.string()),
    label2id: z.record(z.string(), z.int()).optional(),
  })
  .loose()
  .refine((c) => c.dim % c.n_heads === 0, "dim must be a multiple of n_heads");
export type DistilBertConfig = z.infer<typeof DistilBertConfigSchema>;

export function parseDistilBertConfig(json: unknown, where = "config.json"): DistilBertConfig {
  const r = DistilBertConfigSchema.safeParse(json);
  if (!r.success) throw new MednerError("E512", describeIssue(r.error, where));
  return r.data;
}

/** id2label as an array in id order; a gap in the ids is an error (the logits would map to the wrong labels). */
export function configLabels(config: DistilBertConfig): string[] {
  const n = Object.keys(config.id2label).length;
  return Array.from({ length: n }, (_, i) => {
    const l = config.id2label[String(i)];
    if (l === undefined) throw new MednerError("E512", `config.json: id2label has no id ${i}`);
    return l;
  });
}

export function shapeOf(c: DistilBertConfig): DistilBertShape {
  return { layers: c.n_layers, hidden: c.dim, heads: c.n_heads, ffn: c.hidden_dim, vocab: c.vocab_size, maxPositions: c.max_position_embeddings };
}

/** d4data/biomedical-ner-all's id2label in id order (84 labels; models/transformer/d4data-labels.json says where from). */
export function d4dataLabels(): string[] {
  return (JSON.parse(readFileSync(new URL("../../models/transformer/d4data-labels.json", import.meta.url), "utf8")) as { labels: string[] }).labels;
}

export const PRESETS = {
  tiny: { n_layers: 2, dim: 32, n_heads: 4, hidden_dim: 64 },
  full: { n_layers: 6, dim: 768, n_heads: 12, hidden_dim: 3072 },
} as const;
export type Preset = keyof typeof PRESETS;

export function presetConfig(preset: Preset, vocabSize: number, labels: readonly string[]): DistilBertConfig {
  return parseDistilBertConfig({
    model_type: "distilbert",
    architectures: ["DistilBertForTokenClassification"],
    ...PRESETS[preset],
    vocab_size: vocabSize,
    max_position_embeddings: 512,
    activation: "gelu",
    sinusoidal_pos_embds: false,
    pad_token_id: 0,
    dropout: 0.1,
    attention_dropout: 0.1,
    initializer_range: 0.02,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  });
}
