// Measures DistilBERT graph candidates built from one set of seeded weights, in onnxruntime-node (default threads) and
// onnxruntime-web (wasm, one thread, as a Worker runs it):
//   - per candidate, in a fresh process: the wasm heap its session leaves, and label agreement and mean absolute logit
//     error against the fp32 torch-style export at 128 and 512 tokens;
//   - session creation and latency at 128 and 512 tokens with every session open in one process per runtime, taking
//     turns round by round so that load from other processes falls on all candidates alike (median and best).
// The numbers behind trainer/distilbert/graph-variants.ts come from here (an experiment: nothing imports it).
// Usage: npx tsx scripts/experiments/measure-graphs.ts [--size full|tiny] [--rounds 7] [--only a,b] [--out DIR]
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildDistilBertGraph, type GraphOptions } from "../../trainer/distilbert/distilbert-graph.ts";
import { TORCH_EXPORT, VARIANT_GRAPHS } from "../../trainer/distilbert/graph-variants.ts";
import { d4dataLabels, presetConfig, type Preset } from "../../trainer/distilbert/hf-config.ts";
import { randomDistilBertWeights } from "../../trainer/distilbert/weights.ts";

type Level = "disabled" | "basic" | "extended" | "all";
type Ort = typeof import("onnxruntime-web");

const MEDNER = VARIANT_GRAPHS.medner.q8;
/**
 * Name → options: the shipped q8 graph, and medner's with one idea taken away or added, to read each off alone. The
 * toolchain's standard q8 (scripts/reference/export_standard.py) is measured by the bench, not built here.
 */
const CANDIDATES: Record<string, GraphOptions> = {
  "fp32 export": TORCH_EXPORT,
  "medner without MHA": { ...MEDNER, attention: "onnx" },
  medner: MEDNER,
  "medner int8-block": { ...MEDNER, linear: "int8-block" },
  "medner int4-block": { ...MEDNER, linear: "int4-block" },
};
/** Extra latency rows: the shipped q8 graph at lower optimization levels. */
const LEVEL_ROWS: Array<[string, Level]> = ["medner"].flatMap((n) => (["disabled", "basic", "extended"] as const).map((l): [string, Level] => [n, l]));
const TOKENS = [128, 512] as const;

/** Deterministic ids in [1000, vocab) between [CLS] and [SEP]. */
function feeds(ort: Ort, n: number, vocab: number) {
  let s = 12345;
  const ids = BigInt64Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return BigInt(i === 0 ? 101 : i === n - 1 ? 102 : 1000 + (s % (vocab - 1000)));
  });
  return { input_ids: new ort.Tensor("int64", ids, [1, n]), attention_mask: new ort.Tensor("int64", new BigInt64Array(n).fill(1n), [1, n]) };
}

async function loadOrt(runtime: string): Promise<Ort> {
  const ort = (runtime === "web" ? await import("onnxruntime-web") : await import("onnxruntime-node")) as Ort;
  if (runtime === "web") ort.env.wasm.numThreads = 1;
  return ort;
}

/** Child process, one file: creation time, wasm heap, logits (written next to `logitsOut`). */
async function childMemory(runtime: string, file: string, logitsOut: string, vocab: number) {
  const memories: WebAssembly.Memory[] = [];
  const Memory = WebAssembly.Memory;
  // ort-web's threaded build creates its heap in JS: that heap is what a Worker isolate would have to hold.
  WebAssembly.Memory = function (d: WebAssembly.MemoryDescriptor) {
    const m = new Memory(d);
    memories.push(m);
    return m;
  } as unknown as typeof WebAssembly.Memory;
  const ort = await loadOrt(runtime);
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(file)), { graphOptimizationLevel: "all" });
  const coldCreateMs = performance.now() - t0;
  for (const n of TOKENS) writeFileSync(`${logitsOut}.${n}`, new Uint8Array(((await session.run(feeds(ort, n, vocab))).logits!.data as Float32Array).buffer));
  const heapMb = Math.max(0, ...memories.map((m) => m.buffer.byteLength)) / 2 ** 20;
  process.stdout.write(`${JSON.stringify({ coldCreateMs, heapMb })}\n`);
}

/** Child process, every file: the sessions take turns, round by round. */
async function childLatency(runtime: string, entries: Array<{ file: string; level: Level }>, rounds: number, vocab: number) {
  const ort = await loadOrt(runtime);
  const create = async (e: { file: string; level: Level }) => ort.InferenceSession.create(new Uint8Array(readFileSync(e.file)), { graphOptimizationLevel: e.level });
  await create(entries[0]!); // pays for starting the runtime, so the first entry's creation time is like the rest
  const sessions = [];
  const createMs: number[] = [];
  for (const e of entries) {
    const t0 = performance.now();
    sessions.push(await create(e));
    createMs.push(performance.now() - t0);
  }
  const inputs = TOKENS.map((n) => feeds(ort, n, vocab));
  const samples = entries.map(() => TOKENS.map((): number[] => []));
  for (let r = -1; r < rounds; r++)
    for (let i = 0; i < sessions.length; i++)
      for (let t = 0; t < TOKENS.length; t++) {
        const t0 = performance.now();
        await sessions[i]!.run(inputs[t]!);
        if (r >= 0) samples[i]![t]!.push(performance.now() - t0);
      }
  const stats = (xs: number[]) => ({ p50: [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!, min: Math.min(...xs) });
  process.stdout.write(`${JSON.stringify(samples.map((s, i) => ({ createMs: createMs[i], lat: TOKENS.map((_, t) => stats(s[t]!)) })))}\n`);
}

function compare(ref: Float32Array, got: Float32Array, labels: number) {
  const argmax = (x: Float32Array, r: number) => {
    let b = 0;
    for (let k = 1; k < labels; k++) if (x[r * labels + k]! > x[r * labels + b]!) b = k;
    return b;
  };
  let agree = 0;
  let err = 0;
  for (let r = 0; r < ref.length / labels; r++) agree += argmax(ref, r) === argmax(got, r) ? 1 : 0;
  for (let i = 0; i < ref.length; i++) err += Math.abs(ref[i]! - got[i]!);
  return { agree, tokens: ref.length / labels, err: err / ref.length };
}

const run = (args: string[]) => JSON.parse(execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 26 }).trim().split("\n").at(-1)!);

