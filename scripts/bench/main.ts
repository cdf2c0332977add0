// `npm run bench -- <suite> [--model DIR] [--iterations N] [--seconds S]`: prints a table and writes
// bench-results/<suite>.json. Suites: custom (engine latency per runtime), edge (HTTP load on local workerd).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { benchCustom, customTable } from "./custom.ts";
import { benchEdge, edgeTable } from "./edge.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { model: { type: "string" }, iterations: { type: "string", default: "500" }, seconds: { type: "string", default: "10" } },
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
  const result = await benchEdge(Number(values.seconds));
  process.stdout.write(`${edgeTable(result)}\n`);
  save("edge", result);
} else {
  process.stderr.write(`medner bench: unknown suite ${JSON.stringify(suite ?? "")}; available: custom, edge\n`);
  process.exit(1);
}
