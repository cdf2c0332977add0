// `npm run bench -- <suite> [--model DIR] [--iterations N]`: prints a table and writes bench-results/<suite>.json.
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { benchCustom, customTable, ensureDir } from "./custom.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { model: { type: "string" }, iterations: { type: "string", default: "500" } },
});
const suite = positionals[0];
if (suite !== "custom") {
  process.stderr.write(`medner bench: unknown suite ${JSON.stringify(suite ?? "")}; available: custom\n`);
  process.exit(1);
}
const model = values.model ?? "models/custom/trained/model-best";
if (!existsSync(model)) {
  process.stderr.write(`medner bench: ${model} does not exist; train it first: npm run --silent medner -- train --out models/custom/trained\n`);
  process.exit(1);
}
const result = await benchCustom({ model, iterations: Number(values.iterations) });
process.stdout.write(`${customTable(result)}\n`);
writeFileSync(`${ensureDir("bench-results")}/custom.json`, `${JSON.stringify({ ...result, node: process.versions.node, date: new Date().toISOString() }, null, 2)}\n`);
process.stderr.write("wrote bench-results/custom.json\n");
