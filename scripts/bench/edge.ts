// `npm run bench -- edge`: requests/s and p50/p99 of POST /ner with the custom model on the 100-word note, against
// local workerd (wrangler dev, started and stopped here) at 1 and 32 connections, driven by autocannon.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { prepareLocal } from "../prepare-local.ts";

const PORT = 8799;

/** Polls `url` until wrangler dev answers it (also used by workerd-memory.ts). */
export async function waitReady(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`wrangler dev did not answer ${url} within ${ms / 1000} s`);
}

export async function benchEdge(seconds: number) {
  await prepareLocal();
  const note = readFileSync(new URL("note-100.txt", import.meta.url), "utf8");
  const child = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(PORT), "--var", "AUTH_DISABLED:true", "--log-level", "error"], {
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  try {
    const base = `http://127.0.0.1:${PORT}`;
    await waitReady(`${base}/health`, 60_000);
    const body = JSON.stringify({ text: note });
    // Load the model before measuring.
    await fetch(`${base}/ner`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const runs = [];
    for (const connections of [1, 32]) {
      const r = await autocannon({ url: `${base}/ner`, method: "POST", headers: { "content-type": "application/json" }, body, connections, duration: seconds });
      runs.push({ connections, requestsPerSecond: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors, non2xx: r.non2xx, total: r.requests.total });
    }
    return { runs, note: { words: note.trim().split(/\s+/).length }, seconds, target: "wrangler dev (local workerd)" };
  } finally {
    process.kill(-child.pid!, "SIGTERM");
  }
}

export function edgeTable(r: Awaited<ReturnType<typeof benchEdge>>): string {
  return [
    `POST /ner, custom q8, ${r.note.words}-word note, ${r.seconds} s per run, ${r.target}`,
    "| connections | req/s | p50 ms | p99 ms | errors | non-2xx |",
    "|------------:|------:|-------:|-------:|-------:|--------:|",
    ...r.runs.map((x) => `| ${x.connections} | ${x.requestsPerSecond.toFixed(1)} | ${x.p50Ms} | ${x.p99Ms} | ${x.errors} | ${x.non2xx} |`),
  ].join("\n");
}
