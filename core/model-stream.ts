// A model's weights file read as a stream whose size is known before the first byte (an R2 object, a file), so that a
// runtime can write it straight where it will live — onnxruntime's wasm heap — and no whole copy of it ever exists
// in JavaScript. The stream is checked against the manifest as it passes: it errors at its end (E402) unless its
// bytes are exactly the file the manifest describes, before anyone builds a session on them.
import { MednerError } from "./errors.ts";
import { sha256Stream } from "./sha256.ts";

export interface ModelStream {
  /** Bytes the body will deliver (the store's object size). */
  size: number;
  body: ReadableStream<Uint8Array>;
}

/** Opens a file of a model folder as a stream, or null when it does not exist. */
export type OpenFile = (file: string) => Promise<ModelStream | null>;

/** "onnx": the ONNX protobuf; "ort": onnxruntime's own format, whose weights a session can use in place. */
export type ModelFormat = "onnx" | "ort";

/**
 * Builds a runner from a verified model file: the ONNX bytes (every runtime), and — for a runtime that can place a
 * file where it will live — a stream of its ONNX or ORT-format twin. Loaders use the stream only where the runtime
 * offers it and the store can open files.
 */
export type RunnerFactory<R> = ((onnx: Uint8Array) => Promise<R>) & {
  fromStream?: (file: ModelStream, format: ModelFormat) => Promise<R>;
};

/** The ORT-format twin of an ONNX file in the same folder ("onnx/model_quantized.onnx" → "onnx/model_quantized.ort"). */
export const ortFormatFile = (onnxFile: string) => onnxFile.replace(/\.onnx$/, ".ort");

/**
 * `stream` with a check of every byte against `entry` (the manifest's size and sha256): a longer, shorter or different
 * file errors the stream with E402. WebCrypto has no incremental digest, hence @noble/hashes (~0.35 s for 68 MB).
 */
export function verifiedStream(file: string, entry: { sha256: string; size: number }, stream: ModelStream): ModelStream {
  if (stream.size !== entry.size) {
    void stream.body.cancel().catch(() => {});
    throw new MednerError("E402", `${file}: the store holds ${stream.size} bytes, the manifest says ${entry.size}: truncated or replaced`);
  }
  const hash = sha256Stream();
  let seen = 0;
  const check = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > entry.size) throw new MednerError("E402", `${file}: more than the manifest's ${entry.size} bytes`);
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      const got = hash.hex();
      if (seen !== entry.size || got !== entry.sha256)
        throw new MednerError("E402", `${file}: sha256 mismatch (expected ${entry.sha256.slice(0, 12)}… for ${entry.size} bytes, got ${got.slice(0, 12)}… for ${seen} bytes): truncated or tampered`);
    },
  });
  return { size: entry.size, body: stream.body.pipeThrough(check) };
}
