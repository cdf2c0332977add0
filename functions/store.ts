// The model store the app reads: R2 in the Worker, a folder under the Node server, an in-memory map in tests.
export interface ModelStore {
  get(key: string): Promise<Uint8Array | null>;
  /** Keys under `prefix`, all of them. */
  list(prefix: string): Promise<string[]>;
}
