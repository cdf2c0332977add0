// The featurizer: tokens → hashed embedding row ids. The trainer and the edge both call `featurize`, so a model sees
// exactly the same features at training and at serving time. Which attributes, table sizes and seeds are used is data
// (`FeaturizerConfig`), stored with every model.
import { z } from "zod";
import { murmur3, rowFor } from "./hash.ts";
import type { Token } from "./types.ts";

/** Bump when `attributeValue` or the hashing changes: models record it and refuse a mismatched featurizer. */
export const FEATURIZER_VERSION = 1;

/**
 * Whole-word attributes can be limited to the words training saw at least `minCount` times. The trainer fills `known`
 * with those words' hashes (sorted `murmur3(value, attributeIndex)`, as featurize computes them); any other word gets
 * no row at all, as word dropout trains for, instead of the sum of rows other words were trained into.
 */
const knownWords = {
  minCount: z.int().positive().optional(),
  known: z.array(z.int().nonnegative()).optional(),
};

export const AttributeSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("norm"), rows: z.int().positive(), ...knownWords }),
  z.object({ type: z.literal("lower"), rows: z.int().positive(), ...knownWords }),
  z.object({ type: z.literal("prefix"), length: z.int().min(1).max(8), rows: z.int().positive() }),
  z.object({ type: z.literal("suffix"), length: z.int().min(1).max(8), rows: z.int().positive() }),
  z.object({ type: z.literal("shape"), rows: z.int().positive() }),
  /** Bag of character n-grams of the lowercased token with "<" and ">" marking its edges; up to `max` per token. */
  z.object({ type: z.literal("ngrams"), n: z.int().min(2).max(6), max: z.int().min(1).max(64), rows: z.int().positive() }),
  /**
   * Pretrained word vectors, kept frozen (spaCy's static vectors): the lowercased word's row of a fixed `rows × dim`
   * table. `known` lists the table's words as sorted `murmur3(word, attributeIndex)` hashes, row i holding the word
   * of `known[i]`; any other word gets no row (PAD). The trainer fills `known`, `rows` and the table from the vectors
   * file at `path` (GloVe / word2vec / fastText text), taking its first `rows` words.
   */
  z.object({
    type: z.literal("vectors"),
    path: z.string().min(1),
    rows: z.int().positive(),
    dim: z.int().positive(),
    known: z.array(z.int().nonnegative()).optional(),
  }),
  /**
   * Lexicon matches (a gazetteer used as a feature; overlaps resolved as spaCy's EntityRuler does): each token inside
   * the longest phrase that starts leftmost gets its place in it and the phrase's class — "B-chemical", "I-chemical",
   * "L-chemical", or "U-disease" for a one-token phrase — hashed into `rows` like a word; tokens outside every phrase
   * get no row. `entries` lists the phrases as "class<TAB>token token …" (core's tokens, lowercased); the trainer
   * fills it from the lexicon file at `path` (one "phrase<TAB>class" per line).
   */
  z.object({
    type: z.literal("lexicon"),
    path: z.string().min(1),
    rows: z.int().positive(),
    /** The lexicon file's leading comment lines: a licence its source requires on every copy travels with the phrases. */
    notice: z.string().optional(),
    entries: z.array(z.string().regex(/^[A-Za-z][\w+-]*\t\S+( \S+)*$/, "a lexicon entry is \"class<TAB>token token …\"")).optional(),
  }),
]);
export type Attribute = z.infer<typeof AttributeSchema>;

export const FeaturizerConfigSchema = z.object({
  attributes: z.array(AttributeSchema).min(1),
  /** Row ids per attribute value (hash seeds); their embedding rows are summed. */
  seeds: z.int().min(1).max(8),
});
export type FeaturizerConfig = z.infer<typeof FeaturizerConfigSchema>;

/** spaCy-style word shape: Xxxx, dd.d, XXdd; runs longer than 4 are cut at 4. */
export function wordShape(text: string): string {
  let out = "";
  let last = "";
  let run = 0;
  for (const ch of text) {
    const c = /\p{Lu}/u.test(ch) ? "X" : /\p{L}/u.test(ch) ? "x" : /\p{Nd}/u.test(ch) ? "d" : ch;
    run = c === last ? run + 1 : 1;
    last = c;
    if (run <= 4) out += c;
  }
  return out;
}

