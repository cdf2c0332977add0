// `medner predict`: entities with character offsets and scores for one text.
import { Option, type Command } from "commander";
import { defaultContextRules, withContext, type EntityContext } from "../../core/context/index.ts";
import { DTYPES, type Dtype, type ScoredEntity } from "../../core/index.ts";
import { renderEntitiesHtml } from "../../core/render/index.ts";
import { withModel } from "../model/any-model.ts";
import { transformerOptions, windowsOf, type TransformerCliOptions } from "./options.ts";
import { writeOutput } from "./write-output.ts";

export function registerPredict(program: Command): void {
  transformerOptions(program.command("predict").description("find entities in a text"))
    .requiredOption("--model <dir>", "a trained model folder (OUT/model-best), an exported one, or a transformer folder (manifest.json)")
    .addOption(new Option("--dtype <dtype>", "which file of an exported folder to use (default: its manifest's)").choices([...DTYPES]))
    .requiredOption("--text <text>", "the text")
    .option("--json", "print the entities as JSON on stdout")
    .option("--no-document-rules", "the tagger's entities alone, without the abbreviation and label-consistency rules")
    .option("--no-context", "the entities alone, without their context traits and section")
    .option("--html <file>", "also write the text with its entities highlighted (displaCy style) as an HTML page")
    .action(async (opts: { model: string; dtype?: Dtype; text: string; json?: boolean; documentRules: boolean; context: boolean; html?: string } & TransformerCliOptions) => {
      const [found] = await withModel(opts.model, opts.dtype, (model) => model.predict([opts.text], { documentRules: opts.documentRules, aggregation: opts.aggregation }), windowsOf(opts));
      // The same context the service adds (core/context), on by default.
      const entities: Array<ScoredEntity & Partial<EntityContext>> = opts.context ? withContext(opts.text, found!, defaultContextRules()) : found!;
      if (opts.html) {
        writeOutput(opts.html, renderEntitiesHtml(opts.text, entities, { title: `medner predict: ${opts.model}` }));
      }
      if (opts.json) process.stdout.write(`${JSON.stringify({ entities }, null, 2)}\n`);
      else
        process.stderr.write(
          entities.length
            ? entities.map((e) => `${String(e.start).padStart(5)}–${String(e.end).padEnd(5)} ${e.label.padEnd(12)} ${e.score.toFixed(3)}  ${e.text}${e.traits?.length ? `  [${e.traits.map((t) => t.name).join(", ")}]` : ""}`).join("\n") + "\n"
            : "no entities\n",
        );
    });
}
