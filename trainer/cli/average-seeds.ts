// `medner average-seeds`: trained models of one config (different seeds) → one seed-average folder that evaluate, predict and
// export take like any model.
import type { Command } from "commander";
import { initBackend } from "../backend.ts";
import { writeSeedAverage } from "../model/seed-average.ts";
import { loadTagger, readModelInfo } from "../model/io.ts";

export function registerAverageSeeds(program: Command): void {
  program
    .command("average-seeds")
    .description("average the predictions of models trained with one config and different seeds")
    .argument("<models...>", "trained model folders (OUT/model-best), at least 2")
    .requiredOption("--out <dir>", "the seed-average folder to write")
    .option("--json", "print {out, members, labels} on stdout")
    .action(async (models: string[], opts: { out: string; json?: boolean }) => {
      await initBackend();
      const { labels } = writeSeedAverage(models, opts.out, loadTagger, readModelInfo);
      process.stderr.write(`wrote ${opts.out}: the seed average of ${models.length} models (${labels.join(", ")})\n`);
      if (opts.json) process.stdout.write(`${JSON.stringify({ out: opts.out, members: models, labels })}\n`);
    });
}
