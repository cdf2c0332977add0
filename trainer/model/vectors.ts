// Pretrained word vectors for the `vectors` feature (spaCy's static vectors): read from a GloVe, word2vec or fastText
// text file, the first `rows` words kept (these files list words most frequent first), each vector scaled to unit
// length, and the rows ordered by the word's hash, which is how core's featurizer finds them (features.ts).
// Reading by hand: the format is one word and its numbers per line, and no npm library reads it without loading
// the whole (hundreds of MB) file; here only the first `rows` lines are read.
import { closeSync, openSync, readSync } from "node:fs";
import { MednerError, valueHash, type FeaturizerConfig } from "../../core/index.ts";
import { dataPath, unreadable } from "./files.ts";

export interface WordVectors {
  words: string[];
  dim: number;
  /** `[words, dim]`, row-major. */
  data: Float32Array;
}

/** Lines of an open text file, read in chunks, so a caller that stops early never reads the rest; closes `fd`. */
function* lines(fd: number): Generator<string> {
  const buf = Buffer.alloc(1 << 20);
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      const parts = text.split("\n");
      rest = parts.pop()!;
      yield* parts;
    }
    rest += decoder.decode();
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}

/** Opens a vectors file, or fails with E303 (naming the fetch command when the file does not exist). */
function openVectors(path: string): number {
  try {
    return openSync(dataPath(path), "r");
  } catch (err) {
    throw unreadable("E303", path, "vectors file", err, "`npm run vectors:fetch` writes vectors/glove-wiki-100d.txt");
  }
}

/** Fails with E303 unless every `vectors` attribute's file can be opened: checked before a long run starts. */
export function checkVectorFiles(features: FeaturizerConfig): void {
  for (const a of features.attributes) if (a.type === "vectors") closeSync(openVectors(a.path));
}

/**
 * The first `maxWords` distinct lowercased words of a vectors text file and their vectors. A word2vec / fastText
 * header line ("count dim") is skipped; every vector must have the same width. Bad lines fail with file and line.
 */
export function readVectors(path: string, maxWords: number): WordVectors {
  const words: string[] = [];
  const seen = new Set<string>();
  let dim = 0;
  let data = new Float32Array(0);
  let lineNo = 0;
  for (const raw of lines(openVectors(path))) {
    lineNo++;
    const line = raw.trimEnd();
    if (!line) continue;
    const parts = line.split(" ");
    if (lineNo === 1 && parts.length === 2 && parts.every((p) => /^\d+$/.test(p))) continue;
    const word = parts[0]!.toLowerCase();
    const values = parts.slice(1).map(Number);
    if (!dim) {
      dim = values.length;
      if (dim === 0) throw new MednerError("E303", `${path}:${lineNo}: a word with no vector`);
      data = new Float32Array(maxWords * dim);
    }
    if (values.length !== dim || values.some((v) => !Number.isFinite(v)))
      throw new MednerError("E303", `${path}:${lineNo}: expected a word and ${dim} numbers, got ${values.length} values`);
    // Cased files list "Aspirin" and "aspirin"; the first (most frequent) wins.
    if (seen.has(word)) continue;
    seen.add(word);
    data.set(values, words.length * dim);
    words.push(word);
    if (words.length === maxWords) break;
  }
  if (!words.length) throw new MednerError("E303", `${path}: no vectors found`);
  return { words, dim, data: data.slice(0, words.length * dim) };
}

export interface PreparedVectors {
  features: FeaturizerConfig;
  /** The frozen table of each `vectors` attribute (undefined for the others), rows in `known` order. */
  fixed: Array<Float32Array | undefined>;
}

/**
 * Fills `known` and `rows` of every `vectors` attribute from its file and builds its table: unit-length vectors,
 * ordered by `valueHash` (the featurizer's hash of the lowercased word); of two words with the same hash only the
 * more frequent is kept.
 */
export function prepareVectors<F extends FeaturizerConfig>(features: F, read: (path: string, rows: number) => WordVectors = readVectors): PreparedVectors & { features: F } {
  const fixed: Array<Float32Array | undefined> = [];
  const attributes = features.attributes.map((attr, a) => {
    if (attr.type !== "vectors") return attr;
    const vectors = read(attr.path, attr.rows);
    if (vectors.dim !== attr.dim) throw new MednerError("E301", `${attr.path}: the vectors have ${vectors.dim} dimensions, the config says dim ${attr.dim}`);
    const byHash = new Map<number, number>();
    vectors.words.forEach((w, i) => {
      const h = valueHash(attr, a, w);
      if (!byHash.has(h)) byHash.set(h, i);
    });
    const known = [...byHash.keys()].sort((x, y) => x - y);
    const { dim } = vectors;
    const table = new Float32Array(known.length * dim);
    known.forEach((h, r) => {
      const src = vectors.data.subarray(byHash.get(h)! * dim, (byHash.get(h)! + 1) * dim);
      const norm = Math.hypot(...src) || 1;
      for (let d = 0; d < dim; d++) table[r * dim + d] = src[d]! / norm;
    });
    fixed[a] = table;
    return { ...attr, rows: known.length, known };
  });
  return { features: { ...features, attributes }, fixed };
}
