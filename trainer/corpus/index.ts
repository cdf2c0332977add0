// Reads any supported corpus, detecting the format from the content unless told, and names the file and line of
// anything malformed.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { MednerError } from "../../core/index.ts";
import { readBrat } from "./brat.ts";
import { marksDocuments, parseConllCorpus } from "./conll.ts";
import { parseJsonCorpus } from "./json.ts";
import { parseJsonlCorpus } from "./jsonl.ts";
import { CORPUS_FORMATS, type Corpus, type CorpusFormat, type OffsetUnit } from "./types.ts";

export * from "./types.ts";
export { toSeedJsonl } from "./jsonl.ts";

export function assertFormat(format: string): CorpusFormat {
  if ((CORPUS_FORMATS as readonly string[]).includes(format)) return format as CorpusFormat;
  throw new MednerError("E202", `unknown corpus format "${format}": expected one of ${CORPUS_FORMATS.join(", ")}`);
}

/** Guesses the format of `path` from what it holds: a folder of .ann files, JSON, JSON lines or token/tag lines. */
export function detectFormat(path: string): CorpusFormat {
  if (statSync(path).isDirectory()) {
    if (readdirSync(path, { recursive: true }).some((f) => String(f).endsWith(".ann"))) return "brat";
    throw new MednerError("E202", `${path}: a folder, but no BRAT .ann files in it`);
  }
  if (path.endsWith(".ann") || (path.endsWith(".txt") && existsSync(path.replace(/\.txt$/, ".ann")))) return "brat";
  const content = readText(path);
  const head = content.trimStart();
  const firstLine = head.split("\n", 1)[0] ?? "";
  if (head.startsWith("[") || head.startsWith("{")) {
    // A one-line file is valid as both; the extension breaks the tie.
    if (/\.(jsonl|ndjson)$/i.test(path)) return "jsonl";
    try {
      JSON.parse(content);
      return "json";
    } catch {
      try {
        JSON.parse(firstLine);
        return "jsonl";
      } catch {
        // Broken JSON: report it as JSON so the reader's error names the line.
        return head.startsWith("{") && content.trim().includes("\n") ? "jsonl" : "json";
      }
    }
  }
  if (/^\S+(\t\S*)*\t[BIOLUES](-\S+)?\s*$/.test(firstLine) || /^\S+\s+[BIOLUES](-\S+)?\s*$/.test(firstLine) || firstLine.startsWith("-DOCSTART-")) return "conll";
  throw new MednerError("E202", `${path}: cannot tell the format from its content; pass --format (${CORPUS_FORMATS.join(", ")})`);
}

export interface ReadOptions {
  format?: CorpusFormat;
  /** How JSON/JSONL offsets count characters (BRAT is always code points). Default utf16. */
  offsets?: OffsetUnit;
}

/** File text without a leading byte-order mark (editors on Windows add one). */
const readText = (path: string) => readFileSync(path, "utf8").replace(/^\uFEFF/, "");

export function readCorpus(path: string, options: ReadOptions = {}): Corpus {
  if (!existsSync(path)) throw new MednerError("E203", `${path}: no such file or folder`);
  const format = options.format ?? detectFormat(path);
  const unit = options.offsets ?? "utf16";
  switch (format) {
    case "brat":
      return { format, ...readBrat(path) };
    case "json":
      return { format, docs: parseJsonCorpus(readText(path), path, unit), problems: [] };
    case "jsonl":
      return { format, docs: parseJsonlCorpus(readText(path), path, unit), problems: [] };
    case "conll": {
      const content = readText(path);
      return { format, docs: parseConllCorpus(content, path), problems: [], sentenceStream: !marksDocuments(content) };
    }
    default:
      throw new MednerError("E202", `unknown corpus format "${String(format)}"`);
  }
}
