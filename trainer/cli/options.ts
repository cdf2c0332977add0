// Options shared by commands that read a corpus.
import { InvalidArgumentError, Option, type Command } from "commander";
import { AGGREGATIONS, type Aggregation } from "../../core/transformer/index.ts";
import { readCorpus, CORPUS_FORMATS, assertFormat, type Corpus, type ReadProblem } from "../corpus/index.ts";

export function corpusOptions(cmd: Command, data = { required: true, description: "corpus file or BRAT folder" }): Command {
  return (data.required ? cmd.requiredOption("--data <path>", data.description) : cmd.option("--data <path>", data.description))
    .addOption(new Option("--format <format>", "corpus format (default: detected from the extension or the content)").choices(CORPUS_FORMATS))
    .addOption(new Option("--offsets <unit>", "how JSON/JSONL offsets count characters").choices(["utf16", "codepoint"]).default("utf16"));
}

/**
 * Reads --data as --format and --offsets say, and reports on stderr what the reader skipped (one line per kind), so no
 * command drops data unnoticed; `explore` counts them in its report instead (`report: false`).
 */
export function readCorpusFromOptions(opts: { data: string; format?: string; offsets?: string }, { report = true } = {}): Corpus {
  const corpus = readCorpus(opts.data, {
    ...(opts.format ? { format: assertFormat(opts.format) } : {}),
    offsets: opts.offsets === "codepoint" ? "codepoint" : "utf16",
  });
  if (report) reportSkipped(corpus, opts.data);
  return corpus;
}

const SKIPPED: Record<ReadProblem["kind"], [one: string, many: string, why: string]> = {
  discontinuous: ["discontinuous span", "discontinuous spans", "BRAT fragments cannot be one span"],
  rejected: ["record", "records", 'answer "reject" or "ignore"'],
};

/** "PATH: N discontinuous spans skipped (why), first at FILE:LINE" on stderr, one line per kind of problem. */
export function reportSkipped(corpus: Pick<Corpus, "problems">, path: string): void {
  for (const kind of Object.keys(SKIPPED) as Array<ReadProblem["kind"]>) {
    const found = corpus.problems.filter((p) => p.kind === kind);
    if (!found.length) continue;
    const [one, many, why] = SKIPPED[kind];
    process.stderr.write(`${path}: ${found.length} ${found.length === 1 ? one : many} skipped (${why}), first at ${found[0]!.where}\n`);
  }
}

/**
 * Sentences before each one that count as its document when a corpus is a stream of sentences whose documents were
 * lost (an IOB file without -DOCSTART-). Chosen on BC5CDR devel: 10 gave 0.8603, 20 and 40 both 0.8614
 * (docs/benchmarks.md).
 */
export const STREAM_CONTEXT = 20;

/** The context the document rules get on a corpus: the sentences before each one for a sentence stream, else none. */
export function documentContext(corpus: Pick<Corpus, "sentenceStream">, requested?: number): number {
  return corpus.sentenceStream ? (requested ?? STREAM_CONTEXT) : 0;
}

/** The transformer's options on `predict` and `evaluate` (taggers ignore them). */
export function transformerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--aggregation <strategy>", "transformer folders: how word pieces become entities, as in the Hugging Face pipeline").choices([...AGGREGATIONS]).default("first"))
    .option("--window-tokens <n>", "transformer folders: tokens per window, [CLS] and [SEP] included (default: the model's maxLength)", wholeNumber)
    .option("--window-overlap <n>", "transformer folders: tokens shared by consecutive windows of a long note (default: min(128, a quarter of a window))", wholeNumber);
}

export interface TransformerCliOptions {
  aggregation: Aggregation;
  windowTokens?: number;
  windowOverlap?: number;
}

/** The window options as the engine takes them. */
export const windowsOf = (o: TransformerCliOptions) => ({ ...(o.windowTokens !== undefined ? { windowTokens: o.windowTokens } : {}), ...(o.windowOverlap !== undefined ? { windowOverlap: o.windowOverlap } : {}) });

function wholeNumber(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError("a whole number is expected.");
  return Number(v);
}
