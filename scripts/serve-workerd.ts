// What `npm start` serves: the Worker as `wrangler deploy` would upload it (bundled by wrangler, --dry-run), run in
// workerd through Miniflare — the runtime the workerd tests use — its R2 bucket holding the models scripts/prepare-local.ts
// publishes. No dev proxy and no file watcher in front of it: under load, `wrangler dev`'s proxy
// answers some POSTs with a plain-text 503 ("Your worker restarted mid-request") that the Worker never saw
// (docs/benchmarks.md#load-npm-run-bench----load); `npm run dev` keeps wrangler dev, with live reload, for editing.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, sep } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { experimental_readRawConfig } from "wrangler";
import { isMain } from "./is-main.ts";
import { prepareLocal } from "./prepare-local.ts";
import { ROOT } from "./default-model.ts";

const DIST = join(ROOT, ".wrangler/dist");

/** Bundles the Worker as `wrangler deploy` would, into .wrangler/dist (worker.js and the wasm module it imports). */
export function buildWorker(): void {
  execFileSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", DIST], {
    cwd: ROOT,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/**
 * Starts the bundled Worker in workerd on host:port with the wrangler.toml bindings plus `vars`, its R2 bucket seeded
 * from the folder store `npm start` publishes to (.medner/store): the same models wrangler dev's local R2 holds.
 */
export async function serveWorker(o: { host: string; port: number; vars?: Record<string, string>; store: string; inspectorPort?: number }): Promise<{ url: URL; dispose: () => Promise<void> }> {
  // wrangler's own reader, so wrangler.toml means the same here as to wrangler dev and deploy.
  const config = experimental_readRawConfig({ config: join(ROOT, "wrangler.toml") }).rawConfig;
  const buckets: Array<{ binding: string; bucket_name?: string }> = config.r2_buckets ?? [];
  // Bulk jobs' queue and its dead-letter queue, produced to and consumed by this same Worker, as wrangler.toml says.
  const queues: {
    producers?: Array<{ queue: string; binding: string }>;
    consumers?: Array<{ queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; dead_letter_queue?: string; retry_delay?: number }>;
  } = config.queues ?? {};
  // R2 lives in a folder of this process, cleared at each start; it is filled while the Worker listens on a port no one knows, and only
  // then moved to host:port, so no request can see an empty bucket (the registry would cache "not published").
  // One folder per server process, so two servers (npm start and a benchmark) never share or clear each other's.
  const states = join(ROOT, ".wrangler/serve-state");
  const state = join(states, String(process.pid));
  rmSync(state, { recursive: true, force: true });
  // Folders of servers that were killed (no dispose) are removed here.
  for (const pid of existsSync(states) ? readdirSync(states) : []) if (!alive(Number(pid))) rmSync(join(states, pid), { recursive: true, force: true });
  const options = (port: number) =>
    convertV4MiniflareOptions({
      name: config.name ?? "medner",
      modules: [
        { type: "ESModule", path: join(DIST, "worker.js") },
        ...readdirSync(DIST).filter((f) => f.endsWith(".wasm")).map((f) => ({ type: "CompiledWasm" as const, path: join(DIST, f) })),
      ],
      modulesRoot: DIST,
      ...(config.compatibility_date ? { compatibilityDate: config.compatibility_date } : {}),
      compatibilityFlags: config.compatibility_flags ?? [],
      bindings: { ...(config.vars as Record<string, string> | undefined), ...o.vars },
      r2Buckets: Object.fromEntries(buckets.map((b) => [b.binding, b.bucket_name ?? b.binding])),
      queueProducers: Object.fromEntries((queues.producers ?? []).map((q) => [q.binding, { queueName: q.queue }])),
      queueConsumers: Object.fromEntries(
        (queues.consumers ?? []).map((q) => [
          q.queue,
          {
            ...(q.max_batch_size !== undefined ? { maxBatchSize: q.max_batch_size } : {}),
            ...(q.max_batch_timeout !== undefined ? { maxBatchTimeout: q.max_batch_timeout } : {}),
            ...(q.max_retries !== undefined ? { maxRetries: q.max_retries } : {}),
            ...(q.dead_letter_queue ? { deadLetterQueue: q.dead_letter_queue } : {}),
            ...(q.retry_delay !== undefined ? { retryDelay: q.retry_delay } : {}),
          },
        ]),
      ),
      resourcePersistencePath: state,
      host: o.host,
      port,
      // For the DevTools protocol (a heap reading during a soak); off by default.
      ...(o.inspectorPort ? { inspectorPort: o.inspectorPort } : {}),
    });
  const mf = new Miniflare(options(0));
  await mf.ready;
  for (const b of buckets.filter((b) => b.binding === "MODELS")) {
    const bucket = await mf.getR2Bucket(b.binding);
    for (const key of listFiles(o.store)) await bucket.put(key, readFileSync(join(o.store, key)));
  }
  await mf.setOptions(options(o.port));
  const url = await mf.ready;
  return {
    url,
    dispose: async () => {
      await mf.dispose();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every file under `root`, as bucket keys ("models/custom/…"). */
function listFiles(root: string, dir = ""): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(root, join(dir, e.name)) : [join(dir, e.name).split(sep).join("/")]));
}

if (isMain(import.meta.url)) {
  const dir = await prepareLocal();
  buildWorker();
  const port = Number(process.env.PORT ?? 8787);
  const { url } = await serveWorker({ host: process.env.HOST ?? "127.0.0.1", port, vars: { AUTH_DISABLED: "true" }, store: join(ROOT, ".medner/store") });
  process.stderr.write(`medner: serving custom from ${dir} in workerd on ${url.origin}\nWARNING: auth is disabled (AUTH_DISABLED=true): local development only\n`);
}
