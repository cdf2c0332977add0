// `medner export`: a trained tagger folder → ONNX (fp32 or q8) + manifest.json, with the q8 accuracy guard.
import { Option, type Command } from "commander";
import { DTYPES, MednerError, tokenize, type Dtype } from "../../core/index.ts";
import { initBackend } from "../backend.ts";
import { exportModel } from "../export/export-model.ts";
import { corpusOptions, readCorpusFromOptions } from "./options.ts";

interface ExportOpts {
  model: string;
  out: string;
  dtype: Dtype;
  name: string;
  version?: string;
  data?: string;
  format?: string;
  offsets?: string;
  force?: boolean;
  guardF1Loss: string;
  guardAgreement: string;
  vectorRows?: string;
  vectorCorpus?: string;
  json?: boolean;
}

export function registerExport(program: Command): void {
  const cmd = program
    .command("export")
    .description("export a trained tagger to ONNX (model.onnx / model_quantized.onnx + manifest.json)")
    .requiredOption("--model <dir>", "trained model folder (OUT/model-best)")
    .requiredOption("--out <dir>", "output folder")
    .addOption(new Option("--dtype <dtype>", "fp32 or q8 (int8 weights)").choices([...DTYPES]).default("q8"))
    .option("--name <name>", "model name in the manifest", "custom")
    .option("--version <version>", "model version (default: a UTC timestamp)")
    .option("--force", "write a q8 file even if the guard refuses it")
    .option("--guard-f1-loss <points>", "q8 guard: most dev F1 points q8 may lose against fp32", "0.3")
    .option("--guard-agreement <percent>", "q8 guard: least share of fp32 entities q8 must reproduce", "99")
    .option("--vector-rows <n>", "keep only the word vectors of the n most frequent words, the lexicon's and --vector-corpus's (a smaller model for Workers)")
    .option("--vector-corpus <path>", "with --vector-rows: also keep the vectors of this corpus's words (the training data)")
    .option("--json", "print the manifest and guard report as JSON on stdout");
  // --data is the dev set for metrics and the q8 guard; exporting without one skips both.
  corpusOptions(cmd, { required: false, description: "dev corpus: manifest metrics and the q8 guard (recommended)" });
  cmd.action(async (opts: ExportOpts) => {
    for (const [flag, v] of [["--guard-f1-loss", opts.guardF1Loss], ["--guard-agreement", opts.guardAgreement]] as const)
      if (!Number.isFinite(Number(v))) throw new MednerError("E403", `${flag} must be a number, got ${JSON.stringify(v)}`);
    if (opts.vectorRows !== undefined && !/^[1-9]\d*$/.test(opts.vectorRows)) throw new MednerError("E301", `--vector-rows must be a positive whole number, got ${JSON.stringify(opts.vectorRows)}`);
    if (opts.vectorCorpus && !opts.vectorRows) throw new MednerError("E301", "--vector-corpus needs --vector-rows");
    const vectorWords = opts.vectorCorpus ? readCorpusFromOptions({ data: opts.vectorCorpus }).docs.flatMap((d) => tokenize(d.text).map((t) => t.text)) : undefined;
    await initBackend();
    const dev = opts.data ? readCorpusFromOptions({ ...opts, data: opts.data }).docs : undefined;
    if (!dev) process.stderr.write("no --data: exporting without dev metrics and without the q8 guard\n");
    const r = await exportModel({ modelDir: opts.model, out: opts.out, dtype: opts.dtype, name: opts.name, ...(opts.version ? { version: opts.version } : {}), ...(dev ? { dev } : {}), force: !!opts.force, ...(opts.vectorRows ? { vectorRows: Number(opts.vectorRows) } : {}), ...(vectorWords ? { vectorWords } : {}), guard: { maxF1Loss: Number(opts.guardF1Loss) / 100, minAgreement: Number(opts.guardAgreement) / 100 } });
    const g = r.guard;
    process.stderr.write(
      `wrote ${opts.out}/${r.file} (${(r.manifest.files[r.file]!.size / 1e6).toFixed(2)} MB)` +
        (g ? `; q8 guard ${g.passed ? "passed" : "FAILED (forced)"}: F1 ${g.q8F1.toFixed(4)} vs fp32 ${g.fp32F1.toFixed(4)}, agreement ${(g.agreement * 100).toFixed(2)}%` : "") +
        "\n",
    );
    if (opts.json) process.stdout.write(`${JSON.stringify({ manifest: r.manifest, guard: r.guard })}\n`);
  });
}