async function main() {
  const { values } = parseArgs({ options: { child: { type: "string" }, runtime: { type: "string" }, files: { type: "string" }, logits: { type: "string" }, vocab: { type: "string" }, rounds: { type: "string", default: "7" }, size: { type: "string", default: "full" }, only: { type: "string" }, out: { type: "string" } } });
  const vocab = Number(values.vocab);
  if (values.child === "memory") return childMemory(values.runtime!, values.files!, values.logits!, vocab);
  if (values.child === "latency") return childLatency(values.runtime!, JSON.parse(values.files!), Number(values.rounds), vocab);

  const size = values.size as Preset;
  const config = presetConfig(size, size === "full" ? 30522 : 1200, d4dataLabels());
  const weights = randomDistilBertWeights(config, 7);
  const labels = Object.keys(config.id2label).length;
  const out = values.out ?? join(tmpdir(), `medner-graphs-${size}`);
  mkdirSync(out, { recursive: true });
  const names = ["fp32 export", ...(values.only ? values.only.split(",") : Object.keys(CANDIDATES)).filter((n) => n !== "fp32 export")];
  const file = (name: string) => join(out, `${name.replace(/[^a-z0-9]+/gi, "-")}.onnx`);
  const rows = new Map<string, Record<string, unknown>>();
  const reference: Record<number, Float32Array> = {};
  for (const name of names) {
    const bytes = buildDistilBertGraph(config, weights, CANDIDATES[name]!, name);
    writeFileSync(file(name), bytes);
    for (const runtime of ["node", "web"]) {
      const logits = `${file(name)}.${runtime}.logits`;
      const m = run(["--child", "memory", "--runtime", runtime, "--files", file(name), "--logits", logits, "--vocab", String(config.vocab_size)]);
      const q = TOKENS.map((n) => {
        const got = new Float32Array(readFileSync(`${logits}.${n}`).buffer.slice(0));
        reference[n] ??= got;
        return compare(reference[n]!, got, labels);
      });
      const tokens = q[0]!.tokens + q[1]!.tokens;
      rows.set(`${name}|${runtime}|all`, { name, runtime, level: "all", mb: bytes.length / 1e6, ...m, agreement: (q[0]!.agree + q[1]!.agree) / tokens, meanAbsErr: (q[0]!.err * q[0]!.tokens + q[1]!.err * q[1]!.tokens) / tokens });
      process.stderr.write(`${JSON.stringify(rows.get(`${name}|${runtime}|all`))}\n`);
    }
  }
  const entries: Array<[string, Level]> = [...names.map((n): [string, Level] => [n, "all"]), ...LEVEL_ROWS.filter(([n]) => names.includes(n))];
  for (const runtime of ["node", "web"]) {
    const list = entries.filter(([n]) => runtime === "node" || n !== "fp32 export" || size === "tiny");
    const lat = run(["--child", "latency", "--runtime", runtime, "--files", JSON.stringify(list.map(([n, level]) => ({ file: file(n), level }))), "--rounds", values.rounds!, "--vocab", String(config.vocab_size)]);
    list.forEach(([n, level], i) => {
      const key = `${n}|${runtime}|${level}`;
      rows.set(key, { ...(rows.get(key) ?? { name: n, runtime, level }), ...lat[i] });
    });
  }
  const f = (v: unknown, d = 0) => (typeof v === "number" ? v.toFixed(d) : "");
  const ms = (r: Record<string, unknown>, t: number) => {
    const l = (r.lat as Array<{ p50: number; min: number }> | undefined)?.[t];
    return l ? `${f(l.p50)} (${f(l.min)})` : "";
  };
  process.stdout.write("| graph | runtime | level | MB | create ms | 128 tokens ms p50 (best) | 512 tokens ms p50 (best) | wasm heap MB | agreement | mean abs err |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const r of rows.values()) process.stdout.write(`| ${r.name} | ${r.runtime} | ${r.level} | ${f(r.mb, 1)} | ${f(r.createMs)} | ${ms(r, 0)} | ${ms(r, 1)} | ${r.runtime === "web" ? f(r.heapMb) : ""} | ${f(r.agreement, 4)} | ${f(r.meanAbsErr, 3)} |\n`);
}

await main();
