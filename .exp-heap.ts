import { readFileSync } from "node:fs";
import { WordPieceTokenizer } from "./core/transformer/index.ts";
const gc = (globalThis as any).gc;
gc(); const h0 = process.memoryUsage().heapUsed;
let tok: any = new WordPieceTokenizer(JSON.parse(readFileSync("models/transformer/bench-medner/tokenizer.json", "utf8")), JSON.parse(readFileSync("models/transformer/bench-medner/tokenizer_config.json", "utf8")));
gc(); const h1 = process.memoryUsage().heapUsed;
console.log("tokenizer alone MB", ((h1 - h0) / 1048576).toFixed(2));
const lib = tok.lib; for (const k of Object.keys(lib)) console.log(k, typeof lib[k]);
