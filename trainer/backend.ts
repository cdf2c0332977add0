// Chooses the tfjs backend for training: tfjs-node (native TensorFlow) where it installed, else the WebAssembly
// backend, else pure-JS cpu. The choice is reported so logs and saved models can say what trained them.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export const BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

export interface BackendInfo {
  name: BackendName;
  /** Why earlier choices were passed over, e.g. "tensorflow: @tensorflow/tfjs-node is not installed". */
  skipped: string[];
  tfjsVersion: string;
}

const require = createRequire(import.meta.url);

async function tryBackend(name: BackendName): Promise<void> {
  if (name === "tensorflow") {
    // Optional dependency: its install script downloads libtensorflow, which fails offline.
    await import("@tensorflow/tfjs-node" as string);
  } else if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(`${dist}/`);
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") failed`);
  await tf.ready();
}

/** Initializes the first backend that works, starting from `preferred` (default: the fastest). */
export async function initBackend(preferred?: BackendName): Promise<BackendInfo> {
  const order = preferred ? [preferred, ...BACKENDS.filter((b) => b !== preferred)] : [...BACKENDS];
  const skipped: string[] = [];
  for (const name of order) {
    try {
      await tryBackend(name);
      return { name, skipped, tfjsVersion: tf.version.tfjs };
    } catch (err) {
      skipped.push(`${name}: ${String((err as Error).message ?? err).split("\n")[0]}`);
    }
  }
  throw new Error(`no tfjs backend could start (${skipped.join("; ")})`);
}
