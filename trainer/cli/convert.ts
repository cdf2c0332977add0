// `medner convert`: any supported corpus → seed-style JSON lines (UTF-16 offsets), lossless for spans.
import type { Command } from "commander";
import { toSeedJsonl } from "../corpus/index.ts";
import { corpusOptions, readCorpusFromOptions } from "./options.ts";
import { writeOutput } from "./write-output.ts";

export function registerConvert(program: Command): void {
  corpusOptions(program.command("convert").description("convert a corpus to seed-style JSON lines"))
    .requiredOption("--out <file>", "output .jsonl file (- for stdout)")
    .option("--json", "print a summary as JSON on stdout")
    .action((opts: { data: string; format?: string; offsets?: string; out: string; json?: boolean }) => {
      const corpus = readCorpusFromOptions(opts);
      const jsonl = toSeedJsonl(corpus.docs);
      if (opts.out === "-") process.stdout.write(jsonl);
      else writeOutput(opts.out, jsonl);
      const summary = {
        format: corpus.format,
        documents: corpus.docs.length,
        entities: corpus.docs.reduce((n, d) => n + d.entities.length, 0),
        skipped: corpus.problems.length,
        out: opts.out,
      };
      if (opts.json && opts.out !== "-") process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stderr.write(`wrote ${summary.documents} documents, ${summary.entities} entities (${summary.format} → seed JSONL) to ${opts.out}\n`);
    });
}
