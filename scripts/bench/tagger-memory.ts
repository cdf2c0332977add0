// Peak memory of the Worker's code path for an exported custom tagger, in a fresh process: the folder's files read
// into memory (as an R2 get returns them), loadExportedTagger through onnxruntime-web with one thread, one answer on
// the 100-word bench note. Prints JSON. Usage: tsx scripts/bench/tagger-memory.ts DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadExportedTagger } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-node.ts";

const [dir] = process.argv.slice(2) as [string];
/** The process's high-water mark of resident memory (Linux), in MB. */
const peakRssMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

const note = readFileSync(new URL("note-100.txt", import.meta.url), "utf8");
globalThis.gc?.();
const baselineRssMb = rssMb();
const engine = await loadExportedTagger(async (f) => new Uint8Array(readFileSync(join(dir, f))), createNodeRunner);
globalThis.gc?.();
const loadedRssMb = rssMb();
await engine.predict([note]);
process.stdout.write(`${JSON.stringify({ baselineRssMb, loadedRssMb, answeredRssMb: rssMb(), peakRssMb: peakRssMb(), peakAboveBaselineMb: peakRssMb() - baselineRssMb })}\n`);
