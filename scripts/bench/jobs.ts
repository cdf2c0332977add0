// `npm run bench -- jobs [--notes N]`: a bulk job of N short notes (default 10,000; the lines of note-100.txt, about
// 100 characters each) through what `npm start` serves — the bundled Worker in workerd, its queue and R2 in Miniflare —
// timed from POST /jobs to the last chunk answered: notes/s end to end. Then the same notes through POST /ner/batch
// (64 a request, its most) and a sample through POST /ner, one request at a time, for the per-note cost of each. Miniflare delivers one batch at a time, so locally a job has one consumer: the comparison is like for like.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { ROOT } from "../default-model.ts";
import { prepareLocal } from "../prepare-local.ts";
import { buildWorker } from "../serve-workerd.ts";
import { waitReady } from "./edge.ts";

const PORT = 8796;
/** What jobs may cost per note beyond /ner/batch (queue delivery, R2 reads and writes, polling): the bound we state. */
export const JOBS_BOUND = 1.25;
/** Cloudflare Queues' documented limits (developers.cloudflare.com/queues/platform/limits/, read 2026-12). */
export const QUEUES_LIMITS = { concurrentConsumers: 250, messagesPerSecond: 5000 };

const post = (url: string, body: string, type = "application/json") => fetch(url, { method: "POST", headers: { "content-type": type }, body });

/** Milliseconds for `n` requests made one after another. */
async function sequentialMs(n: number, each: (i: number) => Promise<Response>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await each(i);
    if (res.status !== 200) throw new Error(`answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  return performance.now() - t0;
}

export async function benchJobs(o: { notes: number }) {
  await prepareLocal();
  buildWorker();
  const lines = readFileSync(new URL("note-100.txt", import.meta.url), "utf8").trim().split("\n");
  const notes = Array.from({ length: o.notes }, (_, i) => ({ id: `note-${String(i).padStart(6, "0")}`, text: lines[i % lines.length]! }));
  // npm start's server in its own process, as load.ts runs it: its logs (a line per chunk and request) stay out of the table.
  const child = spawn(process.execPath, ["--import", "tsx", "-e", `import("./scripts/serve-workerd.ts").then((m) => m.serveWorker({ host: "127.0.0.1", port: ${PORT}, vars: { AUTH_DISABLED: "true" }, store: ".medner/store" }))`], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const base = `http://127.0.0.1:${PORT}`;
  try {
    await waitReady(`${base}/health`, 120_000);
    // The model loads on the first request: not part of any measurement.
    await (await post(`${base}/ner`, JSON.stringify({ text: lines[0] }))).arrayBuffer();
    const t0 = performance.now();
    const res = await post(`${base}/jobs`, notes.map((n) => JSON.stringify(n)).join("\n"), "application/x-ndjson");
    if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}: ${await res.text()}`);
    const job = (await res.json()) as { id: string; chunks: number };
    const submitMs = performance.now() - t0;
    let status: { status: string; counts: { done: number; failed: number }; timings: { queuedMs: number | null; runningMs: number | null } };
    do {
      await new Promise((r) => setTimeout(r, 200));
      status = (await (await fetch(`${base}/jobs/${job.id}`)).json()) as typeof status;
    } while (status.status === "queued" || status.status === "running");
    const endToEndMs = performance.now() - t0;
    const t1 = performance.now();
    const results = (await (await fetch(`${base}/jobs/${job.id}/results`)).text()).trimEnd().split("\n");
    const resultsMs = performance.now() - t1;
    if (results.length !== notes.length || status.counts.done !== notes.length) throw new Error(`job ended ${status.status} with ${results.length} result lines for ${notes.length} notes`);
    await fetch(`${base}/jobs/${job.id}`, { method: "DELETE" });

    // /ner/batch takes at most 64 notes a request.
    const per = 64;
    const batchMs = await sequentialMs(Math.ceil(notes.length / per), (i) => post(`${base}/ner/batch`, JSON.stringify({ texts: notes.slice(i * per, (i + 1) * per).map((n) => n.text) })));
    const single = Math.min(1000, notes.length);
    const nerMs = await sequentialMs(single, (i) => post(`${base}/ner`, JSON.stringify({ text: notes[i]!.text })));

    const jobsPerNoteMs = endToEndMs / notes.length;
    const chunkMs = status.timings.runningMs! / job.chunks;
    const notesPerChunk = notes.length / job.chunks;
    return {
      notes: notes.length,
      chunks: job.chunks,
      submitMs,
      endToEndMs,
      notesPerSecond: notes.length / (endToEndMs / 1000),
      queuedMs: status.timings.queuedMs,
      runningMs: status.timings.runningMs,
      resultsMs,
      jobsPerNoteMs,
      batchPerNoteMs: batchMs / notes.length,
      nerPerNoteMs: nerMs / single,
      nerSample: single,
      ratioToBatch: jobsPerNoteMs / (batchMs / notes.length),
      bound: JOBS_BOUND,
      // On paper: every consumer invocation runs one chunk as it did here; Queues runs at most 250 at once, and
      // delivers at most 5,000 messages (chunks) a second per queue.
      paper: {
        chunkMs,
        notesPerSecond: Math.min((QUEUES_LIMITS.concurrentConsumers * notesPerChunk) / (chunkMs / 1000), QUEUES_LIMITS.messagesPerSecond * notesPerChunk),
        limits: QUEUES_LIMITS,
      },
    };
  } finally {
    process.kill(-child.pid!, "SIGTERM");
  }
}

export function jobsTable(r: Awaited<ReturnType<typeof benchJobs>>): string {
  const f = (n: number | null, d = 1) => (n === null ? "-" : n.toFixed(d));
  return [
    `A job of ${r.notes} short notes (${r.chunks} chunks) through npm start's workerd, queue and R2 (Miniflare: one consumer)`,
    "| notes/s end to end | submit ms | queued ms | running ms | results ms |",
    "|-------------------:|----------:|----------:|-----------:|-----------:|",
    `| ${f(r.notesPerSecond)} | ${f(r.submitMs, 0)} | ${f(r.queuedMs, 0)} | ${f(r.runningMs, 0)} | ${f(r.resultsMs, 0)} |`,
    "",
    "| per note | ms |",
    "|----------|---:|",
    `| job, end to end | ${f(r.jobsPerNoteMs, 3)} |`,
    `| POST /ner/batch, 64 a request | ${f(r.batchPerNoteMs, 3)} |`,
    `| POST /ner, one a request (${r.nerSample} notes) | ${f(r.nerPerNoteMs, 3)} |`,
    "",
    `job / batch: ${f(r.ratioToBatch, 2)}× (bound ${r.bound}×: ${r.ratioToBatch <= r.bound ? "within" : "OVER"})`,
    `on paper, deployed: ${f(r.paper.chunkMs, 0)} ms a chunk × ${r.paper.limits.concurrentConsumers} consumers → ${f(r.paper.notesPerSecond, 0)} notes/s (Queues limits: ${r.paper.limits.concurrentConsumers} concurrent consumers, ${r.paper.limits.messagesPerSecond} messages/s a queue)`,
  ].join("\n");
}
