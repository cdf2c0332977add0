// `npm run bench -- memory`: what a model costs inside workerd — the runtime a Worker runs on — started the way a user
// starts it (wrangler dev, the model in its local R2). Each run gets a fresh workerd and reads, from inside it, the
// wasm linear memory (GET /debug/memory, exact) and the V8 heap and the ArrayBuffers held outside it (the DevTools
// protocol's Runtime.getHeapUsage: usedSize, backingStorageSize), sampled every 25 ms while the model loads and answers;
// and from outside, the workerd process's resident memory (/proc). Cloudflare counts the JS heap and the wasm memory
// of an isolate together against its 128 MB; peakMB is our view of that sum (wasm + held buffers + heap).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { dtypeFile, manifestKind, ortFormatFile } from "../../core/index.ts";
import { publish } from "../../trainer/publish/publish.ts";
import { localTarget } from "../../trainer/publish/targets.ts";
import { waitReady } from "./edge.ts";

export interface MemoryRunSpec {
  /** What the table calls it. */
  model: string;
  dir: string;
  /** "custom" or "transformer": the name it is published under and asked for; "ensemble": both, `dir` the custom one. */
  as: "custom" | "transformer" | "ensemble";
  /** With "ensemble": the transformer's folder. */
  transformerDir?: string;
  note: string;
  /** What the note is, e.g. "512 tokens". */
  noteLabel: string;
  /** Units in the note for the rate (WordPiece tokens or words). */
  units: number;
  /** Load as before the memory plan (whole files, ONNX, full-length windows). */
  before?: boolean;
}

const PORT = 8797;
const INSPECTOR = 9237;
const MB = 1024 * 1024;

/** The DevTools protocol over wrangler's inspector proxy (which also sends events and its own replies: ids filter). */
async function inspector(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let next = 1;
  const call = <T>(method: string, params: object = {}, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`the inspector did not answer ${method} within ${timeoutMs / 1000} s (did wrangler dev reload?)`)), timeoutMs);
      const on = (data: WebSocket.RawData) => {
        const m = JSON.parse(String(data)) as { id?: number; result?: T };
        if (m.id !== id) return;
        ws.off("message", on);
        clearTimeout(timer);
        resolve(m.result as T);
      };
      ws.on("message", on);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    // The isolate answers between its turns of work: a long run (a 3,000-token note) can keep it busy for seconds.
    heap: () => call<{ usedSize: number; backingStorageSize?: number }>("Runtime.getHeapUsage", {}, 120_000),
    // workerd does not answer HeapProfiler.collectGarbage; a heap snapshot collects the garbage first (its chunks,
    // sent as events, are ignored).
    collectGarbage: () => call<object>("HeapProfiler.takeHeapSnapshot", { reportProgress: false }, 120_000),
    close: () => ws.close(),
  };
}