/** Lowercase with every digit folded to 0, so "500" and "250" share a row but keep their length. */
export const normForm = (text: string) => text.toLowerCase().replace(/\p{Nd}/gu, "0");

export function attributeValue(a: Attribute, text: string): string {
  switch (a.type) {
    case "norm":
      return normForm(text);
    case "lower":
    case "vectors":
      return text.toLowerCase();
    case "prefix":
      return text.toLowerCase().slice(0, a.length);
    case "suffix":
      return text.toLowerCase().slice(-a.length);
    case "shape":
      return wordShape(text);
    case "ngrams":
      throw new Error("ngrams is a bag attribute: use charNgrams");
    case "lexicon":
      throw new Error("lexicon matches depend on the neighbouring tokens: use lexiconTags");
    default:
      throw new Error(`Unknown attribute type ${(a as { type: string }).type}`);
  }
}

/** Character n-grams of `<token>`, lowercased, in order; at most `max` (the first ones). */
export function charNgrams(text: string, n: number, max: number): string[] {
  const chars = [..."<" + text.toLowerCase() + ">"];
  const out: string[] = [];
  for (let i = 0; i + n <= chars.length && out.length < max; i++) out.push(chars.slice(i, i + n).join(""));
  return out;
}

/** Slots per token of each attribute: `seeds` row ids for a single hashed value, `max` for an n-gram bag, one row
 * for word vectors. */
export function attributeSlots(config: FeaturizerConfig): number[] {
  return config.attributes.map((a) => (a.type === "ngrams" ? a.max : a.type === "vectors" ? 1 : config.seeds));
}

/** Embedding width of each attribute: the vectors' own width for word vectors, the model's `dim` for the rest. */
export function attributeDims(config: FeaturizerConfig, dim: number): number[] {
  return config.attributes.map((a) => (a.type === "vectors" ? a.dim : dim));
}

