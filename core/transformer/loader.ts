// Loads a transformer folder from wherever its files live (a directory, R2, a test fixture): validates manifest.json,
// checks every file it reads against the manifest's size and sha256, builds the tokenizer and the ONNX session, and
// proves they run together before anyone relies on them.
import { describeIssue, MednerError } from "../errors.ts";
import { dtypeFile, manifestKind, type Dtype, type Manifest } from "../manifest.ts";
import { firstLine, parseJsonFile, parseManifest, startEngine, verifyFile } from "../model-loader.ts";
import type { OpenFile, RunnerFactory } from "../model-stream.ts";
import { TransformerEngine, type TransformerEngineOptions, type TransformerRunner } from "./engine.ts";
import { TransformerManifestSchema, type TransformerManifest } from "./manifest.ts";
import { WordPieceTokenizer } from "./wordpiece.ts";

export interface TransformerLoadOptions extends TransformerEngineOptions {
  /** Which ONNX file to serve (default: the manifest's dtype). */
  dtype?: Dtype;
  /** Opens a file as a stream: with a runtime that takes streams, the weights never sit whole in JavaScript. */
  open?: OpenFile;
}

export function parseTransformerManifest(json: unknown, where = "manifest.json"): TransformerManifest {
  const r = TransformerManifestSchema.safeParse(json);
  if (!r.success) throw new MednerError("E401", describeIssue(r.error, where));
  return r.data;
}

/** A tagger's or a transformer's manifest, whichever `kind` says: both list their files with sha256 and size. */
export function parseAnyManifest(json: unknown, where = "manifest.json"): Manifest | TransformerManifest {
  return manifestKind(json) === "transformer" ? parseTransformerManifest(json, where) : parseManifest(json, where);
}

/**
 * `read(path)` returns a file's bytes (paths as in the manifest, e.g. "onnx/model_quantized.onnx") or null when it does
 * not exist; `createRunner` builds the ONNX session. The file bytes are dropped once the engine exists (Workers have
 * 128 MB per isolate); with `options.open` and a runtime that takes streams, they never sit whole in JavaScript.
 */
export async function loadTransformer(
  read: (path: string) => Promise<Uint8Array | null>,
  createRunner: RunnerFactory<TransformerRunner>,
  options: TransformerLoadOptions = {},
): Promise<TransformerEngine> {
  const raw = await read("manifest.json");
  if (!raw) throw new MednerError("E401", "manifest.json is missing");
  const manifest = parseTransformerManifest(parseJsonFile(raw, "manifest.json"));
  const readVerified = async (file: string) => {
    const bytes = await read(file);
    if (!bytes) throw new MednerError("E401", `${file} is missing`);
    await verifyFile(manifest, file, bytes);
    return bytes;
  };

  const config = parseJsonFile(await readVerified("config.json"), "config.json") as { id2label?: Record<string, string> };
  if (config.id2label) {
    const id2label = manifest.labels.map((_, i) => config.id2label![String(i)]);
    if (Object.keys(config.id2label).length !== manifest.labels.length || id2label.some((l, i) => l !== manifest.labels[i]))
      throw new MednerError("E401", "config.json: id2label does not match the manifest's labels (order matters: it maps logits to tags)");
  }
  let tokenizer: WordPieceTokenizer;
  try {
    tokenizer = new WordPieceTokenizer(parseJsonFile(await readVerified("tokenizer.json"), "tokenizer.json"), parseJsonFile(await readVerified("tokenizer_config.json"), "tokenizer_config.json"));
  } catch (err) {
    if (err instanceof MednerError) throw err;
    throw new MednerError("E401", `the tokenizer cannot be used: ${firstLine(err)}`);
  }

  const file = dtypeFile("transformer", options.dtype ?? manifest.dtype);
  // q8 graphs quantize activations per batch: one window per run keeps each note's answer independent of the others.
  const batchWindows = options.batchWindows ?? (options.dtype ?? manifest.dtype) !== "q8";
  return startEngine(manifest, file, read, createRunner, options.open, (runner) => new TransformerEngine(manifest, tokenizer, runner, { ...options, batchWindows }));
}
