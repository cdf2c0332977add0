// onnxruntime-web inside workerd (Cloudflare Workers). workerd forbids compiling wasm from bytes, so the ort wasm is
// imported as a module (wrangler compiles it at upload) and instantiated with `new WebAssembly.Instance`, which is
// allowed, through Emscripten's instantiateWasm hook (ort-wasm-heap.ts says how and why). ort also needs a placeholder
// `wasmBinary` to take the path that embeds its glue (workerd has no script URL for it to find one), never compiled.
// Models arrive as streams from R2 and are written straight into the wasm heap (recipe: docs/workers.md).
import * as ort from "onnxruntime-web/wasm";
import wasmModule from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import { firstLine, MednerError, type ModelFormat, type ModelStream, type RunnerFactory, type TaggerRunner } from "../../core/index.ts";
import type { TransformerRunner } from "../../core/transformer/index.ts";
import { ORT_FORMAT_SESSION_OPTIONS, SESSION_OPTIONS, sessionRunner, TRANSFORMER_SESSION_OPTIONS, transformerSessionRunner } from "./ort-runner.ts";
import { exclusive, heapReady, hookOrtInstantiation, streamIntoHeap, type HeapBlock } from "./ort-wasm-heap.ts";

/** The wasm magic number and version: the placeholder ort is given as its binary. */
const PLACEHOLDER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/**
 * Working memory reserved beside a model placed in the heap, measured (docs/workers.md): one 256-token window of the
 * full-size DistilBERT ran in 13 MiB and not in 12 (a 512-token one needs ~32 MiB); a tagger's 128-token run ~4 MiB.
 */
export const WORKING_BYTES = { tagger: 6 << 20, transformer: 14 << 20 } as const;

/** Transformer windows in the Worker: attention memory grows with the square of the window (docs/workers.md). */
export const WORKER_TRANSFORMER_OPTIONS = { windowTokens: 256 } as const;

/**
 * Tokens per tagger run in the Worker: the gathered embedding rows take ~26 KB a token (BC5CDR's 45 slots × 64 dims,
 * int8 and float32), so a 4,000-token note run whole would need ~100 MB; longer notes run in exact pieces.
 */
export const WORKER_TAGGER_OPTIONS = { maxBatchTokens: 128 } as const;

type Ort = typeof import("onnxruntime-web");
/** What both runner kinds share: a run and a release. */
type Runner = { run: (...a: never[]) => Promise<unknown>; release?: () => Promise<void> };
let ready: Promise<void> | null = null;

/**
 * Starts ort's wasm once: the first session creation initializes it (the placeholder, not a model, then fails to load,
 * as expected). If ort did not start, the next load tries again and says why.
 */
function init(): Promise<void> {
  ready ??= (async () => {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmBinary = PLACEHOLDER;
    const unhook = hookOrtInstantiation((imports) => new WebAssembly.Instance(wasmModule, imports));
    let failure: unknown;
    try {
      await ort.InferenceSession.create(PLACEHOLDER).catch((err: unknown) => (failure = err));
    } finally {
      unhook();
    }
    if (!heapReady()) {
      ready = null;
      throw new MednerError("E401", `onnxruntime-web did not start (${firstLine(failure)})`);
    }
  })();
  return ready;
}

/**
 * A session on a model streamed into the heap. An ORT-format file stays there, its weights used in place, until the
 * session is released (`block`); an ONNX file is parsed into tensors, so its block is freed as soon as the session
 * exists (`block` null).
 */
export async function heapSession(file: ModelStream, format: ModelFormat, workingBytes: number, options: ort.InferenceSession.SessionOptions) {
  await init();
  const block: HeapBlock = await streamIntoHeap(file, workingBytes);
  let session: ort.InferenceSession;
  try {
    session = await exclusive(() => ort.InferenceSession.create(block.view(), format === "ort" ? ORT_FORMAT_SESSION_OPTIONS : options));
  } catch (err) {
    block.free();
    throw err;
  }
  if (format === "onnx") block.free();
  return { session, block: format === "ort" ? block : null };
}

/** Runs and release go through `exclusive`, the same queue as session creation on the heap. */
function serialized<R extends Runner>(runner: R, free: () => void): R {
  return {
    ...runner,
    run: (...args: Parameters<R["run"]>) => exclusive(() => runner.run(...args)),
    release: () => exclusive(async () => {
      await runner.release?.();
      free();
    }),
  };
}

const ortWeb = ort as unknown as Ort;

/** The engine's runner over a transformer session (tests poke at a session's weights through heapSession). */
export const transformerRunnerOf = (session: ort.InferenceSession) => serialized(transformerSessionRunner(ortWeb, session), () => {});

/** A runner factory for one kind of model: from ONNX bytes, or from a stream placed in the heap. */
function workerdFactory<R extends Runner>(
  wrap: (session: ort.InferenceSession) => R,
  options: ort.InferenceSession.SessionOptions,
  workingBytes: number,
): RunnerFactory<R> {
  return Object.assign(
    async (onnx: Uint8Array) => {
      await init();
      return serialized(wrap(await exclusive(() => ort.InferenceSession.create(onnx, options))), () => {});
    },
    {
      fromStream: async (file: ModelStream, format: ModelFormat) => {
        const { session, block } = await heapSession(file, format, workingBytes, options);
        return serialized(wrap(session), () => block?.free());
      },
    },
  );
}

export const createWorkerdRunner: RunnerFactory<TaggerRunner> = workerdFactory((s) => sessionRunner(ortWeb, s), SESSION_OPTIONS, WORKING_BYTES.tagger);
export const createWorkerdTransformerRunner: RunnerFactory<TransformerRunner> = workerdFactory((s) => transformerSessionRunner(ortWeb, s), TRANSFORMER_SESSION_OPTIONS, WORKING_BYTES.transformer);
