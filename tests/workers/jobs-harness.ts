// Bulk jobs driven by hand inside workerd: the app's routes with a queue that only records what is sent, and the
// Worker's consumer called with batches built here, so a test chooses each delivery: its order, its attempt number,
// a duplicate, a dead letter, a fault in the middle of a chunk.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { expect } from "vitest";
import type { RunnerFactory, TaggerRunner } from "../../core/index.ts";
import { createWorkerdRunner, WORKER_TAGGER_OPTIONS } from "../../functions/adapters/ort-workerd.ts";
import { r2Store } from "../../functions/adapters/r2-store.ts";
import { createApp } from "../../functions/app.ts";
import type { Bindings } from "../../functions/env.ts";
import { consumeJobs } from "../../functions/jobs/consume.ts";
import type { ChunkMessage } from "../../functions/jobs/keys.ts";
import { JobAccepted, JobStatus } from "../../functions/schemas.ts";
import type { ModelStore } from "../../functions/store.ts";

export const models = (env as unknown as { MODELS: R2Bucket }).MODELS;
export const bucket = (env as unknown as { JOBS: R2Bucket }).JOBS;
export const DLQ = "medner-jobs-dlq";

export type Note = { id: string; text: string };
export const ndjson = (notes: Note[]) => notes.map((n) => JSON.stringify(n)).join("\n") + "\n";
export type ResultLine = { id: string | null; entities?: unknown[]; error?: { code: string; message: string } };
type QueueResult = { explicitAcks: string[]; retryMessages: Array<{ msgId: string; delaySeconds?: number }> };

export function harness(o: { chunkNotes?: number; runner?: RunnerFactory<TaggerRunner>; store?: ModelStore; jobs?: R2Bucket; vars?: Record<string, string> } = {}) {
  const sent: ChunkMessage[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const queue = {
    sendBatch: async (msgs: Iterable<{ body: ChunkMessage }>) => void sent.push(...[...msgs].map((m) => m.body)),
  };
  const app = createApp({ createRunner: o.runner ?? createWorkerdRunner, taggerOptions: WORKER_TAGGER_OPTIONS, storeOf: () => o.store ?? r2Store(models), log: () => {} });
  const bindings = {
    AUTH_DISABLED: "true",
    POINTER_TTL_SECONDS: "0",
    MODELS: models,
    JOBS: o.jobs ?? bucket,
    JOBS_QUEUE: queue,
    JOB_CHUNK_NOTES: String(o.chunkNotes ?? 10),
    JOBS_DEAD_LETTER_QUEUE: DLQ,
    ...o.vars,
  } as unknown as Bindings;
  const consume = consumeJobs({ registryFor: app.registryFor, log: (l) => void logs.push(JSON.parse(l) as Record<string, unknown>) });
  const request = (path: string, init: RequestInit = {}) => app.request(path, init, bindings);

  return {
    sent,
    logs,
    bindings,
    request,
    async submit(notes: Note[] | string, query = "") {
      const res = await request(`/jobs${query}`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: typeof notes === "string" ? notes : ndjson(notes) });
      if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}: ${await res.text()}`);
      return JobAccepted.parse(await res.json());
    },
    /** Delivers `messages` as one batch from `queue`, each at `attempts`; answers what was acked and retried. */
    async deliver(messages: ChunkMessage[], d: { attempts?: number; queue?: string } = {}): Promise<QueueResult> {
      const batch = createMessageBatch<ChunkMessage>(
        d.queue ?? "medner-jobs",
        messages.map((body, i) => ({ id: `msg-${body.chunk}-${i}`, timestamp: new Date(), attempts: d.attempts ?? 1, body })),
      );
      // getQueueResult reports which messages were retried but not their delay: the consumer's retry calls are
      // recorded on the way through.
      const retryMessages: QueueResult["retryMessages"] = [];
      const recorded = batch.messages.map(
        (m) =>
          new Proxy(m, {
            get: (t, p) => {
              if (p === "retry") return (o?: QueueRetryOptions) => (retryMessages.push({ msgId: t.id, ...o }), t.retry(o));
              // Bound to the message itself: its methods read private fields, which a proxy does not have.
              const v: unknown = Reflect.get(t, p, t);
              return typeof v === "function" ? v.bind(t) : v;
            },
          }),
      );
      const ctx = createExecutionContext();
      await consume({ queue: batch.queue, metadata: batch.metadata, messages: recorded, ackAll: () => batch.ackAll(), retryAll: (o) => batch.retryAll(o) }, bindings);
      const result = (await getQueueResult(batch, ctx)) as { explicitAcks: string[]; retryMessages: Array<{ msgId: string }> };
      expect(retryMessages.map((r) => r.msgId)).toEqual(result.retryMessages.map((r) => r.msgId));
      return { explicitAcks: result.explicitAcks, retryMessages };
    },
    async status(id: string) {
      return JobStatus.parse(await (await request(`/jobs/${id}`)).json());
    },
    async results(id: string): Promise<ResultLine[]> {
      const res = await request(`/jobs/${id}/results`);
      if (res.status !== 200) throw new Error(`GET /jobs/${id}/results answered ${res.status}: ${await res.text()}`);
      return new TextDecoder().decode(await res.arrayBuffer()).trimEnd().split("\n").map((l) => JSON.parse(l) as ResultLine);
    },
  };
}

/** A runner that, once armed, lets `after` more runs through and then throws on every run until disarmed. */
export function faultyRunner() {
  const state = { armedAt: Infinity, runs: 0 };
  const wrap = (r: TaggerRunner): TaggerRunner => ({
    ...r,
    run: (...a: Parameters<TaggerRunner["run"]>) => (++state.runs > state.armedAt ? Promise.reject(new Error("injected fault")) : r.run(...a)),
  });
  const runner = Object.assign(async (b: Uint8Array) => wrap(await createWorkerdRunner(b)), {
    fromStream: async (...a: Parameters<NonNullable<typeof createWorkerdRunner.fromStream>>) => wrap(await createWorkerdRunner.fromStream!(...a)),
  });
  return {
    runner,
    runs: () => state.runs,
    arm: (after: number) => void (state.armedAt = state.runs + after),
    disarm: () => void (state.armedAt = Infinity),
  };
}
