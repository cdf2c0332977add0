// onnxruntime-web's wasm heap, reached from outside ort, so that a model file is streamed straight into a block of the
// heap that we own and a session uses its weights there in place (ORT format): the weights exist once, instead of as
// JavaScript bytes + ort's copy of them + the session's tensors (197 MB of wasm memory and 68 MB of JavaScript for the
// full-size q8 transformer in workerd). It reaches inside ort in three places, each because ort offers no public way:
//  - The Emscripten module (malloc, free, the heap): Emscripten calls `Module.instantiateWasm(imports, done)` when the
//    module defines it, and ort builds the module's arguments as a plain object literal, so the hook is put on
//    Object.prototype for ort's one initialization and removed the moment it fires. The hook also hands us the
//    instantiation itself, which workerd needs anyway (it compiles no wasm from bytes; the module comes precompiled).
//  - `_free`: ort's createSession frees the model buffer when creation ends, even one it did not allocate, which makes
//    `session.use_ort_model_bytes_for_initializers` a use-after-free (upstream issue #19491). Our blocks are pinned:
//    ort's free of one is ignored, and we free it when its session is released.
//  - createSession skips its own copy of the model when the Uint8Array it is given lies in the heap's buffer.
import { firstLine, MednerError, type ModelStream } from "../../core/index.ts";

interface EmscriptenModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
}

type Instantiate = (imports: WebAssembly.Imports) => WebAssembly.Instance;

let wasm: { module: EmscriptenModule; memory: WebAssembly.Memory | null } | null = null;
/** Blocks we own in the heap, by address → size. */
const pinned = new Map<number, number>();
/** The largest working memory reserved so far, in one piece: runs never overlap (`exclusive`), so models share it. */
let reserved = 0;

/**
 * Installs the hook for ort's next initialization (call before the first session is created); `instantiate` builds
 * the instance from ort's imports. Returns a function that removes the hook if it never fired.
 */
export function hookOrtInstantiation(instantiate: Instantiate): () => void {
  const proto = Object.prototype as { instantiateWasm?: unknown };
  const remove = () => {
    if (Object.prototype.hasOwnProperty.call(proto, "instantiateWasm")) delete proto.instantiateWasm;
  };
  Object.defineProperty(proto, "instantiateWasm", {
    configurable: true,
    writable: true,
    value: function instantiateWasm(this: EmscriptenModule, imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
      remove();
      const memory = Object.values(imports).flatMap((m) => Object.values(m)).find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory) ?? null;
      wasm = { module: this, memory };
      // Emscripten calls this inside a Promise executor: a throw here rejects ort's initialization with it.
      done(instantiate(imports));
      return {};
    },
  });
  return remove;
}

/** ort's free, with the blocks we own left alone (installed once the module has its exports). */
function guardFree(module: EmscriptenModule): void {
  const free = module._free as EmscriptenModule["_free"] & { guarded?: true };
  if (free.guarded) return;
  const guarded = Object.assign((ptr: number) => void (pinned.has(ptr) ? undefined : free(ptr)), { guarded: true as const, real: free });
  module._free = guarded;
}

const realFree = (module: EmscriptenModule, ptr: number) => ((module._free as { real?: (p: number) => void }).real ?? module._free)(ptr);

/** Whether ort has started and the hook has handed over its module. */
export const heapReady = () => wasm !== null;

/** The wasm linear memory's size in bytes (0 before ort has started): what the heap holds, used or free. */
export const wasmMemoryBytes = () => wasm?.memory?.buffer.byteLength ?? wasm?.module.HEAPU8.buffer.byteLength ?? 0;

/** Bytes of the model blocks in the heap right now. */
export const pinnedBytes = () => [...pinned.values()].reduce((a, b) => a + b, 0);

export interface HeapBlock {
  readonly bytes: number;
  /** The block as a Uint8Array on the heap's current buffer: take it right before handing it to ort. */
  view(): Uint8Array;
  free(): void;
}

/**
 * Streams `file` into a block of the heap. Unless an earlier model reserved at least as much (runs never overlap, so
 * models share it), the working memory its runs need (`workingBytes`) is reserved and released again before the block
 * is placed, so the heap's one growth covers the model and its working memory together: it grows by at least 1.2× per
 * step and never shrinks, so growing once more for a run's activations would cost a fifth of everything already there.
 * The whole amount, in one piece: a run's tensors do not fit in two smaller holes apart (measured: the ensemble's heap
 * grew by a fifth when a transformer topped up a tagger's reserve).
 * A stream that errors (E402: not the manifest's bytes) frees the block.
 */
export async function streamIntoHeap(file: ModelStream, workingBytes: number): Promise<HeapBlock> {
  if (!wasm) throw new Error("onnxruntime-web is not initialized");
  const { module } = wasm;
  guardFree(module);
  // Inside the queue: growing the heap while another session is being created would leave its view stale.
  const ptr = await exclusive(async () => {
    const reserve = workingBytes > reserved ? module._malloc(workingBytes) : 0;
    reserved = Math.max(reserved, workingBytes);
    const at = module._malloc(file.size);
    if (reserve) realFree(module, reserve);
    return at;
  });
  if (!ptr) {
    void file.body.cancel().catch(() => {});
    throw new MednerError("E401", `the wasm heap cannot hold ${file.size} more bytes`);
  }
  pinned.set(ptr, file.size);
  const free = () => {
    if (pinned.delete(ptr)) realFree(module, ptr);
  };
  const reader = file.body.getReader();
  try {
    let at = 0;
    for (;;) {
      const { done, value } = await reader.read().catch((err: unknown) => {
        // A verification failure (E402) passes as it is; anything else is the store's read failing.
        throw err instanceof MednerError ? err : new MednerError("E401", `reading the model file failed (${firstLine(err)})`);
      });
      if (done) break;
      if (at + value.byteLength > file.size) throw new MednerError("E402", `the stream is longer than its ${file.size} bytes`);
      // HEAPU8 is looked up per chunk: another session's run may have grown the heap meanwhile.
      module.HEAPU8.set(value, ptr + at);
      at += value.byteLength;
    }
    if (at !== file.size) throw new MednerError("E402", `the stream ended after ${at} of its ${file.size} bytes`);
  } catch (err) {
    free();
    void reader.cancel(err).catch(() => {});
    throw err;
  }
  return { bytes: file.size, view: () => new Uint8Array(module.HEAPU8.buffer, ptr, file.size), free };
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` after every earlier call has finished. Session creation on a heap block and runs go through here: ort
 * checks that the model's view lies in the heap's *current* buffer, and a run interleaved at one of its awaits could
 * grow the heap in between (ort would then copy the model after all). One wasm thread runs one thing at a time anyway.
 */
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn);
  queue = next.catch(() => {});
  return next;
}
