// Peak memory of the Worker's code path for a transformer, in a fresh process: the folder's files read into memory
// (as an R2 get returns them), loadTransformer through onnxruntime-web with one thread, one answer on a long note.
// Prints JSON. Usage: tsx scripts/bench/transformer-memory.ts DIR TOKENS
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTransformer, WordPieceTokenizer } from "../../core/transformer/index.ts";
import { createNodeTransformerRunner } from "../../functions/adapters/ort-node.ts";
import { noteOfTokens } from "./transformer-notes.ts";

const [dir, tokens] = process.argv.slice(2) as [string, string];
/** The process's high-water mark of resident memory (Linux), in MB. */
const peakRssMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
const tokenizer = new WordPieceTokenizer(JSON.parse(new TextDecoder().decode(read("tokenizer.json"))), JSON.parse(new TextDecoder().decode(read("tokenizer_config.json"))));
const note = noteOfTokens(tokenizer, Number(tokens));
globalThis.gc?.();
const baselineRssMb = rssMb();
const engine = await loadTransformer(async (f) => read(f), createNodeTransformerRunner, { dtype: "q8" });
globalThis.gc?.();
const loadedRssMb = rssMb();
await engine.predict([note], { aggregation: "first" });
process.stdout.write(`${JSON.stringify({ baselineRssMb, loadedRssMb, answeredRssMb: rssMb(), peakRssMb: peakRssMb(), peakAboveBaselineMb: peakRssMb() - baselineRssMb })}\n`);
