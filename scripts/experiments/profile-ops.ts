// Where a q8 DistilBERT graph spends its time, per operator type, in onnxruntime-node (default threads): onnxruntime's
// own profiler (`enableProfiling`) on a 512-token input, summed over the timed rounds. Written to explain the speed
// ratio in `npm run bench -- transformer`: both graphs run the same int8 kernels, so the ratio is set by what is not
// shared (the attention and its mask). Each graph runs in its own child process, one after the other.
// Usage: tsx scripts/experiments/profile-ops.ts [--tokens 512] [--rounds 10] [GRAPH.onnx ...]
//   (default graphs: the bench's q8 files under models/transformer/bench-*: the toolchain's standard one, made by
//   scripts/reference/export_standard.py, and medner's)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMain } from "../is-main.ts";

// Operator types that make up attention in either graph (torch-style export or com.microsoft MultiHeadAttention).
// MatMul is attention's probabilities × values in the torch-style graph; in the medner graph it is the fp32 classifier
// (~0.3 ms at 512 tokens), which this grouping counts with attention.
const ATTENTION = new Set(["MultiHeadAttention", "Attention", "FusedMatMul", "MatMul", "Softmax", "Where", "Transpose"]);
/** Operator types that run the int8 linear layers (after onnxruntime's fusions). */
const INT8_LINEAR = new Set(["DynamicQuantizeMatMul", "MatMulIntegerToFloat", "MatMulInteger", "DynamicQuantizeLinear"]);

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

async function child(file: string, tokens: number, rounds: number, dir: string): Promise<void> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(file)), {
    graphOptimizationLevel: "all",
    enableProfiling: true,
    profileFilePrefix: join(dir, "profile"),
  });
  let s = 12345;
  const ids = BigInt64Array.from({ length: tokens }, (_, i) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return BigInt(i === 0 ? 101 : i === tokens - 1 ? 102 : 1000 + (s % 29000));
  });
  const feeds = { input_ids: new ort.Tensor("int64", ids, [1, tokens]), attention_mask: new ort.Tensor("int64", new BigInt64Array(tokens).fill(1n), [1, tokens]) };
  for (let i = 0; i < 3 + rounds; i++) await session.run(feeds);
  // endProfiling writes the JSON file; it is in onnxruntime-common's InferenceSession but not in every type package.
  (session as unknown as { endProfiling(): void }).endProfiling();
  await session.release();
}

/** Milliseconds per run by operator type over the last `rounds` runs, and the runs' own mean. */
export function summarize(events: ProfileEvent[], rounds: number): { byOp: Map<string, number>; runMs: number } {
  const runs = events.filter((e) => e.cat === "Session" && e.name === "model_run").slice(-rounds);
  if (runs.length < rounds) throw new Error(`the profile holds ${runs.length} runs, expected ${rounds}`);
  const from = runs[0]!.ts;
  const byOp = new Map<string, number>();
  for (const e of events)
    if (e.cat === "Node" && e.name.endsWith("_kernel_time") && e.ts >= from && e.args?.op_name)
      byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur / 1000 / rounds);
  return { byOp, runMs: runs.reduce((n, e) => n + e.dur, 0) / 1000 / rounds };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { tokens: { type: "string", default: "512" }, rounds: { type: "string", default: "10" }, child: { type: "string" }, dir: { type: "string" } },
  });
  const tokens = Number(values.tokens);
  const rounds = Number(values.rounds);
  if (values.child) return child(values.child, tokens, rounds, values.dir!);
  const files = positionals.length ? positionals : ["standard", "medner"].map((v) => `models/transformer/bench-${v}/onnx/model_quantized.onnx`);
  const rows: Array<{ file: string; byOp: Map<string, number>; runMs: number }> = [];
  for (const file of files) {
    const dir = mkdtempSync(join(tmpdir(), "medner-profile-"));
    execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", file, "--dir", dir, "--tokens", String(tokens), "--rounds", String(rounds)], { stdio: ["ignore", "ignore", "inherit"] });
    const profile = readdirSync(dir).find((f) => f.endsWith(".json"));
    if (!profile) throw new Error(`onnxruntime wrote no profile for ${file}`);
    rows.push({ file, ...summarize(JSON.parse(readFileSync(join(dir, profile), "utf8")), rounds) });
    rmSync(dir, { recursive: true, force: true });
  }
  const group = (byOp: Map<string, number>, set: Set<string>) => [...byOp].filter(([op]) => set.has(op)).reduce((n, [, ms]) => n + ms, 0);
  process.stdout.write(`${tokens} tokens, ms per run (mean of ${rounds}), onnxruntime-node\n\n| graph | run | int8 linear | attention | other | top operators |\n|---|---:|---:|---:|---:|---|\n`);
  for (const r of rows) {
    const lin = group(r.byOp, INT8_LINEAR);
    const att = group(r.byOp, ATTENTION);
    const all = [...r.byOp.values()].reduce((a, b) => a + b, 0);
    const top = [...r.byOp].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([op, ms]) => `${op} ${ms.toFixed(1)}`).join(", ");
    process.stdout.write(`| ${r.file} | ${r.runMs.toFixed(1)} | ${lin.toFixed(1)} | ${att.toFixed(1)} | ${(all - lin - att).toFixed(1)} | ${top} |\n`);
  }
}

if (isMain(import.meta.url)) await main();
