// `npm run bench -- <suite> [--model DIR] [--iterations N] [--seconds S]`: prints a table and writes
// bench-results/<suite>.json. Suites: custom (engine latency per runtime), edge (HTTP load on local workerd), load
// (many clients against npm start / npm run dev / the Node server, and soaks), transformer (DistilBERT: transformers.js
// against our engine in Node and wasm), memory (each model inside workerd: wasm memory, heap, RSS, cold start), windows
// (the Worker's 256-token transformer windows against 512 on long notes), jobs (a bulk job of --notes short notes
// through npm start's queue: notes/s end to end, per-note cost against /ner).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchCustom, customTable } from "./custom.ts";
import { benchEdge, edgeTable } from "./edge.ts";
import { benchJobs, jobsTable } from "./jobs.ts";
import { benchLoad, LOAD_TARGETS, loadTable, type LoadTarget } from "./load.ts";
import { benchTransformer, standardCommand, transformerTable } from "./transformer.ts";
import { memoryRuns } from "./memory-runs.ts";
import { memoryTable } from "./workerd-memory.ts";
import { benchWindows, windowsTable } from "./windows.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { model: { type: "string" }, standard: { type: "string" }, bc5cdr: { type: "string" }, only: { type: "string" }, "now-only": { type: "boolean" }, iterations: { type: "string", default: "500" }, seconds: { type: "string" }, target: { type: "string", default: "workerd" }, connections: { type: "string", default: "200" }, sample: { type: "string" }, "max-in-flight": { type: "string" }, notes: { type: "string", default: "10000" } },
});
const suite = positionals[0];
const save = (name: string, result: object) => {
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(`bench-results/${name}.json`, `${JSON.stringify({ ...result, node: process.versions.node, date: new Date().toISOString() }, null, 2)}\n`);
  process.stderr.write(`wrote bench-results/${name}.json\n`);
};

if (suite === "custom") {
  const model = values.model ?? "models/custom/trained/model-best";
  if (!existsSync(model)) {
    process.stderr.write(`medner bench: ${model} does not exist; train it first: npm run --silent medner -- train --out models/custom/trained\n`);
    process.exit(1);
  }
  const result = await benchCustom({ model, iterations: Number(values.iterations) });
  process.stdout.write(`${customTable(result)}\n`);
  save("custom", result);
} else if (suite === "edge") {
  const result = await benchEdge(Number(values.seconds ?? 10));
  process.stdout.write(`${edgeTable(result)}\n`);
  save("edge", result);
} else if (suite === "load") {
  const target = values.target as LoadTarget;
  if (!LOAD_TARGETS.includes(target)) {
    process.stderr.write(`medner bench: --target must be one of ${LOAD_TARGETS.join(", ")}\n`);
    process.exit(1);
  }
  const seconds = Number(values.seconds ?? 60);
  const result = await benchLoad({ target, connections: Number(values.connections), seconds, sample: Number(values.sample ?? Math.max(5, seconds / 6)), ...(values["max-in-flight"] ? { maxInFlight: Number(values["max-in-flight"]) } : {}) });
  process.stdout.write(`${loadTable(result)}\n`);
  save(values.sample && seconds >= 300 ? `soak-${target}` : `load-${target}`, result);
} else if (suite === "transformer") {
  const model = values.model ?? "models/transformer/bench-medner";
  const standard = values.standard ?? "models/transformer/bench-standard";
  if (!existsSync(join(model, "manifest.json"))) {
    process.stderr.write(`medner bench: ${model} does not exist; generating the full-size medner model\n`);
    execFileSync(process.execPath, ["--import", "tsx", "scripts/generate-transformer.ts", "--size", "full", "--variant", "medner", "--seed", "7", "--out", model], { stdio: "inherit" });
  }
  // The standard artifact is the real toolchain's, made in Python from the same weights (docs/benchmarks.md).
  if (!existsSync(join(standard, "manifest.json"))) {
    process.stderr.write(`medner bench: ${standard} does not exist; make it with: ${standardCommand(model, standard)}\n`);
    process.exit(1);
  }
  const result = await benchTransformer({ model, standard, iterations: Math.min(Number(values.iterations), 50) });
  process.stdout.write(`${transformerTable(result)}\n`);
  save("transformer", result);
} else if (suite === "memory") {
  const runs = await memoryRuns({ ...(values.bc5cdr ? { bc5cdr: values.bc5cdr } : {}), ...(values.only ? { only: values.only } : {}), nowOnly: !!values["now-only"] });
  process.stdout.write(`${memoryTable(runs)}\n`);
  save("memory", { runs });
} else if (suite === "windows") {
  const result = await benchWindows(values.model ?? "models/transformer/bench-medner");
  process.stdout.write(`${windowsTable(result)}\n`);
  save("windows", result);
} else if (suite === "jobs") {
  const result = await benchJobs({ notes: Number(values.notes) });
  process.stdout.write(`${jobsTable(result)}\n`);
  save("jobs", result);
} else {
  process.stderr.write(`medner bench: unknown suite ${JSON.stringify(suite ?? "")}; available: custom, edge, load, transformer, memory, windows, jobs\n`);
  process.exit(1);
}
