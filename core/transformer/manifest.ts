// What an exported transformer folder is (the Hugging Face / transformers.js layout plus our manifest.json): the
// generator, the hub importer, the publisher and every loader read and write it through this one schema.
import { z } from "zod";
import { DTYPES } from "../manifest.ts";

const FileEntry = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.int().nonnegative(), dtype: z.enum(DTYPES).optional() });

export const DistilBertShapeSchema = z.object({
  layers: z.int().positive(),
  hidden: z.int().positive(),
  heads: z.int().positive(),
  ffn: z.int().positive(),
  vocab: z.int().positive(),
  maxPositions: z.int().positive(),
});
export type DistilBertShape = z.infer<typeof DistilBertShapeSchema>;

export const TransformerManifestSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  kind: z.literal("transformer"),
  architecture: z.literal("distilbert"),
  /** The dtype served by default. */
  dtype: z.enum(DTYPES),
  /** id2label in id order: BIO tags such as "O", "B-Disease_disorder", "I-Disease_disorder". */
  labels: z.array(z.string().min(1)).min(1),
  shape: DistilBertShapeSchema,
  /** Longest window in tokens, [CLS] and [SEP] included (the model's max_position_embeddings). */
  maxLength: z.int().positive(),
  /** file path inside the folder (e.g. "onnx/model_quantized.onnx") → its sha256 (hex) and size in bytes. */
  files: z.record(z.string(), FileEntry),
  /** How the weights were made: { kind: "random", seed } for generated models, { kind: "hub", repo, revision } for imports. */
  source: z.record(z.string(), z.unknown()),
  /** How the graph was built, e.g. { builder: "medner", fused: true, quantization: "per-channel int8 MatMulInteger" } per dtype. */
  graph: z.record(z.string(), z.unknown()).optional(),
  createdAt: z.string(),
  gitCommit: z.string().nullable(),
});
export type TransformerManifest = z.infer<typeof TransformerManifestSchema>;
