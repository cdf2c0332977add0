// `medner train`: trains the tagger with a progress bar; writes OUT/model-best, OUT/model-last, metrics.json and
// training-curve.svg. Ctrl-C stops after the current step and still writes model-last.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import cliProgress from "cli-progress";
import type { Doc } from "../../core/index.ts";
import { BACKENDS, initBackend, type BackendName } from "../backend.ts";
import { loadConfig } from "../model/config.ts";
import { loadTagger } from "../model/io.ts";
import { checkLexiconFiles } from "../model/lexicon.ts";
import { checkVectorFiles } from "../model/vectors.ts";
import { runTraining, splitDev } from "../run-training.ts";
import { evaluateTagger, corpusLabels } from "../training-loop.ts";
import { corpusOptions, documentContext, readCorpusFromOptions } from "./options.ts";

const BUNDLED = fileURLToPath(new URL("../../data/clinical-notes/", import.meta.url));

interface TrainOpts {
  data?: string;
  dev?: string;
  format?: string;
  offsets?: string;
  out: string;
  config?: string;
  set: string[];
  partial: string[];
  backend?: BackendName;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  // --format and --offsets apply to --data, --dev and --partial, never to the bundled split.
  corpusOptions(program.command("train").description("train the custom tagger (default data: the bundled data/clinical-notes split)"), {
    required: false,
    description: "training corpus (any supported format)",
  })
    .option("--dev <path>", "dev corpus for model selection (default: the bundled dev split, or training.devFraction of --data)")
    .requiredOption("--out <dir>", "output folder (model-best/, model-last/, metrics.json, training-curve.svg)")
    .option(
      "--partial <path>",
      "extra training corpus annotated for only its own labels (e.g. NCBI-disease: Disease); its unlabelled tokens may be any other label (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("--config <file>", "config JSON (default: models/custom/config.json)")
    .option("--set <key=value>", "override a config value, e.g. --set model.width=96 (repeatable)", (v: string, acc: string[]) => [...acc, v], [])
    .addOption(new Option("--backend <name>", "tfjs backend (default: the fastest that starts)").choices([...BACKENDS]))
    .option("--json", "print the summary as JSON on stdout")
    .action(async (opts: TrainOpts) => {
      const config = loadConfig(opts.config, opts.set);
      checkVectorFiles(config.features);
      checkLexiconFiles(config.features);
      const backend = await initBackend(opts.backend);
      const read = (path: string) => readCorpusFromOptions({ ...opts, data: path });
      const bundled = (file: string) => readCorpusFromOptions({ data: `${BUNDLED}${file}` });
      const trainPath = opts.data ?? `${BUNDLED}train.json`;
      let train = (opts.data ? read(opts.data) : bundled("train.json")).docs;
      let dev;
      let devPath = opts.dev ?? (opts.data ? `${config.training.devFraction} of ${trainPath}` : `${BUNDLED}dev.json`);
      // A held-out share of --data is shuffled, so it keeps no reading order for the document rules to use.
      let devContext = 0;
      if (opts.dev || !opts.data) {
        const corpus = opts.dev ? read(opts.dev) : bundled("dev.json");
        dev = corpus.docs;
        devContext = documentContext(corpus);
      } else ({ train, dev } = splitDev(train, config.training.devFraction, config.seed));
      const partial = opts.partial.map((path) => {
        const docs = read(path).docs;
        return { path, docs, labels: corpusLabels(docs) };
      });
      const partialNote = partial.map((p) => ` + ${p.docs.length} from ${p.path} (annotates ${p.labels.join(", ") || "nothing"})`).join("");
      process.stderr.write(`medner train: ${train.length} training docs${partialNote}, ${dev.length} dev docs, backend ${backend.name}${backend.skipped.length ? ` (skipped ${backend.skipped.join("; ")})` : ""}\n`);

      const controller = new AbortController();
      const onSigint = () => {
        process.stderr.write("\ninterrupted: finishing the current step and writing model-last/\n");
        controller.abort();
      };
      process.once("SIGINT", onSigint);
      const bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: "train |{bar}| step {value}/{total} | epoch {epoch} | loss {loss} | dev F1 {f1} (best {best}) | {wps} w/s | ETA {eta_formatted}",
          noTTYOutput: true,
          notTTYSchedule: 10_000,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(config.training.maxSteps, 0, { epoch: 1, loss: "-", f1: "-", best: "-", wps: "-" });
      let emaLoss: number | null = null;
      let f1 = "-";
      let best = "-";
      try {
        const summary = await runTraining({
          config,
          train,
          dev,
          ...(partial.length ? { partial } : {}),
          out: opts.out,
          backend,
          dataDescription: { train: trainPath, dev: devPath, ...(partial.length ? { partial: opts.partial.join(", ") } : {}) },
          signal: controller.signal,
          onProblems: (n, ex) => {
            if (n) process.stderr.write(`${n} training spans dropped (misaligned or overlapping), e.g.\n${ex.map((m) => `  ${m}\n`).join("")}`);
          },
          onEvent: (e) => {
            emaLoss = emaLoss === null ? e.loss : 0.9 * emaLoss + 0.1 * e.loss;
            if (e.kind === "eval") {
              f1 = e.scores!.micro.f1.toFixed(4);
              best = e.bestF1!.toFixed(4);
            }
            bar.update(e.step, { epoch: e.epoch, loss: emaLoss.toFixed(4), f1, best, wps: Math.round(e.wordsPerSecond) });
          },
        });
        bar.stop();
        process.stderr.write(
          `${summary.interrupted ? "interrupted" : "done"} after ${summary.steps} steps in ${summary.wallSeconds.toFixed(0)} s: best dev F1 ${summary.bestF1.toFixed(4)} at step ${summary.bestStep} → ${opts.out}/model-best\n`,
        );
        const withDocumentRules = summary.best ? scoreWithRules(opts.out, dev, devContext) : null;
        if (withDocumentRules)
          process.stderr.write(
            `model-best with the document rules${devContext ? `, each dev sentence with the ${devContext} before it` : ""}: dev F1 ${withDocumentRules.micro.f1.toFixed(4)} (what medner evaluate reports)\n`,
          );
        const result = { out: opts.out, backend: backend.name, ...summary, best: summary.best ? { micro: summary.best.micro, labels: summary.best.labels } : null, withDocumentRules };
        if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        bar.stop();
        process.off("SIGINT", onSigint);
      }
    });
}

/**
 * model-best's dev scores with the document rules, as `medner evaluate` gives them, added to metrics.json: training
 * selects on the tagger alone, so its curve and best F1 leave the rules out.
 */
function scoreWithRules(out: string, dev: Doc[], context: number) {
  const tagger = loadTagger(join(out, "model-best"));
  try {
    const s = evaluateTagger(tagger, dev, { context });
    const result = { context, micro: { precision: s.micro.precision, recall: s.micro.recall, f1: s.micro.f1 } };
    const metricsPath = join(out, "metrics.json");
    writeFileSync(metricsPath, `${JSON.stringify({ ...JSON.parse(readFileSync(metricsPath, "utf8")), withDocumentRules: result }, null, 2)}\n`);
    return result;
  } finally {
    tagger.dispose();
  }
}
