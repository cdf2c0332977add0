// What a corpus reader returns: documents in medner's shape, plus what it had to skip and why.
import type { Doc } from "../../core/index.ts";

export const CORPUS_FORMATS = ["json", "jsonl", "conll", "brat"] as const;
export type CorpusFormat = (typeof CORPUS_FORMATS)[number];

/**
 * Something a reader skipped on purpose (never silently): a BRAT discontinuous span, or a record its annotator
 * rejected or ignored (Prodigy's "answer").
 */
export interface ReadProblem {
  kind: "discontinuous" | "rejected";
  where: string;
  message: string;
}

export interface Corpus {
  format: CorpusFormat;
  docs: Doc[];
  problems: ReadProblem[];
  /**
   * True when each doc is one sentence of a longer text, in reading order, and the document boundaries are lost: an
   * IOB file without -DOCSTART- lines, like BC5CDR's. `evaluate` then lets a sentence see the ones before it.
   */
  sentenceStream?: boolean;
}

/** How the input counts character offsets: JavaScript's UTF-16 code units, or Python's code points. */
export type OffsetUnit = "utf16" | "codepoint";
