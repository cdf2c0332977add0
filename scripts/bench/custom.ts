// `npm run bench -- custom`: words/s and p50/p99 latency of the custom tagger on a 100-word clinical note, one
// thread, for tfjs and the exported ONNX fp32 and q8 engines in the same run; plus where the time goes
// (featurize / network / decode / document rules / context traits / medication attributes). Prints a table and writes bench-results/custom.json.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  applyDocumentRules,
  attributeSlots,
  decodeEntities,
  featurize,
  loadExportedTagger,
  tokenize,
  transitionConstraints,
  type TaggerRunner,
} from "../../core/index.ts";
import { defaultContextRules, withContext } from "../../core/context/index.ts";
import { defaultMedicationRules, withAttributes } from "../../core/medication/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { initBackend } from "../../trainer/backend.ts";
import { exportModel } from "../../trainer/export/export-model.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { timeRuns } from "./stats.ts";

export interface CustomBenchOptions {
  model: string;
  iterations: number;
}

/** The custom tagger is fast: up to 50 untimed runs warm it up. */
const time = (iterations: number, fn: () => Promise<unknown> | unknown) => timeRuns(iterations, fn, Math.min(50, iterations));

export async function benchCustom(o: CustomBenchOptions) {
  const note = readFileSync(new URL("note-100.txt", import.meta.url), "utf8");
  const words = note.trim().split(/\s+/).length;
  const backend = await initBackend("wasm");
  const tagger = loadTagger(o.model);
  const exported = mkdtempSync(join(tmpdir(), "medner-bench-"));
  for (const dtype of ["fp32", "q8"] as const) await exportModel({ modelDir: o.model, out: exported, dtype, name: "bench" });
  const read = async (f: string) => new Uint8Array(readFileSync(join(exported, f)));
  const runs = [];
  const breakdown: Record<string, Record<string, number>> = {};
  runs.push({ runtime: "tfjs", backend: backend.name, ...(await time(o.iterations, () => tagger.predict([note]))) });
  for (const dtype of ["fp32", "q8"] as const) {
    let runner: TaggerRunner | null = null;
    const engine = await loadExportedTagger(read, async (b) => (runner = await createNodeRunner(b)), { dtype });
    runs.push({ runtime: `onnx-${dtype}`, ...(await time(o.iterations, () => engine.predict([note]))) });
    // Where the time goes, measured stage by stage on the same note.
    const m = engine.manifest;
    const tokens = tokenize(note);
    const ids = featurize(tokens, m.featurizer.config);
    const S = attributeSlots(m.featurizer.config).reduce((a, b) => a + b, 0);
    const mask = new Float32Array(tokens.length).fill(1);
    const lp = await runner!.run(ids, mask, 1, tokens.length, S);
    const c = transitionConstraints(m.tags, m.scheme);
    const entities = decodeEntities(note, tokens, lp, m.tags, c, m.transitions);
    breakdown[`onnx-${dtype}`] = {
      tokenizeMs: (await time(o.iterations, () => tokenize(note))).p50Ms,
      featurizeMs: (await time(o.iterations, () => featurize(tokens, m.featurizer.config))).p50Ms,
      networkMs: (await time(o.iterations, () => runner!.run(ids.slice(), mask, 1, tokens.length, S))).p50Ms,
      decodeMs: (await time(o.iterations, () => decodeEntities(note, tokens, lp, m.tags, c, m.transitions))).p50Ms,
      rulesMs: (await time(o.iterations, () => applyDocumentRules([note], [entities]))).p50Ms,
      // The context traits and sections of the note's entities (core/context), as /ner adds them.
      contextMs: (await time(o.iterations, () => withContext(note, entities, defaultContextRules()))).p50Ms,
      // Each medication's attributes (core/medication), as /ner adds them.
      attributesMs: (await time(o.iterations, () => withAttributes(note, entities, defaultMedicationRules()))).p50Ms,
    };
  }
  tagger.dispose();
  const sizes = Object.fromEntries(
    Object.entries(JSON.parse(readFileSync(join(exported, "manifest.json"), "utf8")).files as Record<string, { size: number }>).map(([f, e]) => [f, e.size]),
  );
  return {
    runs: runs.map((r) => ({ ...r, wordsPerSecond: (words * 1000) / r.meanMs })),
    breakdown,
    note: { words, tokens: tokenize(note).length, chars: note.length },
    model: o.model,
    artifactBytes: sizes,
    iterations: o.iterations,
  };
}

export function customTable(r: Awaited<ReturnType<typeof benchCustom>>): string {
  const rows = r.runs.map((x) => `| ${x.runtime.padEnd(10)} | ${Math.round(x.wordsPerSecond).toLocaleString("en-US").padStart(10)} | ${x.p50Ms.toFixed(3).padStart(7)} | ${x.p99Ms.toFixed(3).padStart(7)} |`);
  const b = Object.entries(r.breakdown).map(([k, v]) => `| ${k.padEnd(10)} | ${v.tokenizeMs!.toFixed(3)} | ${v.featurizeMs!.toFixed(3)} | ${v.networkMs!.toFixed(3)} | ${v.decodeMs!.toFixed(3)} | ${v.rulesMs!.toFixed(3)} | ${v.contextMs!.toFixed(3)} | ${v.attributesMs!.toFixed(3)} |`);
  return [
    `custom tagger, ${r.note.words}-word note (${r.note.tokens} tokens), ${r.iterations} runs each, one thread`,
    "| runtime    |    words/s |  p50 ms |  p99 ms |",
    "|------------|-----------:|--------:|--------:|",
    ...rows,
    "",
    "| p50 ms     | tokenize | featurize | network | decode | document rules | context | attributes |",
    "|------------|---------:|----------:|--------:|-------:|---------------:|--------:|-----------:|",
    ...b,
  ].join("\n");
}

