// `medner evaluate`: strict span P/R/F1 per label and micro-averaged, on any corpus the readers accept.
import type { Command } from "commander";
import { initBackend } from "../backend.ts";
import { loadTagger } from "../model/io.ts";
import { evaluateTagger } from "../train.ts";
import { corpusOptions, readCorpusFromOptions } from "./options.ts";

export function registerEvaluate(program: Command): void {
  corpusOptions(program.command("evaluate").description("score a model on an annotated corpus (strict span match)"))
    .requiredOption("--model <dir>", "model folder (e.g. OUT/model-best)")
    .option("--json", 'print {"micro": {...}, "labels": {...}} on stdout')
    .action(async (opts: { model: string; data: string; format?: string; offsets?: string; json?: boolean }) => {
      await initBackend();
      const tagger = loadTagger(opts.model);
      const docs = readCorpusFromOptions(opts).docs;
      const s = evaluateTagger(tagger, docs);
      const pick = ({ precision, recall, f1 }: { precision: number; recall: number; f1: number }) => ({ precision, recall, f1 });
      const result = {
        micro: pick(s.micro),
        labels: Object.fromEntries(Object.entries(s.labels).map(([l, v]) => [l, { ...pick(v), support: v.support }])),
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const row = (name: string, v: { precision: number; recall: number; f1: number }, support: number | string) =>
          `  ${name.padEnd(20)} ${v.precision.toFixed(4)}  ${v.recall.toFixed(4)}  ${v.f1.toFixed(4)}  ${String(support).padStart(7)}`;
        process.stderr.write(
          [`${opts.data}: ${docs.length} documents`, `  ${"label".padEnd(20)} P       R       F1      support`, ...Object.entries(result.labels).map(([l, v]) => row(l, v, v.support)), row("(micro)", result.micro, s.micro.support)].join("\n") + "\n",
        );
      }
    });
}