/** Index of `hash` in the sorted `known`, or -1 (binary search: vector tables hold 10⁵ words and more). */
function indexOf(known: readonly number[], hash: number): number {
  let lo = 0;
  let hi = known.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = known[mid]!;
    if (v === hash) return mid;
    if (v < hash) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

interface LexiconIndex {
  classes: Map<string, string>;
  /** The first token of every phrase: most tokens start none, and are passed over without building any key. */
  starts: Set<string>;
  longest: number;
}
const lexiconIndexes = new WeakMap<readonly string[], LexiconIndex>();
/** A lexicon's phrases (lowercased tokens joined by one space) → class, built once per `entries` array. */
function lexiconIndex(entries: readonly string[]): LexiconIndex {
  let index = lexiconIndexes.get(entries);
  if (!index) {
    index = { classes: new Map(), starts: new Set(), longest: 0 };
    for (const e of entries) {
      const tab = e.indexOf("\t");
      const words = e.slice(tab + 1).split(" ");
      index.classes.set(words.join(" "), e.slice(0, tab));
      index.starts.add(words[0]!);
      index.longest = Math.max(index.longest, words.length);
    }
    lexiconIndexes.set(entries, index);
  }
  return index;
}

/**
 * Each token's lexicon feature value ("B-" / "I-" / "L-" / "U-" + class), or null: scanning left to right, the
 * longest phrase starting at a token wins and the scan goes on after it, so matches never overlap.
 */
export function lexiconTags(tokens: readonly Token[], entries: readonly string[]): Array<string | null> {
  const { classes, starts, longest } = lexiconIndex(entries);
  const lower = tokens.map((t) => t.text.toLowerCase());
  const tags: Array<string | null> = new Array(tokens.length).fill(null);
  for (let t = 0; t < tokens.length; ) {
    let len = starts.has(lower[t]!) ? Math.min(longest, tokens.length - t) : 0;
    let cls: string | undefined;
    for (; len > 0 && (cls = classes.get(lower.slice(t, t + len).join(" "))) === undefined; len--);
    if (!len) {
      t++;
      continue;
    }
    if (len === 1) tags[t] = `U-${cls}`;
    else for (let i = 0; i < len; i++) tags[t + i] = `${i === 0 ? "B" : i === len - 1 ? "L" : "I"}-${cls}`;
    t += len;
  }
  return tags;
}

/** Marks an empty slot of an n-gram bag (or of an unknown word's whole-word attribute). */
export const PAD = -1;

const knownSets = new WeakMap<readonly number[], Set<number>>();
/** The `known` hashes of an attribute as a Set, built once per config object. */
function knownSet(a: Attribute): Set<number> | null {
  if (!("known" in a) || !a.known) return null;
  let set = knownSets.get(a.known);
  if (!set) knownSets.set(a.known, (set = new Set(a.known)));
  return set;
}

/** The hash of a single-valued attribute's value (attribute `index` salts it): what `featurize` turns into rows and
 * `known` lists — for known words and for word vectors alike. */
export const valueHash = (a: Attribute, index: number, text: string) => murmur3(attributeValue(a, text), index);

/**
 * The same config with `known` filled for every whole-word attribute that sets `minCount`: the hashes of the values
 * seen at least `minCount` times in `tokens` (the training tokens; not read when no attribute sets `minCount`).
 */
export function withKnownWords(config: FeaturizerConfig, tokens: Iterable<string>): FeaturizerConfig {
  // Attribute index → value hash → count, for the attributes that set minCount.
  const counts = new Map<number, Map<number, number>>();
  config.attributes.forEach((a, i) => {
    if ((a.type === "norm" || a.type === "lower") && a.minCount) counts.set(i, new Map());
  });
  if (!counts.size) return config;
  for (const text of tokens)
    for (const [i, c] of counts) {
      const h = valueHash(config.attributes[i]!, i, text);
      c.set(h, (c.get(h) ?? 0) + 1);
    }
  const attributes = config.attributes.map((a, i) => {
    const c = counts.get(i);
    if (!c || !("minCount" in a)) return a;
    const known = [...c].filter(([, n]) => n >= a.minCount!).map(([h]) => h).sort((x, y) => x - y);
    return { ...a, known };
  });
  return { ...config, attributes };
}

/**
 * Row ids per token: `slots = Σ attributeSlots` entries per token, attribute `a` at `[slotStart(a), slotStart(a+1))`.
 * A single-valued attribute fills its slots with the value's `seeds` hashed rows (summed by the model); an n-gram bag
 * puts one row per n-gram and PAD in the rest (averaged by the model). Each attribute has its own table; the attribute
 * index salts the hash so tables stay independent.
 */
export function featurize(tokens: readonly Token[], config: FeaturizerConfig): Int32Array {
  const slots = attributeSlots(config);
  const perToken = slots.reduce((a, b) => a + b, 0);
  const out = new Int32Array(tokens.length * perToken).fill(PAD);
  // Without `entries` (a config the trainer has not prepared yet) nothing matches.
  const lexicon = config.attributes.map((a) => (a.type === "lexicon" && a.entries ? lexiconTags(tokens, a.entries) : null));
  for (let t = 0; t < tokens.length; t++) {
    const text = tokens[t]!.text;
    let o = t * perToken;
    config.attributes.forEach((attr, a) => {
      if (attr.type === "ngrams") {
        charNgrams(text, attr.n, attr.max).forEach((g, i) => (out[o + i] = murmur3(g, a) % attr.rows));
      } else if (attr.type === "vectors") {
        // Without `known` (a config the trainer has not prepared yet) no word has a vector.
        if (attr.known) out[o] = indexOf(attr.known, valueHash(attr, a, text));
      } else if (attr.type === "lexicon") {
        const tag = lexicon[a]?.[t];
        if (tag) for (let s = 0, h = murmur3(tag, a); s < config.seeds; s++) out[o + s] = rowFor(h, s, attr.rows);
      } else {
        const h = valueHash(attr, a, text);
        const known = knownSet(attr);
        if (!known || known.has(h)) for (let s = 0; s < config.seeds; s++) out[o + s] = rowFor(h, s, attr.rows);
      }
      o += slots[a]!;
    });
  }
  return out;
}
