// `npm run bench -- transformer`: the full-size DistilBERT token classifier (d4data's shape, generated weights) on
// 128- and 512-token clinical notes, one implementation at a time in one run:
//   transformers.js — its pipeline('token-classification') with its Node defaults, on the standard q8 artifact as the
//                     real toolchain makes it (torch.onnx.export + onnxruntime's quantize_dynamic:
//                     scripts/reference/export_standard.py);
//   medner-node     — our engine on our q8 artifact through onnxruntime-node;
//   medner-wasm     — the same engine through onnxruntime-web, one thread: the path the Worker runs;
//   python-pipeline — transformers' pipeline on CPU torch fp32, read from scripts/reference/bench_pipeline.py's results.
// Also cold start (file bytes → first answer), per-token label agreement of both q8 paths with fp32 and with each
// other, and the peak memory of the Worker's code path, measured in a fresh child process.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dtypeFile } from "../../core/manifest.ts";
import { loadTransformer, WordPieceTokenizer, type TransformerEngine, type TransformerRunner } from "../../core/transformer/index.ts";
import { createNativeTransformerRunner } from "../../functions/adapters/ort-native-node.ts";
import { createNodeTransformerRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { timeRuns } from "./stats.ts";
import { pythonRows } from "./transformer-python.ts";
import { noteOfTokens } from "./transformer-notes.ts";

export interface TransformerBenchOptions {
  /** Our artifact (variant medner, full size) and the toolchain's from the same weights (export_standard.py). */
  model: string;
  standard: string;
  iterations: number;
}

const file = (dir: string, f: string) => new Uint8Array(readFileSync(join(dir, f)));

async function loadEngine(dir: string, createRunner: (onnx: Uint8Array) => Promise<TransformerRunner>, dtype: "q8" | "fp32" = "q8"): Promise<TransformerEngine> {
  return loadTransformer(async (f) => (existsSync(join(dir, f)) ? file(dir, f) : null), createRunner, { dtype });
}

/** Top-two fp32 logit gap from which a token's label counts as decided (docs/benchmarks.md explains the choice). */
export const DECISIVE_MARGIN = 1;

type TokenClassifier = (text: string, options: { ignore_labels: string[] }) => Promise<Array<{ entity: string; index: number }>>;

/** The command that makes the standard folder from ours (scripts/reference/README.md sets up its venv). */
export const standardCommand = (model: string, standard: string) => `python scripts/reference/export_standard.py ${model} ${standard}`;

export async function benchTransformer(o: TransformerBenchOptions) {
  const manifest = JSON.parse(readFileSync(join(o.model, "manifest.json"), "utf8"));
  const standardManifest = JSON.parse(readFileSync(join(o.standard, "manifest.json"), "utf8"));
  // Our generator's imitation of quantize_dynamic is not what the toolchain writes (docs/benchmarks.md): refuse it.
  if (standardManifest.graph?.builder !== "toolchain") throw new Error(`${o.standard} was not made by the real toolchain; make it with: ${standardCommand(o.model, o.standard)}`);
  const tokenizer = new WordPieceTokenizer(JSON.parse(readFileSync(join(o.model, "tokenizer.json"), "utf8")), JSON.parse(readFileSync(join(o.model, "tokenizer_config.json"), "utf8")));
  const notes = [128, 512].map((n) => ({ tokens: n, text: noteOfTokens(tokenizer, n) }));
  const runs: Array<Record<string, unknown>> = [];
  const labelsOf: Record<string, string[][]> = {};
  const qLogits: Float32Array[] = [];

  // transformers.js, as its users run it: local files only, its defaults otherwise.
  {
    const tjs = await import("@huggingface/transformers");
    tjs.env.allowRemoteModels = false;
    tjs.env.localModelPath = "";
    const t0 = performance.now();
    const pipe = (await tjs.pipeline("token-classification", o.standard, { dtype: "q8" })) as unknown as TokenClassifier;
    await pipe(notes[0]!.text, { ignore_labels: [] });
    const coldStartMs = performance.now() - t0;
    for (const n of notes) {
      const s = await timeRuns(o.iterations, () => pipe(n.text, { ignore_labels: [] }), 3);
      runs.push({ impl: "transformers.js", tokens: n.tokens, tokensPerSecond: (n.tokens / s.meanMs) * 1000, p50Ms: s.p50Ms, p99Ms: s.p99Ms, coldStartMs });
      labelsOf[`transformers.js/${n.tokens}`] = [(await pipe(n.text, { ignore_labels: [] })).sort((a, b) => a.index - b.index).map((e) => e.entity)];
    }
  }
  for (const [impl, createRunner] of [
    ["medner-node", createNativeTransformerRunner],
    ["medner-wasm", createNodeTransformerRunner],
  ] as const) {
    const t0 = performance.now();
    const engine = await loadEngine(o.model, createRunner);
    await engine.predict([notes[0]!.text], { aggregation: "none" });
    const coldStartMs = performance.now() - t0;
    for (const n of notes) {
      const s = await timeRuns(o.iterations, () => engine.predict([n.text], { aggregation: "none" }), 3);
      runs.push({ impl, tokens: n.tokens, tokensPerSecond: (n.tokens / s.meanMs) * 1000, p50Ms: s.p50Ms, p99Ms: s.p99Ms, coldStartMs });
      const [scored] = await engine.score([n.text]);
      const K = manifest.labels.length;
      if (impl === "medner-node") qLogits.push(scored!.logits);
      labelsOf[`${impl}/${n.tokens}`] = [
        Array.from({ length: scored!.tokens.length }, (_, t) => {
          const row = scored!.logits.subarray(t * K, (t + 1) * K);
          return manifest.labels[row.indexOf(Math.max(...row))] as string;
        }),
      ];
    }
  }
  // Agreement on every token, and on the tokens whose label the fp32 model decides clearly: random weights leave many
  // near-ties (top two fp32 logits within a unit), which either q8 graph's own rounding can flip.
  const fp32 = await loadEngine(o.model, createNativeTransformerRunner, "fp32");
  const reference = await fp32.score(notes.map((n) => n.text));
  const K = manifest.labels.length;
  const fp32Labels = (d: number) => Array.from({ length: reference[d]!.tokens.length }, (_, t) => {
    const row = reference[d]!.logits.subarray(t * K, (t + 1) * K);
    return manifest.labels[row.indexOf(Math.max(...row))] as string;
  });
  const withFp32 = { "transformers.js": 0, "medner-node": 0 };
  let same = 0;
  let total = 0;
  let decisive = 0;
  let decisiveSame = 0;
  const noise: number[] = [];
  for (const [d, n] of notes.entries()) {
    const a = labelsOf[`transformers.js/${n.tokens}`]![0]!;
    const b = labelsOf[`medner-node/${n.tokens}`]![0]!;
    if (a.length !== b.length) throw new Error(`transformers.js gave ${a.length} tokens and medner ${b.length} for the ${n.tokens}-token note`);
    const ref = reference[d]!.logits;
    const q8 = qLogits[d]!;
    const f = fp32Labels(d);
    a.forEach((l, i) => {
      total++;
      if (l === b[i]) same++;
      if (l === f[i]) withFp32["transformers.js"]++;
      if (b[i] === f[i]) withFp32["medner-node"]++;
      const row = [...ref.subarray(i * K, (i + 1) * K)];
      const [top, second] = [...row].sort((x, y) => y - x);
      noise.push(Math.max(...row.map((x, k) => Math.abs(x - q8[i * K + k]!))));
      if (top! - second! >= DECISIVE_MARGIN) {
        decisive++;
        if (l === b[i]) decisiveSame++;
      }
    });
  }
  noise.sort((x, y) => x - y);
  const memory = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "scripts/bench/transformer-memory.ts", o.model, "512"], { encoding: "utf8" }));
  const q8 = manifest.files[dtypeFile("transformer", "q8")];
  return {
    model: { layers: manifest.shape.layers, hidden: manifest.shape.hidden, vocab: manifest.shape.vocab, labels: manifest.labels.length, dtype: "q8", bytes: q8.size },
    standardBytes: standardManifest.files[dtypeFile("transformer", "q8")].size,
    standardGraph: standardManifest.graph,
    runs,
    python: pythonRows(notes, { layers: manifest.shape.layers, hidden: manifest.shape.hidden, vocab: manifest.shape.vocab, labels: manifest.labels.length }),
    tokenAgreement: same / total,
    /** Share of tokens whose q8 label is the fp32 graph's (onnxruntime-node), per q8 path. */
    agreementWithFp32: { "transformers.js": withFp32["transformers.js"] / total, "medner-node": withFp32["medner-node"] / total },
    agreementTokens: total,
    decisive: {
      minMargin: DECISIVE_MARGIN,
      tokens: decisive,
      share: decisive / total,
      agreement: decisiveSame / decisive,
      /** 99th percentile over tokens of max |q8 logit − fp32 logit| for our q8 graph. */
      mednerQ8LogitErrorP99: noise[Math.floor(0.99 * (noise.length - 1))]!,
    },
    memory,
  };
}

