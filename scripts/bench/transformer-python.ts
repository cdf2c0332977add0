// The Python pipeline's rows of the transformer bench: scripts/reference/bench_pipeline.py times transformers'
// pipeline("token-classification") on CPU torch and writes bench-results/python-pipeline.json; the bench prints those
// rows when the file is there and was timed on the very notes and model shape the bench runs now.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";

export const PYTHON_RESULTS = "bench-results/python-pipeline.json";
export const PYTHON_COMMAND = "python scripts/reference/bench_pipeline.py models/transformer/bench-standard (scripts/reference/README.md sets up its venv)";

const Run = z.object({ impl: z.string(), threads: z.int(), tokens: z.int(), tokensPerSecond: z.number(), p50Ms: z.number(), p99Ms: z.number(), coldStartMs: z.number(), othersCpuShare: z.number() });
const PythonResults = z.object({
  model: z.object({ layers: z.int(), hidden: z.int(), vocab: z.int(), labels: z.int() }),
  notes: z.record(z.string(), z.object({ tokens: z.int(), sha256: z.string() })),
  runs: z.array(Run),
  machine: z.record(z.string(), z.unknown()),
  versions: z.record(z.string(), z.string()),
  date: z.string(),
});
export type PythonRun = z.infer<typeof Run>;

export type PythonRows = { present: true; runs: PythonRun[]; date: string; versions: Record<string, string>; machine: Record<string, unknown> } | { present: false; why: string };

/**
 * The Python rows, or why there are none: the file is absent, or it timed other notes or another model shape than
 * `notes` and `shape` (then its numbers would not be comparable).
 */
export function pythonRows(notes: Array<{ tokens: number; text: string }>, shape: { layers: number; hidden: number; vocab: number; labels: number }, file = PYTHON_RESULTS): PythonRows {
  if (!existsSync(file)) return { present: false, why: `${file} is absent; make it with: ${PYTHON_COMMAND}` };
  const r = PythonResults.parse(JSON.parse(readFileSync(file, "utf8")));
  for (const n of notes) {
    const sha256 = createHash("sha256").update(n.text).digest("hex");
    if (r.notes[String(n.tokens)]?.sha256 !== sha256) return { present: false, why: `${file} timed another ${n.tokens}-token note than this bench's; run again: ${PYTHON_COMMAND}` };
  }
  const theirs = `${r.model.layers}×${r.model.hidden}, vocab ${r.model.vocab}, ${r.model.labels} labels`;
  if (theirs !== `${shape.layers}×${shape.hidden}, vocab ${shape.vocab}, ${shape.labels} labels`) return { present: false, why: `${file} timed a ${theirs} model; run again: ${PYTHON_COMMAND}` };
  return { present: true, runs: r.runs, date: r.date, versions: r.versions, machine: r.machine };
}
