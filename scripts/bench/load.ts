// `npm run bench -- load [--target workerd|wrangler|node] [--connections C] [--seconds S] [--sample S]
// [--max-in-flight N]`: C clients
// POST /ner with the 100-word note as fast as they are answered, for S seconds, on loopback, against
//   workerd: what `npm start` serves (the bundled Worker in workerd, no dev proxy),
//   wrangler: `npm run dev` (wrangler dev: its proxy and file watcher in front of the same workerd),
//   node: `npm run serve:node` (the same app on onnxruntime-node);
// each started and stopped here, the shipped default model published first. Reports status counts, error codes, a
// sample body per non-200 status, p50/p99 latency and requests/s, and every `--sample` seconds the server's RSS and
// the window's p50/p99 (a soak: `--connections 50 --seconds 600 --sample 30`). Writes bench-results/load.json.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, request } from "undici";
import { ROOT } from "../default-model.ts";
import { prepareLocal } from "../prepare-local.ts";
import { buildWorker } from "../serve-workerd.ts";
import { waitReady } from "./edge.ts";

export const LOAD_TARGETS = ["workerd", "wrangler", "node"] as const;
export type LoadTarget = (typeof LOAD_TARGETS)[number];
const PORT = 8797;

function start(target: LoadTarget, maxInFlight?: number, serverLog?: string): ChildProcess {
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
  const node = process.execPath;
  const args: Record<LoadTarget, string[]> = {
    workerd: ["--import", "tsx", "-e", `import("./scripts/serve-workerd.ts").then((m) => m.serveWorker({ host: "127.0.0.1", port: ${PORT}, vars: { AUTH_DISABLED: "true"${maxInFlight ? `, MAX_IN_FLIGHT: "${maxInFlight}"` : ""} }, store: ".medner/store" }))`],
    wrangler: [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", String(PORT), "--var", "AUTH_DISABLED:true", ...(maxInFlight ? ["--var", `MAX_IN_FLIGHT:${maxInFlight}`] : []), "--log-level", "error"],
    node: ["--import", "tsx", "functions/node-server.ts"],
  };
  return spawn(node, args[target], { cwd: ROOT, env: { ...env, PORT: String(PORT), AUTH_DISABLED: "true", MEDNER_STORE: ".medner/store", ...(maxInFlight ? { MAX_IN_FLIGHT: String(maxInFlight) } : {}) }, stdio: ["ignore", serverLog ? openSync(serverLog, "w") : "ignore", "inherit"], detached: true });
}

/** Resident memory of the server in MB: every process in its process group (workerd runs as a child), from /proc;
 * `only` keeps the processes whose command line contains it ("workerd"). */
function rssMb(pgid: number, only?: string): number {
  let kb = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // After the parenthesised command name (which may hold spaces): state, ppid, pgrp.
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== pgid) continue;
      if (only && !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(only)) continue;
      kb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return kb / 1024;
}

const pct = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]! : 0);

export async function benchLoad(o: { target: LoadTarget; connections: number; seconds: number; sample: number; maxInFlight?: number; serverLog?: string }) {
  await prepareLocal();
  if (o.target === "workerd") buildWorker();
  const note = readFileSync(new URL("note-100.txt", import.meta.url), "utf8");
  const body = JSON.stringify({ text: note });
  const child = start(o.target, o.maxInFlight, o.serverLog);
  const base = `http://127.0.0.1:${PORT}`;
  try {
    await waitReady(`${base}/health`, 120_000);
    // The model loads on the first request: not part of the measurement.
    await fetch(`${base}/ner`, { method: "POST", headers: { "content-type": "application/json" }, body });
    // One connection per client, kept alive: undici's Agent, as load generators use it. (Node's global fetch pool
    // measured ~0.5% socket resets of its own against workerd here, which a server benchmark must not count.)
    const agent = new Agent({ connections: o.connections, headersTimeout: 120_000, bodyTimeout: 120_000 });
    const statuses: Record<string, number> = {};
    const samples: Record<string, string> = {};
    const latencies: number[] = [];
    let window: number[] = [];
    let windowErrors = 0;
    const timeline: Array<{ atS: number; requests: number; errors: number; p50Ms: number; p99Ms: number; rssMb: number; workerdRssMb: number }> = [];
    const t0 = performance.now();
    const until = t0 + o.seconds * 1000;
    const sampler = setInterval(() => {
      const w = window.sort((a, b) => a - b);
      window = [];
      const errors = windowErrors;
      windowErrors = 0;
      timeline.push({ atS: Math.round((performance.now() - t0) / 1000), requests: w.length, errors, p50Ms: pct(w, 0.5), p99Ms: pct(w, 0.99), rssMb: Math.round(rssMb(child.pid!)), workerdRssMb: Math.round(rssMb(child.pid!, "workerd")) });
    }, o.sample * 1000);
    const client = async () => {
      while (performance.now() < until) {
        const t = performance.now();
        let key: string;
        try {
          const r = await request(`${base}/ner`, { method: "POST", headers: { "content-type": "application/json" }, body, dispatcher: agent });
          const text = await r.body.text();
          key = String(r.statusCode);
          if (r.statusCode !== 200) samples[key] ??= `${r.headers["content-type"]}: ${text.slice(0, 200)}`;
        } catch (err) {
          key = `error ${(err as NodeJS.ErrnoException).code ?? (err as Error).name}`;
          samples[key] ??= (err as Error).message.slice(0, 200);
        }
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (key !== "200") windowErrors++;
        const ms = performance.now() - t;
        latencies.push(ms);
        window.push(ms);
      }
    };
    await Promise.all(Array.from({ length: o.connections }, client));
    clearInterval(sampler);
    await agent.close();
    const sorted = latencies.sort((a, b) => a - b);
    const total = sorted.length;
    return { target: o.target, maxInFlight: o.maxInFlight ?? null, connections: o.connections, seconds: o.seconds, total, statuses, samples, non200: total - (statuses["200"] ?? 0), requestsPerSecond: total / o.seconds, p50Ms: pct(sorted, 0.5), p99Ms: pct(sorted, 0.99), timeline, note: { words: note.trim().split(/\s+/).length } };
  } finally {
    process.kill(-child.pid!, "SIGTERM");
  }
}

export function loadTable(r: Awaited<ReturnType<typeof benchLoad>>): string {
  return [
    `POST /ner, ${r.note.words}-word note, ${r.connections} clients for ${r.seconds} s against ${r.target}${r.maxInFlight ? ` (MAX_IN_FLIGHT ${r.maxInFlight})` : ""}`,
    "| requests | req/s | p50 ms | p99 ms | not 200 | statuses |",
    "|---------:|------:|-------:|-------:|--------:|----------|",
    `| ${r.total} | ${r.requestsPerSecond.toFixed(1)} | ${r.p50Ms.toFixed(0)} | ${r.p99Ms.toFixed(0)} | ${r.non200} | ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join(", ")} |`,
    ...Object.entries(r.samples).map(([k, v]) => `  ${k}: ${v}`),
    ...(r.timeline.length ? ["", "| at s | requests | not 200 | p50 ms | p99 ms | server RSS MB | of which workerd |", "|-----:|---------:|--------:|-------:|-------:|--------------:|-----------------:|", ...r.timeline.map((t) => `| ${t.atS} | ${t.requests} | ${t.errors} | ${t.p50Ms.toFixed(0)} | ${t.p99Ms.toFixed(0)} | ${t.rssMb} | ${t.workerdRssMb} |`)] : []),
  ].join("\n");
}
