// Cloudflare Workers entry point: models streamed from the R2 binding, sessions through the workerd ort adapter, and the
// queue consumer of bulk jobs.
import { createWorkerdRunner, createWorkerdTransformerRunner, WORKER_TAGGER_OPTIONS, WORKER_TRANSFORMER_OPTIONS } from "./adapters/ort-workerd.ts";
import { pinnedBytes, wasmMemoryBytes } from "./adapters/ort-wasm-heap.ts";
import { r2Store } from "./adapters/r2-store.ts";
import { createApp } from "./app.ts";
import type { Bindings } from "./env.ts";
import { ApiError } from "./errors.ts";
import { consumeJobs } from "./jobs/consume.ts";
import type { ChunkMessage } from "./jobs/keys.ts";
import { storeTimeoutMs, withReadTimeout } from "./timed-store.ts";

const app = createApp({
  createRunner: createWorkerdRunner,
  createTransformerRunner: createWorkerdTransformerRunner,
  transformerOptions: WORKER_TRANSFORMER_OPTIONS,
  taggerOptions: WORKER_TAGGER_OPTIONS,
  storeOf: (env) => {
    if (!env.MODELS) throw new ApiError(503, "store_unavailable", "the MODELS R2 binding is missing", { "Retry-After": "60" });
    return withReadTimeout(r2Store(env.MODELS), storeTimeoutMs(env.STORE_TIMEOUT_MS));
  },
  memory: () => ({ wasmMemoryBytes: wasmMemoryBytes(), modelBlockBytes: pinnedBytes() }),
});

// HTTP through the app; both job queues' batches (medner-jobs and its dead-letter queue) through the consumer, on the
// app's registries.
export default { fetch: app.fetch, queue: consumeJobs({ registryFor: app.registryFor }) } satisfies ExportedHandler<Bindings, ChunkMessage>;
