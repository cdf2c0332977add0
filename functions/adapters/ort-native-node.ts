// onnxruntime-node (native, multi-threaded) for the Node server (functions/node-server.ts), the native benchmarks and the
// native-vs-wasm parity test: the same runner interface as the wasm adapters, so the engine and its results are the same;
// only the speed differs. Workers cannot load native code and use ort-workerd.ts; the CLI uses ort-wasm-node.ts.
import * as ort from "onnxruntime-node";
import type { TaggerRunner } from "../../core/index.ts";
import type { TransformerRunner } from "../../core/transformer/index.ts";
import { SESSION_OPTIONS, sessionRunner, TRANSFORMER_SESSION_OPTIONS, transformerSessionRunner } from "./ort-runner.ts";

// onnxruntime-node and -web share onnxruntime-common's Tensor and InferenceSession API; only their type packages differ.
type WebOrt = typeof import("onnxruntime-web");

export async function createNativeRunner(onnx: Uint8Array): Promise<TaggerRunner> {
  return sessionRunner(ort as unknown as WebOrt, (await ort.InferenceSession.create(onnx, SESSION_OPTIONS)) as never);
}

export async function createNativeTransformerRunner(onnx: Uint8Array): Promise<TransformerRunner> {
  return transformerSessionRunner(ort as unknown as WebOrt, (await ort.InferenceSession.create(onnx, TRANSFORMER_SESSION_OPTIONS)) as never);
}
