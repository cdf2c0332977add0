// Options shared by commands that read a corpus.
import { Option, type Command } from "commander";
import { readCorpus, CORPUS_FORMATS, assertFormat, type Corpus } from "../corpus/index.ts";

export function corpusOptions(cmd: Command, data = { required: true, description: "corpus file or BRAT folder" }): Command {
  return (data.required ? cmd.requiredOption("--data <path>", data.description) : cmd.option("--data <path>", data.description))
    .addOption(new Option("--format <format>", "corpus format (default: detected from the content)").choices(CORPUS_FORMATS))
    .addOption(new Option("--offsets <unit>", "how JSON/JSONL offsets count characters").choices(["utf16", "codepoint"]).default("utf16"));
}

export function readCorpusFromOptions(opts: { data: string; format?: string; offsets?: string }): Corpus {
  return readCorpus(opts.data, {
    ...(opts.format ? { format: assertFormat(opts.format) } : {}),
    offsets: opts.offsets === "codepoint" ? "codepoint" : "utf16",
  });
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
