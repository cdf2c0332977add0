// `medner predict`: entities with character offsets and scores for one text.
import type { Command } from "commander";
import { initBackend } from "../backend.ts";
import { loadTagger } from "../model/io.ts";

export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("find entities in a text")
    .requiredOption("--model <dir>", "model folder (e.g. OUT/model-best)")
    .requiredOption("--text <text>", "the text")
    .option("--json", "print the entities as JSON on stdout")
    .action(async (opts: { model: string; text: string; json?: boolean }) => {
      await initBackend();
      const tagger = loadTagger(opts.model);
      const [entities] = tagger.predict([opts.text]);
      if (opts.json) process.stdout.write(`${JSON.stringify({ entities }, null, 2)}\n`);
      else
        process.stderr.write(
          entities!.length ? entities!.map((e) => `${String(e.start).padStart(5)}–${String(e.end).padEnd(5)} ${e.label.padEnd(12)} ${e.score.toFixed(3)}  ${e.text}`).join("\n") + "\n" : "no entities\n",
        );
    });
}
