// Resident memory of a model on the Worker's code path, measured in the current (fresh) process: baseline, after
// loading, and the high-water mark after one answer. Shared by tagger-memory.ts and transformer-memory.ts.
import { readFileSync } from "node:fs";

/** The process's high-water mark of resident memory (Linux), in MB. */
const peakRssMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

/** Loads with `load`, answers once with `answer`, and prints the JSON the benchmarks read. Run with --expose-gc. */
export async function reportMemory<T>(load: () => Promise<T>, answer: (model: T) => Promise<unknown>): Promise<void> {
  globalThis.gc?.();
  const baselineRssMb = rssMb();
  const model = await load();
  globalThis.gc?.();
  const loadedRssMb = rssMb();
  await answer(model);
  process.stdout.write(`${JSON.stringify({ baselineRssMb, loadedRssMb, answeredRssMb: rssMb(), peakRssMb: peakRssMb(), peakAboveBaselineMb: peakRssMb() - baselineRssMb })}\n`);
}
