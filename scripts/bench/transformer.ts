// `npm run bench -- transformer`: the full-size DistilBERT token classifier (d4data's shape, generated weights) on
// 128- and 512-token clinical notes, one implementation at a time in one run:
//   transformers.js — its pipeline('token-classification') with its Node defaults, on the standard q8 artifact;
//   medner-node     — our engine on our q8 artifact through onnxruntime-node;
//   medner-wasm     — the same engine through onnxruntime-web, one thread: the path the Worker runs.
// Also cold start (file bytes → first answer), per-token label agreement between transformers.js and medner-node,
// and the peak memory of the Worker's code path, each measured in a fresh child process.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTransformer, TRANSFORMER_DTYPE_FILES, WordPieceTokenizer, type TransformerEngine, type TransformerRunner } from "../../core/transformer/index.ts";
import { createNativeTransformerRunner } from "../../functions/adapters/ort-native.ts";
import { createNodeTransformerRunner } from "../../functions/adapters/ort-node.ts";
import { timeRuns } from "./stats.ts";
import { noteOfTokens } from "./transformer-notes.ts";

export interface TransformerBenchOptions {
  /** Our artifact (variant medner) and the standard one (variant standard), full size, same weights. */
  model: string;
  standard: string;
  iterations: number;
}

const file = (dir: string, f: string) => new Uint8Array(readFileSync(join(dir, f)));

async function loadEngine(dir: string, createRunner: (onnx: Uint8Array) => Promise<TransformerRunner>): Promise<TransformerEngine> {
  return loadTransformer(async (f) => (existsSync(join(dir, f)) ? file(dir, f) : null), createRunner, { dtype: "q8" });
}

type TokenClassifier = (text: string, options: { ignore_labels: string[] }) => Promise<Array<{ entity: string; index: number }>>;

export async function benchTransformer(o: TransformerBenchOptions) {
  const manifest = JSON.parse(readFileSync(join(o.model, "manifest.json"), "utf8"));
  const tokenizer = new WordPieceTokenizer(JSON.parse(readFileSync(join(o.model, "tokenizer.json"), "utf8")), JSON.parse(readFileSync(join(o.model, "tokenizer_config.json"), "utf8")));
  const notes = [128, 512].map((n) => ({ tokens: n, text: noteOfTokens(tokenizer, n) }));
  const runs: Array<Record<string, unknown>> = [];
  const labelsOf: Record<string, string[][]> = {};

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
      labelsOf[`${impl}/${n.tokens}`] = [
        Array.from({ length: scored!.tokens.length }, (_, t) => {
          const row = scored!.logits.subarray(t * K, (t + 1) * K);
          return manifest.labels[row.indexOf(Math.max(...row))] as string;
        }),
      ];
    }
  }
  let same = 0;
  let total = 0;
  for (const n of notes) {
    const a = labelsOf[`transformers.js/${n.tokens}`]![0]!;
    const b = labelsOf[`medner-node/${n.tokens}`]![0]!;
    if (a.length !== b.length) throw new Error(`transformers.js gave ${a.length} tokens and medner ${b.length} for the ${n.tokens}-token note`);
    a.forEach((l, i) => {
      total++;
      if (l === b[i]) same++;
    });
  }
  const memory = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "scripts/bench/transformer-memory.ts", o.model, "512"], { encoding: "utf8" }));
  const q8 = manifest.files[TRANSFORMER_DTYPE_FILES.q8];
  return {
    model: { layers: manifest.shape.layers, hidden: manifest.shape.hidden, vocab: manifest.shape.vocab, labels: manifest.labels.length, dtype: "q8", bytes: q8.size },
    standardBytes: JSON.parse(readFileSync(join(o.standard, "manifest.json"), "utf8")).files[TRANSFORMER_DTYPE_FILES.q8].size,
    runs,
    tokenAgreement: same / total,
    agreementTokens: total,
    memory,
  };
}

export function transformerTable(r: Awaited<ReturnType<typeof benchTransformer>>): string {
  const rows = r.runs.map((x) => `| ${x.impl} | ${x.tokens} | ${(x.tokensPerSecond as number).toFixed(0)} | ${(x.p50Ms as number).toFixed(1)} | ${(x.p99Ms as number).toFixed(1)} | ${(x.coldStartMs as number).toFixed(0)} |`);
  return [
    `DistilBERT ${r.model.layers}×${r.model.hidden}, vocab ${r.model.vocab}, ${r.model.labels} labels; medner q8 ${(r.model.bytes / 1e6).toFixed(1)} MB, standard q8 ${(r.standardBytes / 1e6).toFixed(1)} MB`,
    "| impl | tokens | tokens/s | p50 ms | p99 ms | cold start ms |",
    "|---|---|---|---|---|---|",
    ...rows,
    `token agreement transformers.js vs medner-node: ${(r.tokenAgreement * 100).toFixed(2)}% of ${r.agreementTokens} tokens`,
    `medner-wasm peak RSS ${r.memory.peakRssMb.toFixed(1)} MB (baseline ${r.memory.baselineRssMb.toFixed(1)} MB, after load ${r.memory.loadedRssMb.toFixed(1)} MB)`,
  ].join("\n");
}