export function transformerTable(r: Awaited<ReturnType<typeof benchTransformer>>): string {
  const python = r.python.present ? r.python.runs : [];
  const rows = [...r.runs, ...python].map((x) => `| ${x.impl} | ${x.tokens} | ${(x.tokensPerSecond as number).toFixed(0)} | ${(x.p50Ms as number).toFixed(1)} | ${(x.p99Ms as number).toFixed(1)} | ${(x.coldStartMs as number).toFixed(0)} |`);
  return [
    `DistilBERT ${r.model.layers}×${r.model.hidden}, vocab ${r.model.vocab}, ${r.model.labels} labels; medner q8 ${(r.model.bytes / 1e6).toFixed(1)} MB, standard q8 (toolchain) ${(r.standardBytes / 1e6).toFixed(1)} MB`,
    "| impl | tokens | tokens/s | p50 ms | p99 ms | cold start ms |",
    "|---|---|---|---|---|---|",
    ...rows,
    r.python.present
      ? `python-pipeline rows: torch fp32, timed ${r.python.date} (${JSON.stringify(r.python.versions)}); other processes' share of the CPUs meanwhile: ${r.python.runs.map((x) => `${(x.othersCpuShare * 100).toFixed(0)}%`).join(", ")}`
      : `python-pipeline rows absent: ${r.python.why}`,
    `label agreement with fp32: transformers.js (standard q8) ${(r.agreementWithFp32["transformers.js"] * 100).toFixed(2)}%, medner-node (medner q8) ${(r.agreementWithFp32["medner-node"] * 100).toFixed(2)}%`,
    `token agreement transformers.js vs medner-node: ${(r.tokenAgreement * 100).toFixed(2)}% of ${r.agreementTokens} tokens; ` +
      `${(r.decisive.agreement * 100).toFixed(2)}% of the ${r.decisive.tokens} (${(r.decisive.share * 100).toFixed(1)}%) whose top two fp32 logits differ by ≥ ${r.decisive.minMargin} ` +
      `(medner q8 logit error p99 ${r.decisive.mednerQ8LogitErrorP99.toFixed(2)})`,
    `medner-wasm peak RSS ${r.memory.peakRssMb.toFixed(1)} MB (baseline ${r.memory.baselineRssMb.toFixed(1)} MB, after load ${r.memory.loadedRssMb.toFixed(1)} MB)`,
  ].join("\n");
}
