// Loads an exported tagger from wherever its files live (a folder, R2, a test fixture): reads manifest.json,
// checks the ONNX file's size and sha256 against it, and only then builds the session.
import { TaggerEngine, type EngineOptions, type TaggerRunner } from "./engine.ts";
import { describeIssue, MednerError } from "./errors.ts";
import { FEATURIZER_VERSION } from "./features.ts";
import { tagNames } from "./tags.ts";
import { DTYPE_FILES, ManifestSchema, type Dtype, type Manifest } from "./manifest.ts";
import { ortFormatFile, verifiedStream, type OpenFile, type RunnerFactory } from "./model-stream.ts";
import { sha256Hex } from "./sha256.ts";

export function parseManifest(json: unknown, where: string): Manifest {
  const r = ManifestSchema.safeParse(json);
  if (!r.success) throw new MednerError("E401", describeIssue(r.error, where));
  return r.data;
}

/** Throws E402 unless `bytes` is exactly the file the manifest describes (any manifest with a `files` table). */
export async function verifyFile(manifest: Pick<Manifest, "files">, file: string, bytes: Uint8Array): Promise<void> {
  const entry = manifest.files[file];
  if (!entry) throw new MednerError("E402", `${file} is not listed in manifest.json`);
  const got = await sha256Hex(bytes);
  if (bytes.byteLength !== entry.size || got !== entry.sha256)
    throw new MednerError("E402", `${file}: sha256 mismatch (expected ${entry.sha256.slice(0, 12)}… for ${entry.size} bytes, got ${got.slice(0, 12)}… for ${bytes.byteLength} bytes): truncated or tampered`);
}

export interface LoadOptions extends EngineOptions {
  /** Which file to serve (default: the manifest's dtype). */
  dtype?: Dtype;
  /** Opens a file as a stream: with a runtime that takes streams, the weights never sit whole in JavaScript. */
  open?: OpenFile;
}

/**
 * `read(name)` returns a file's bytes or null when it does not exist; `createRunner` builds the ONNX session.
 * The model bytes are dropped once the session exists (Workers have 128 MB per isolate).
 */
export async function loadExportedTagger(
  read: (name: string) => Promise<Uint8Array | null>,
  createRunner: RunnerFactory<TaggerRunner>,
  options: LoadOptions = {},
): Promise<TaggerEngine> {
  const raw = await read("manifest.json");
  if (!raw) throw new MednerError("E401", "manifest.json is missing");
  const manifest = parseManifest(parseJsonFile(raw, "manifest.json"), "manifest.json");
  if (manifest.featurizer.version !== FEATURIZER_VERSION)
    throw new MednerError("E401", `manifest.json: the model needs featurizer v${manifest.featurizer.version}, this build has v${FEATURIZER_VERSION}`);
  if (manifest.tags.join() !== tagNames(manifest.labels, manifest.scheme).join())
    throw new MednerError("E401", "manifest.json: tags do not match labels and scheme");
  const file = DTYPE_FILES[options.dtype ?? manifest.dtype];
  return startEngine(manifest, file, read, createRunner, options.open, (runner) => new TaggerEngine(manifest, runner, options));
}

/** The first line of an error's message: onnxruntime's can run to many lines. */
export const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split("\n")[0];

/** A model file's bytes as JSON; E401 naming the file when they are not JSON. */
export function parseJsonFile(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new MednerError("E401", `${file} is not valid JSON (${firstLine(err)})`);
  }
}

/** The file a runtime is served for the dtype's ONNX `file`: its ORT-format twin where the runtime streams and has one. */
export function servedFile(manifest: Pick<Manifest, "files">, file: string, createRunner: RunnerFactory<unknown>, open?: OpenFile): string {
  return createRunner.fromStream && open && manifest.files[ortFormatFile(file)] ? ortFormatFile(file) : file;
}

/**
 * The runner on the served `file`. A runtime that takes streams (the Worker's) gets the file's ORT-format twin when the
 * folder has one — onnxruntime then uses its weights in place: one copy in memory instead of three — streamed from the
 * store and verified as it passes; every other runtime gets the ONNX bytes, read whole and verified first.
 */
async function verifiedRunner<R>(manifest: Pick<Manifest, "files">, file: string, read: (name: string) => Promise<Uint8Array | null>, createRunner: RunnerFactory<R>, open?: OpenFile): Promise<{ file: string; runner: () => Promise<R> }> {
  const fromStream = createRunner.fromStream;
  if (fromStream && open) {
    const streamed = servedFile(manifest, file, createRunner, open);
    const entry = manifest.files[streamed];
    if (!entry) throw new MednerError("E402", `${streamed} is not listed in manifest.json`);
    const stream = await open(streamed);
    if (!stream) throw new MednerError("E401", `${streamed} is missing`);
    return { file: streamed, runner: () => fromStream(verifiedStream(streamed, entry, stream), streamed === file ? "onnx" : "ort") };
  }
  const bytes = await read(file);
  if (!bytes) throw new MednerError("E401", `${file} is missing`);
  await verifyFile(manifest, file, bytes);
  return { file, runner: () => createRunner(bytes) };
}

/**
 * A session on the verified file served for `onnxFile` and the engine around it, proven by one run before anyone relies on it:
 * a graph that does not fit its manifest (shapes, tag or label count, input names) fails here, at load time, where the
 * caller can keep serving the previous version — not on every request. On any failure after the session exists it is
 * freed: a server retrying a broken version would otherwise keep one session per attempt.
 */
export async function startEngine<R extends { release?(): Promise<void> }, E extends { predict(texts: string[]): Promise<unknown> }>(
  manifest: Pick<Manifest, "files">,
  onnxFile: string,
  read: (name: string) => Promise<Uint8Array | null>,
  createRunner: RunnerFactory<R>,
  open: OpenFile | undefined,
  createEngine: (runner: R) => E,
): Promise<E> {
  const { file, runner: create } = await verifiedRunner(manifest, onnxFile, read, createRunner, open);
  let runner: R;
  try {
    runner = await create();
  } catch (err) {
    // Our own coded errors (a file that fails verification, a store read that failed) say what went wrong already.
    if (err instanceof MednerError) throw err;
    throw new MednerError("E401", `${file}: onnxruntime could not load it (${firstLine(err)})`);
  }
  const freeing = async (err: unknown) => {
    await runner.release?.().catch(() => {});
    return err;
  };
  let engine: E;
  try {
    engine = createEngine(runner);
  } catch (err) {
    throw await freeing(err);
  }
  try {
    await engine.predict(["Warm-up: aspirin 81 mg for CAD."]);
  } catch (err) {
    throw await freeing(new MednerError("E401", `${file} does not run with its manifest (${firstLine(err)})`));
  }
  return engine;
}
