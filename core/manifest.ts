// What an exported model folder is: the dtype → file table (transformers.js names) and manifest.json, shared by the
// exporter that writes them and every loader that reads them.
import { z } from "zod";
import { FeaturizerConfigSchema } from "./features.ts";

export const DTYPES = ["fp32", "q8"] as const;
export type Dtype = (typeof DTYPES)[number];

/** dtype → ONNX file name, as transformers.js names them: the one table the exporters and the loaders use. */
export const DTYPE_FILES: Record<Dtype, string> = { fp32: "model.onnx", q8: "model_quantized.onnx" };

export type ModelKind = "tagger" | "transformer";

/** Which loader a manifest is for: a transformer folder's says so in `kind`; anything else is read as a tagger's. */
export const manifestKind = (json: unknown): ModelKind => ((json as { kind?: unknown } | null)?.kind === "transformer" ? "transformer" : "tagger");

/** The `dtype` graph's path in a folder of `kind`: a transformer folder keeps its graphs under onnx/, as transformers.js does. */
export const dtypeFile = (kind: ModelKind, dtype: Dtype): string => (kind === "transformer" ? `onnx/${DTYPE_FILES[dtype]}` : DTYPE_FILES[dtype]);

const Metrics = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });

export const ManifestSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  kind: z.literal("tagger"),
  /** The dtype served by default. */
  dtype: z.enum(DTYPES),
  labels: z.array(z.string()),
  tags: z.array(z.string()),
  scheme: z.enum(["BIO", "BILOU"]),
  featurizer: z.object({ version: z.int(), config: FeaturizerConfigSchema }),
  /**
   * Tokens on each side whose features reach a token's output (the encoder's depth × window): long notes are run in
   * pieces with this much context around each, which gives exactly the whole note's answer. Absent: run whole.
   */
  receptiveField: z.int().nonnegative().optional(),
  /** CRF transition scores `[tags × tags]`, row-major (from → to), for a model trained with a CRF layer. */
  transitions: z.array(z.number()).optional(),
  /** file name → its sha256 (hex) and size in bytes. */
  files: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.int().nonnegative(), dtype: z.enum(DTYPES).optional() })),
  devMetrics: z.record(z.string(), z.object({ micro: Metrics, labels: z.record(z.string(), Metrics.extend({ support: z.int() })) })).optional(),
  trainDataSha256: z.string().optional(),
  createdAt: z.string(),
  gitCommit: z.string().nullable(),
  source: z.record(z.string(), z.unknown()).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
