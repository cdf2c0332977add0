// Reads any supported corpus, detecting the format from the extension or the content unless told, and names the file
// and line of anything malformed.
import { existsSync, readdirSync, statSync } from "node:fs";
import { MednerError } from "../../core/index.ts";
import { readBrat } from "./brat.ts";
import { marksDocuments, parseConllCorpus } from "./conll.ts";
import { readText } from "./files.ts";
import { parseJsonCorpus } from "./json.ts";
import { parseJsonlCorpus } from "./jsonl.ts";
import { CORPUS_FORMATS, type Corpus, type CorpusFormat, type OffsetUnit } from "./types.ts";

export * from "./types.ts";
export { toSeedJsonl } from "./jsonl.ts";

export function assertFormat(format: string): CorpusFormat {
  if ((CORPUS_FORMATS as readonly string[]).includes(format)) return format as CorpusFormat;
  throw new MednerError("E202", `unknown corpus format "${format}": expected one of ${CORPUS_FORMATS.join(", ")}`);
}

/** Extensions that say the format outright; others (.txt, none) leave it to the content. */
const EXTENSIONS: Array<[RegExp, CorpusFormat]> = [
  [/\.(jsonl|ndjson)$/i, "jsonl"],
  [/\.(conll|iob|bio|tsv)$/i, "conll"],
];

const CONLL_LINE = (line: string) => /^\S+(\t\S*)*\t[BIOLUES](-\S+)?\s*$/.test(line) || /^\S+\s+[BIOLUES](-\S+)?\s*$/.test(line) || line.startsWith("-DOCSTART-");

/**
 * Guesses the format of `path`: a folder of .ann files is BRAT, an extension that names a format decides, and
 * otherwise what the file holds: JSON, JSON lines or token/tag lines.
 */
export function detectFormat(path: string): CorpusFormat {
  if (statSync(path).isDirectory()) {
    if (readdirSync(path, { recursive: true }).some((f) => String(f).endsWith(".ann"))) return "brat";
    throw new MednerError("E202", `${path}: a folder, but no BRAT .ann files in it`);
  }
  if (path.endsWith(".ann") || (path.endsWith(".txt") && existsSync(path.replace(/\.txt$/, ".ann")))) return "brat";
  const byExtension = EXTENSIONS.find(([re]) => re.test(path))?.[1];
  if (byExtension) return byExtension;
  const content = readText(path);
  const head = content.trimStart();
  const firstLine = head.split("\n", 1)[0] ?? "";
  const isJson = /\.json$/i.test(path);
  // Token/tag lines before JSON: a CoNLL file's first token may be "[" or "{".
  if (!isJson && CONLL_LINE(firstLine)) return "conll";
  if (isJson || head.startsWith("[") || head.startsWith("{")) {
    try {
      JSON.parse(content);
      return "json";
    } catch {
      // JSON lines in a .json file, or broken JSON: the reader's error names the line either way.
      try {
        const first = JSON.parse(firstLine) as unknown;
        if (first && typeof first === "object" && content.trim().includes("\n")) return "jsonl";
      } catch {
        // Broken JSON.
      }
      return "json";
    }
  }
  throw new MednerError("E202", `${path}: cannot tell the format from its content; pass --format (${CORPUS_FORMATS.join(", ")})`);
}

export interface ReadOptions {
  format?: CorpusFormat;
  /** How JSON/JSONL offsets count characters (BRAT is always code points). Default utf16. */
  offsets?: OffsetUnit;
}

export function readCorpus(path: string, options: ReadOptions = {}): Corpus {
  if (!existsSync(path)) throw new MednerError("E203", `${path}: no such file or folder`);
  const format = options.format ?? detectFormat(path);
  const unit = options.offsets ?? "utf16";
  if (format === "brat") return { format, ...readBrat(path) };
  const content = readText(path);
  if (!content.trim()) throw new MednerError("E201", `${path}: empty file`);
  switch (format) {
    case "json":
      return { format, ...parseJsonCorpus(content, path, unit) };
    case "jsonl":
      return { format, ...parseJsonlCorpus(content, path, unit) };
    case "conll":
      return { format, docs: parseConllCorpus(content, path), problems: [], sentenceStream: !marksDocuments(content) };
    default:
      throw new MednerError("E202", `unknown corpus format "${String(format)}"`);
  }
}
