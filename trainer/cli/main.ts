// The medner CLI: `npm run --silent medner -- <command> [options]`. Commands are thin: parse, call, print, exit code.
// Machine-readable output goes to stdout (--json); everything for people goes to stderr.
import { Command, CommanderError } from "commander";
import { MednerError } from "../../core/index.ts";
import { registerAttributes } from "./attributes.ts";
import { registerAverageSeeds } from "./average-seeds.ts";
import { registerContext } from "./context.ts";
import { registerConvert } from "./convert.ts";
import { registerExplore } from "./explore.ts";
import { registerExport } from "./export.ts";
import { registerEvaluate } from "./evaluate.ts";
import { registerInfo } from "./info.ts";
import { registerJobs } from "./jobs.ts";
import { registerPredict } from "./predict.ts";
import { registerPublish } from "./publish.ts";
import { registerTrain } from "./train.ts";

const program = new Command("medner")
  .description("Medical named-entity recognition: corpus tools, training, evaluation and export")
  // A usage error is one line, written below, with a pointer to the help instead of the help itself.
  .configureOutput({ outputError: () => {} })
  .exitOverride();

registerExplore(program);
registerConvert(program);
registerInfo(program);
registerTrain(program);
registerAverageSeeds(program);
registerEvaluate(program);
registerContext(program);
registerAttributes(program);
registerPredict(program);
registerExport(program);
registerPublish(program);
registerJobs(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (!["commander.help", "commander.helpDisplayed", "commander.version"].includes(err.code)) {
      const command = program.commands.find((c) => c.name() === process.argv[2]);
      const message = err.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
      process.stderr.write(`medner: ${message} (run medner ${command ? `${command.name()} ` : ""}--help for usage)\n`);
    }
    process.exit(err.exitCode);
  }
  const message = err instanceof MednerError ? err.message : `unexpected error: ${(err as Error).message ?? String(err)}`;
  process.stderr.write(`medner: ${message}\n`);
  if (!(err instanceof MednerError) && process.env.MEDNER_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
}