/** Resident memory of every workerd process started under `pid` (wrangler runs two; the Worker's is the larger). */
function workerdRss(pid: number): Map<number, number> {
  const parent = new Map<number, number>();
  const workerd = new Set<number>();
  for (const d of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      if (stat.includes("(workerd)")) workerd.add(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  const under = (p: number): boolean => p === pid || (parent.has(p) && p > 1 && under(parent.get(p)!));
  const out = new Map<number, number>();
  for (const p of workerd)
    if (under(p))
      try {
        out.set(p, Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"))![1]) * 1024);
      } catch {
        // gone meanwhile
      }
  return out;
}

export async function measureInWorkerd(spec: MemoryRunSpec, repeats = 5) {
  const persist = mkdtempSync(join(tmpdir(), "medner-memory-"));
  // wrangler dev --persist-to DIR keeps its state in DIR/v3, where getPlatformProxy takes the v3 folder itself.
  const target = await localTarget("wrangler.toml", join(persist, "v3"));
  try {
    await publish(target, spec.dir, spec.as === "transformer" ? "transformer" : "custom", { version: "bench" });
    if (spec.as === "ensemble") await publish(target, spec.transformerDir!, "transformer", { version: "bench" });
  } finally {
    await target.close();
  }
  const args = ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(PORT), "--inspector-port", String(INSPECTOR), "--persist-to", persist, "--log-level", "error", "--var", "AUTH_DISABLED:true", "--var", "MEMORY_PROBE:true", "--var", "POINTER_TTL_SECONDS:3600", ...(spec.before ? ["--var", "LOAD_WHOLE_FILES:true"] : [])];
  const child = spawn("npx", args, { env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "ignore", "inherit"], detached: true });
  const base = `http://127.0.0.1:${PORT}`;
  try {
    await waitReady(`${base}/health`, 120_000);
    const targets = (await (await fetch(`http://127.0.0.1:${INSPECTOR}/json`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
    const cdp = await inspector(targets[0]!.webSocketDebuggerUrl);
    const probe = async () => (await (await fetch(`${base}/debug/memory`)).json()) as { wasmMemoryBytes: number; modelBlockBytes: number };
    const rss = () => Math.max(0, ...workerdRss(child.pid!).values());
    const rssBefore = rss();
    let rssPeak = rssBefore;
    let jsPeak = { usedSize: 0, backingStorageSize: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        rssPeak = Math.max(rssPeak, rss());
        const h = await cdp.heap();
        if (h.usedSize + (h.backingStorageSize ?? 0) > jsPeak.usedSize + jsPeak.backingStorageSize) jsPeak = { usedSize: h.usedSize, backingStorageSize: h.backingStorageSize ?? 0 };
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const ask = async () => {
      const t0 = performance.now();
      const res = await fetch(`${base}/ner`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: spec.note, model: spec.as }) });
      if (!res.ok) throw new Error(`${spec.model}: POST /ner answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.json();
      return performance.now() - t0;
    };
    const coldStartMs = await ask();
    const rssLoaded = rss();
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push(await ask());
    sampling = false;
    await sampler;
    const after = await probe();
    // What stays once V8 has collected the garbage of the answers (V8 collects before it would hit the isolate's limit).
    await cdp.collectGarbage();
    const live = await cdp.heap();
    cdp.close();
    const msPerNote = times.reduce((a, b) => a + b, 0) / times.length;
    const wasmMemoryMB = after.wasmMemoryBytes / MB;
    return {
      model: spec.model,
      path: spec.before ? "before (whole files, ONNX)" : "streamed, ORT in place",
      bytes: servedBytes(spec),
      note: spec.noteLabel,
      wasmMemoryMB,
      modelBlockMB: after.modelBlockBytes / MB,
      heldBuffersMB: jsPeak.backingStorageSize / MB,
      heapMB: jsPeak.usedSize / MB,
      peakMB: wasmMemoryMB + (jsPeak.usedSize + jsPeak.backingStorageSize) / MB,
      liveHeldMB: (live.backingStorageSize ?? 0) / MB,
      liveHeapMB: live.usedSize / MB,
      liveMB: wasmMemoryMB + (live.usedSize + (live.backingStorageSize ?? 0)) / MB,
      rssBeforeMB: rssBefore / MB,
      rssLoadedMB: rssLoaded / MB,
      rssPeakMB: rssPeak / MB,
      rssDeltaMB: (rssPeak - rssBefore) / MB,
      coldStartMs,
      msPerNote,
      unitsPerSecond: spec.units / (msPerNote / 1000),
    };
  } finally {
    process.kill(-child.pid!, "SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(persist, { recursive: true, force: true });
  }
}

/** Bytes of the file the run serves: the ORT-format twin when streamed and present, else the ONNX file. */
function servedBytes(spec: MemoryRunSpec): number {
  const size = (dir: string) => {
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files: Record<string, { size: number }> };
    const onnx = dtypeFile(manifestKind(m), "q8");
    return (!spec.before && m.files[ortFormatFile(onnx)] ? m.files[ortFormatFile(onnx)] : m.files[onnx])!.size;
  };
  return size(spec.dir) + (spec.transformerDir ? size(spec.transformerDir) : 0);
}

export type MemoryRun = Awaited<ReturnType<typeof measureInWorkerd>>;

export function memoryTable(runs: MemoryRun[]): string {
  const f = (v: number, d = 1) => v.toFixed(d);
  return [
    "Inside workerd (wrangler dev, local R2); MB = MiB. The isolate's 128 MB counts the JS heap and the wasm memory together.",
    "peak = wasm memory + held ArrayBuffers + V8 heap, the JS figures at their highest sample (garbage included);",
    "live = the same after a forced garbage collection once the answers are done.",
    "| model | path | file MB | note | wasm | held | heap | **peak** | live held + heap | **live** | RSS before → loaded → peak (Δ) | cold start ms | ms/note | units/s |",
    "|---|---|--:|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|",
    ...runs.map((r) => `| ${r.model} | ${r.path} | ${f(r.bytes / MB)} | ${r.note} | ${f(r.wasmMemoryMB)} | ${f(r.heldBuffersMB)} | ${f(r.heapMB)} | **${f(r.peakMB)}** | ${f(r.liveHeldMB)} + ${f(r.liveHeapMB)} | **${f(r.liveMB)}** | ${f(r.rssBeforeMB, 0)} → ${f(r.rssLoadedMB, 0)} → ${f(r.rssPeakMB, 0)} (${f(r.rssDeltaMB, 0)}) | ${f(r.coldStartMs, 0)} | ${f(r.msPerNote, 0)} | ${f(r.unitsPerSecond, 0)} |`),
  ].join("\n");
}
