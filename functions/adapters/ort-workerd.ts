// onnxruntime-web inside workerd (Cloudflare Workers). workerd forbids compiling wasm from bytes, so the ort wasm is
// imported as a module (wrangler compiles it at upload) and instantiated with `new WebAssembly.Instance`, which is
// allowed. ort has no public hook for a precompiled module (an upstream PR adding one was closed), so we give it a
// placeholder `wasmBinary` and intercept `WebAssembly.instantiate` for that one placeholder. This is the only file
// that does so (recipe: ../shared/PLATFORM.md).
import * as ort from "onnxruntime-web/wasm";
import wasmModule from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import type { TaggerRunner } from "../../core/index.ts";
import type { TransformerRunner } from "../../core/transformer/index.ts";
import { SESSION_OPTIONS, sessionRunner, TRANSFORMER_SESSION_OPTIONS, transformerSessionRunner } from "./ort-runner.ts";

/** The wasm magic number and version: ort only passes this buffer on to WebAssembly.instantiate. */
const PLACEHOLDER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
let ready = false;

function init(): void {
  if (ready) return;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = PLACEHOLDER;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  // ort hands on a copy of wasmBinary, so the placeholder is recognised by its bytes.
  const isPlaceholder = (source: unknown) => {
    const view = source instanceof ArrayBuffer ? new Uint8Array(source) : ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : null;
    return view !== null && view.byteLength === PLACEHOLDER.byteLength && view.every((b, i) => b === PLACEHOLDER[i]);
  };
  const patched = (source: unknown, imports?: WebAssembly.Imports) => {
    if (isPlaceholder(source))
      return Promise.resolve({ module: wasmModule, instance: new WebAssembly.Instance(wasmModule, imports) });
    return instantiate(source as BufferSource, imports);
  };
  WebAssembly.instantiate = patched as typeof WebAssembly.instantiate;
  ready = true;
}

export async function createWorkerdRunner(onnx: Uint8Array): Promise<TaggerRunner> {
  init();
  return sessionRunner(ort as unknown as typeof import("onnxruntime-web"), await ort.InferenceSession.create(onnx, SESSION_OPTIONS));
}

export async function createWorkerdTransformerRunner(onnx: Uint8Array): Promise<TransformerRunner> {
  init();
  return transformerSessionRunner(ort as unknown as typeof import("onnxruntime-web"), await ort.InferenceSession.create(onnx, TRANSFORMER_SESSION_OPTIONS));
}
