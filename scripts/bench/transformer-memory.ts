// Peak memory of the Worker's code path for a transformer, in a fresh process: the folder's files read into memory
// (as an R2 get returns them), loadTransformer through onnxruntime-web with one thread, one answer on a long note.
// Prints JSON. Usage: tsx scripts/bench/transformer-memory.ts DIR TOKENS
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTransformer, WordPieceTokenizer } from "../../core/transformer/index.ts";
import { createNodeTransformerRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { reportMemory } from "./memory.ts";
import { noteOfTokens } from "./transformer-notes.ts";

const [dir, tokens] = process.argv.slice(2) as [string, string];
const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
const tokenizer = new WordPieceTokenizer(JSON.parse(new TextDecoder().decode(read("tokenizer.json"))), JSON.parse(new TextDecoder().decode(read("tokenizer_config.json"))));
const note = noteOfTokens(tokenizer, Number(tokens));
await reportMemory(
  () => loadTransformer(async (f) => read(f), createNodeTransformerRunner, { dtype: "q8" }),
  (engine) => engine.predict([note], { aggregation: "first" }),
);
