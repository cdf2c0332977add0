// Lexicons for the `lexicon` feature (core/features.ts): a text file with one "phrase<TAB>class" per line, blank
// lines and "#" comments skipped. Each phrase is cut into core's tokens and lowercased, so it matches a note wherever
// the featurizer's tokens spell it, whatever the case and the whitespace between the tokens.
// Read by hand: a two-column text file needs no library, and the errors name the file and line.
import { readFileSync } from "node:fs";
import { MednerError, tokenize, type FeaturizerConfig } from "../../core/index.ts";
import { dataPath, unreadable } from "./files.ts";

const CLASS = /^[A-Za-z][\w-]*$/;

function readText(path: string): string {
  try {
    return readFileSync(dataPath(path), "utf8");
  } catch (err) {
    throw unreadable("E304", path, "lexicon", err, "`npm run lexicon:fetch` writes models/lexicons/wordnet-chemical-disease.tsv");
  }
}

/** Fails with E304 unless every `lexicon` attribute's file can be read and parsed: checked before a long run starts. */
export function checkLexiconFiles(features: FeaturizerConfig): void {
  for (const a of features.attributes) if (a.type === "lexicon") loadLexicon(a.path);
}

export interface Lexicon {
  /** Sorted, distinct "class<TAB>token token …"; a phrase listed with two classes gets both, joined by "+" in sorted
   * order ("chemical+disease"), so the feature says it is ambiguous. */
  entries: string[];
  /** The comment lines the file begins with ("# " removed), e.g. the licence of the data it was built from. */
  notice: string;
}

/** A lexicon file, read once: its phrases as `entries` and its leading comment as `notice`. */
export function loadLexicon(path: string): Lexicon {
  const lines = readText(path).split("\n");
  const head: string[] = [];
  for (const line of lines) {
    if (!line.startsWith("#")) break;
    head.push(line.replace(/^# ?/, ""));
  }
  const classes = new Map<string, Set<string>>();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const cols = line.split("\t");
    const [phrase, cls] = [cols[0]!.trim(), cols[1]?.trim() ?? ""];
    if (cols.length !== 2 || !CLASS.test(cls)) throw new MednerError("E304", `${path}:${i + 1}: expected "phrase<TAB>class", the class a letter then letters, digits, "_" or "-"`);
    const tokens = tokenize(phrase).map((t) => t.text.toLowerCase());
    if (!tokens.length) throw new MednerError("E304", `${path}:${i + 1}: the phrase has no tokens`);
    const key = tokens.join(" ");
    classes.set(key, (classes.get(key) ?? new Set()).add(cls));
  });
  if (!classes.size) throw new MednerError("E304", `${path}: the lexicon has no phrases`);
  return { entries: [...classes].map(([phrase, c]) => `${[...c].sort().join("+")}\t${phrase}`).sort(), notice: head.join("\n").trim() };
}

/**
 * The same config with `entries` filled for every `lexicon` attribute from its file, and `notice` with the file's
 * leading comment, so a licence that asks to appear on every copy goes wherever the phrases go (model, manifest).
 */
export function prepareLexicons<F extends FeaturizerConfig>(features: F, load: (path: string) => Lexicon = loadLexicon): F {
  if (!features.attributes.some((a) => a.type === "lexicon")) return features;
  return {
    ...features,
    attributes: features.attributes.map((a) => {
      if (a.type !== "lexicon") return a;
      const { entries, notice } = load(a.path);
      return { ...a, ...(notice ? { notice } : {}), entries };
    }),
  };
}
