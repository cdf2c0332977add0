// `medner ensemble`: trained models of one config (different seeds) → one ensemble folder that evaluate, predict and
// export take like any model.
import type { Command } from "commander";
import { initBackend } from "../backend.ts";
import { writeEnsemble } from "../model/ensemble.ts";
import { loadTagger, readModelInfo } from "../model/io.ts";

export function registerEnsemble(program: Command): void {
  program
    .command("ensemble")
    .description("average the predictions of models trained with one config and different seeds")
    .argument("<models...>", "trained model folders (OUT/model-best), at least 2")
    .requiredOption("--out <dir>", "the ensemble folder to write")
    .option("--json", "print {out, members, labels} on stdout")
    .action(async (models: string[], opts: { out: string; json?: boolean }) => {
      await initBackend();
      const { labels } = writeEnsemble(models, opts.out, loadTagger, readModelInfo);
      process.stderr.write(`wrote ${opts.out}: an ensemble of ${models.length} models (${labels.join(", ")})\n`);
      if (opts.json) process.stdout.write(`${JSON.stringify({ out: opts.out, members: models, labels })}\n`);
    });
}
