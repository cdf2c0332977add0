// `medner explore`: corpus statistics and annotation problems.
import type { Command } from "commander";
import { explore, formatExploreReport } from "../explore.ts";
import { corpusOptions, readCorpusFromOptions } from "./options.ts";

export function registerExplore(program: Command): void {
  corpusOptions(program.command("explore").description("count documents, sentences, tokens and entities; find annotation problems"))
    .option("--json", "print the report as JSON on stdout")
    .action((opts: { data: string; format?: string; offsets?: string; json?: boolean }) => {
      // The report counts what the reader skipped.
      const report = explore(readCorpusFromOptions(opts, { report: false }));
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stderr.write(`${formatExploreReport(report, opts.data)}\n`);
    });
}
