// Writes a transformer folder in the Hugging Face / transformers.js layout — config.json, tokenizer.json,
// tokenizer_config.json, onnx/model.onnx (fp32), onnx/model_quantized.onnx (q8) — plus the q8 graph's ORT-format twin
// for the Worker (onnx/model_quantized.ort) and our manifest.json with the sha256 and size of every file. Built in a
// temporary sibling folder and renamed into place at the end, so a failure (or Ctrl-C) never leaves a half-written
// model behind.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { defaultContextRulesId } from "../../core/context/index.ts";
import { MednerError } from "../../core/errors.ts";
import { dtypeFile } from "../../core/manifest.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { gitCommit } from "../git.ts";
import { TransformerManifestSchema, type TransformerManifest } from "../../core/transformer/manifest.ts";
import { ortFormatFile } from "../../core/model-stream.ts";
import { toOrtFormat } from "../export/ort-format.ts";
import { buildDistilBertGraph } from "./distilbert-graph.ts";
import { VARIANT_GRAPHS, type Variant } from "./graph-variants.ts";
import { configLabels, shapeOf, type DistilBertConfig } from "./hf-config.ts";
import { checkWeights, type Weights } from "./weights.ts";

export type { Variant } from "./graph-variants.ts";

export interface FolderInput {
  config: DistilBertConfig;
  weights: Weights;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  name: string;
  version: string;
  variant: Variant;
  /** How the weights were made: { kind: "random", seed } or { kind: "hub", repo, revision }. */
  source: Record<string, unknown>;
  /** Called before each file is built and written (the full size takes a while). */
  onStep?: (file: string) => void;
}

export async function buildTransformerFolder(outDir: string, input: FolderInput): Promise<TransformerManifest> {
  checkWeights(input.config, input.weights);
  const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "onnx"), { recursive: true });
  const files: TransformerManifest["files"] = {};
  const write = async (file: string, bytes: Uint8Array | string, dtype?: "fp32" | "q8") => {
    const data = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    writeFileSync(join(tmp, file), data);
    files[file] = { sha256: await sha256Hex(data), size: data.byteLength, ...(dtype ? { dtype } : {}) };
  };
  try {
    await write("config.json", `${JSON.stringify(input.config, null, 2)}\n`);
    await write("tokenizer.json", JSON.stringify(input.tokenizerJson));
    await write("tokenizer_config.json", `${JSON.stringify(input.tokenizerConfig, null, 2)}\n`);
    const graphs = VARIANT_GRAPHS[input.variant];
    for (const dtype of ["fp32", "q8"] as const) {
      input.onStep?.(dtypeFile("transformer", dtype));
      const doc = `DistilBertForTokenClassification, ${input.variant} ${dtype}, built by medner: ${JSON.stringify(graphs[dtype])}`;
      const onnx = buildDistilBertGraph(input.config, input.weights, graphs[dtype], doc);
      await write(dtypeFile("transformer", dtype), onnx, dtype);
      if (dtype === "q8") {
        input.onStep?.(ortFormatFile(dtypeFile("transformer", dtype)));
        await write(ortFormatFile(dtypeFile("transformer", dtype)), await toOrtFormat(onnx, "transformer"), dtype);
      }
    }
    const manifest = TransformerManifestSchema.parse({
      name: input.name,
      version: input.version,
      kind: "transformer",
      architecture: "distilbert",
      dtype: "q8",
      labels: configLabels(input.config),
      shape: shapeOf(input.config),
      maxLength: input.config.max_position_embeddings,
      files,
      // The context rules the service applies after this model (core/context).
      source: { ...input.source, context: defaultContextRulesId() },
      // How each file was built: the GraphOptions of trainer/distilbert/distilbert-graph.ts.
      graph: { builder: "medner", opset: 17, variant: input.variant, ...graphs },
      createdAt: new Date().toISOString(),
      gitCommit: gitCommit(),
    });
    writeFileSync(join(tmp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
    return manifest;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (err instanceof MednerError) throw err;
    throw new MednerError("E401", `building ${outDir} failed (${(err as Error).message})`);
  }
}

/** The manifest of a folder written by buildTransformerFolder. */
export function readTransformerManifest(dir: string): TransformerManifest {
  return TransformerManifestSchema.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
}
