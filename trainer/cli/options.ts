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
