// The model store the app reads: R2 in the Worker, a folder under the Node server, an in-memory map in tests.
import type { ModelStream } from "../core/index.ts";

export interface ModelStore {
  get(key: string): Promise<Uint8Array | null>;
  /** The object as a stream with its size, or null when it does not exist (R2: a model's weights, for the Worker). */
  open?(key: string): Promise<ModelStream | null>;
  /** Keys under `prefix`, all of them. */
  list(prefix: string): Promise<string[]>;
}
