// onnxruntime-web's wasm build under Node, for the trainer CLI (predict, evaluate, export's scoring), the tests and the
// wasm benchmarks: the same engine as the Worker, so their results are the Worker's. The package's Node build finds its
// wasm on disk. The Node server uses ort-native-node.ts.
import * as ort from "onnxruntime-web";
import type { TaggerRunner } from "../../core/index.ts";
import type { TransformerRunner } from "../../core/transformer/index.ts";
import { SESSION_OPTIONS, sessionRunner, TRANSFORMER_SESSION_OPTIONS, transformerSessionRunner } from "./ort-runner.ts";

// One thread: Workers run one, and the benchmarks measure one core.
ort.env.wasm.numThreads = 1;

export async function createNodeRunner(onnx: Uint8Array): Promise<TaggerRunner> {
  return sessionRunner(ort, await ort.InferenceSession.create(onnx, SESSION_OPTIONS));
}

export async function createNodeTransformerRunner(onnx: Uint8Array): Promise<TransformerRunner> {
  return transformerSessionRunner(ort, await ort.InferenceSession.create(onnx, TRANSFORMER_SESSION_OPTIONS));
}
