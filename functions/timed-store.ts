// A deadline on every read of the model store. A read that stalls (an R2 request that never answers, a stream that
// stops mid-file) would otherwise hold its request, and every request sharing its load, for ever; past the deadline it
// fails like any other read, and the registry keeps the good version serving and lists the failure in /health.
import type { ModelStream } from "../core/index.ts";
import type { ModelStore } from "./store.ts";

/** Long enough to read a whole model file at once (the Node server's folder, LOAD_WHOLE_FILES), short enough that a
 * stalled store costs a request seconds, not the runtime's own limit. */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

/** STORE_TIMEOUT_MS in milliseconds: the default unless it is a positive number. */
export function storeTimeoutMs(value: string | undefined): number {
  const ms = Number(value);
  return value && Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_STORE_TIMEOUT_MS;
}

/** `read`, or after `ms` an Error naming `what`; an answer that comes later goes to `onLate` (a stream to close). */
function within<T>(read: Promise<T>, ms: number, what: string, onLate?: (late: T) => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (onLate) read.then(onLate, () => {});
      reject(new Error(`${what}: no answer from the model store within ${ms} ms`));
    }, ms);
  });
  return Promise.race([read, deadline]).finally(() => clearTimeout(timer));
}

/** A body that errors when no chunk arrives for `ms`, and cancels the stalled source so its connection is freed. */
function idleLimited(key: string, body: ReadableStream<Uint8Array>, ms: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await within(reader.read(), ms, key).catch((err: unknown) => {
        void reader.cancel().catch(() => {});
        throw err;
      });
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** `store` with each get and list bounded by `ms` in all, and each open by `ms` to open and `ms` between chunks. */
export function withReadTimeout(store: ModelStore, ms: number): ModelStore {
  const open = store.open?.bind(store);
  const cancelLate = (s: ModelStream | null) => void s?.body.cancel().catch(() => {});
  return {
    get: (key) => within(store.get(key), ms, key),
    list: (prefix) => within(store.list(prefix), ms, `list ${prefix}`),
    ...(open
      ? {
          open: async (key: string) => {
            const s = await within(open(key), ms, key, cancelLate);
            return s && { size: s.size, body: idleLimited(key, s.body, ms) };
          },
        }
      : {}),
  };
}
