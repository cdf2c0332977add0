// Peak memory of the Worker's code path for an exported custom tagger, in a fresh process: the folder's files read
// into memory (as an R2 get returns them), loadExportedTagger through onnxruntime-web with one thread, one answer on
// the 100-word bench note. Prints JSON. Usage: tsx scripts/bench/tagger-memory.ts DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadExportedTagger } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { reportMemory } from "./memory.ts";

const [dir] = process.argv.slice(2) as [string];
const note = readFileSync(new URL("note-100.txt", import.meta.url), "utf8");
await reportMemory(
  () => loadExportedTagger(async (f) => new Uint8Array(readFileSync(join(dir, f))), createNodeRunner),
  (engine) => engine.predict([note]),
);
