// Turns per-token label scores into entities with the semantics of the Python `TokenClassificationPipeline`
// (huggingface/transformers, src/transformers/pipelines/token_classification.py: gather_pre_entities, aggregate,
// aggregate_word, aggregate_words, group_sub_entities, group_entities, get_tag, postprocess). Followed line by line,
// including its quirks, so a model behaves here as it does in Python. Two deliberate differences: offsets are UTF-16
// indices (see wordpiece.ts), and a long note is never truncated (windows.ts: the engine merges the windows' per-token
// scores before this runs once over the whole note).

export const AGGREGATIONS = ["none", "simple", "first", "average", "max"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

interface EntityFields {
  score: number;
  /** Python's `word`: the token (none) or the tokens joined by the tokenizer's decoder. */
  word: string;
  start: number;
  end: number;
  /** medner's label for the entity type (see canonical.ts). */
  label: string;
  /** `text.slice(start, end)`: the exact original characters. */
  text: string;
}
/** aggregation "none": one per token, the BIO tag in `entity` and Python's token `index` ([CLS] is 0). */
export interface TokenEntity extends EntityFields {
  entity: string;
  index: number;
}
/** Every other aggregation: one per group, the type without B-/I- in `entity_group`. */
export interface GroupEntity extends EntityFields {
  entity_group: string;
}
export type TransformerEntity = TokenEntity | GroupEntity;

export interface AggregationInput {
  text: string;
  /** The note's pieces in order ([CLS]/[SEP] excluded) with their vocabulary strings and offsets. */
  tokens: ReadonlyArray<{ id: number; token: string; start: number; end: number }>;
  /** Softmax scores, `tokens.length × labels.length`. */
  scores: Float32Array;
  labels: readonly string[];
  unkId: number;
  /** Python's `tokenizer.convert_tokens_to_string`. */
  tokensToString: (tokens: string[]) => string;
  aggregation: Aggregation;
  /** Dropped after grouping, as in Python. Default ["O"]. */
  ignoreLabels?: readonly string[];
  /** Entity type → medner label. Default: the type itself. */
  labelOf?: (type: string) => string;
}

interface PreEntity {
  word: string;
  scores: Float32Array;
  start: number;
  end: number;
  index: number;
  isSubword: boolean;
}
interface Tagged {
  entity: string;
  score: number;
  word: string;
  start: number;
  end: number;
  index?: number;
}

/** Row-wise softmax of `[rows × width]` logits, shifted by the row max as numpy does; into `out` (may be `logits`). */
export function softmax(logits: Float32Array, width: number, out: Float32Array = new Float32Array(logits.length)): Float32Array {
  for (let r = 0; r < logits.length; r += width) {
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, logits[r + j]!);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += out[r + j] = Math.exp(logits[r + j]! - max);
    for (let j = 0; j < width; j++) out[r + j]! /= sum;
  }
  return out;
}

export function aggregate(input: AggregationInput): TransformerEntity[] {
  const { text, labels, aggregation } = input;
  const ignore = new Set(input.ignoreLabels ?? ["O"]);
  const labelOf = input.labelOf ?? ((t: string) => t);
  const pre = gatherPreEntities(input);
  if (aggregation === "none") {
    return tagTokens(pre, labels)
      .filter((e) => !ignore.has(e.entity))
      .map((e) => ({ entity: e.entity, score: e.score, index: e.index!, word: e.word, start: e.start, end: e.end, label: labelOf(typeOf(e.entity)), text: text.slice(e.start, e.end) }));
  }
  const tagged = aggregation === "simple" ? tagTokens(pre, labels) : aggregateWords(pre, labels, aggregation, input.tokensToString);
  return groupEntities(tagged, input.tokensToString)
    .filter((g) => !ignore.has(g.entity_group))
    .map((g) => ({ ...g, label: labelOf(g.entity_group), text: text.slice(g.start, g.end) }));
}

/** group_sub_entities names a group by entity.split("-", 1)[-1]: everything after the first "-" (transformers ≥ 4.36). */
export const typeOf = (entity: string) => entity.slice(entity.indexOf("-") + 1);

/** Python's len(): code points, not UTF-16 units. */
const codePoints = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

function gatherPreEntities({ text, tokens, scores, labels, unkId }: AggregationInput): PreEntity[] {
  const L = labels.length;
  return tokens.map((t, i) => {
    const wordRef = text.slice(t.start, t.end);
    // A tokenizer with a continuing_subword_prefix takes this branch in Python: a piece is a subword when its vocabulary
    // string and the original text it covers differ in length ("##ing" vs "ing"); [UNK] takes the original text instead.
    const unk = t.id === unkId;
    return {
      word: unk ? wordRef : t.token,
      scores: scores.subarray(i * L, (i + 1) * L),
      start: t.start,
      end: t.end,
      index: i + 1,
      isSubword: !unk && codePoints(t.token) !== codePoints(wordRef),
    };
  });
}

/** numpy argmax: the first maximum. */
function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (v[j]! > v[best]!) best = j;
  return best;
}

function tagTokens(pre: PreEntity[], labels: readonly string[]): Tagged[] {
  return pre.map((p) => {
    const k = argmax(p.scores);
    return { entity: labels[k]!, score: p.scores[k]!, index: p.index, word: p.word, start: p.start, end: p.end };
  });
}

function aggregateWords(pre: PreEntity[], labels: readonly string[], strategy: "first" | "average" | "max", toString: (t: string[]) => string): Tagged[] {
  const words: Tagged[] = [];
  let group: PreEntity[] = [];
  for (const p of pre) {
    if (group.length > 0 && !p.isSubword) {
      words.push(aggregateWord(group, labels, strategy, toString));
      group = [];
    }
    group.push(p);
  }
  if (group.length > 0) words.push(aggregateWord(group, labels, strategy, toString));
  return words;
}

function aggregateWord(group: PreEntity[], labels: readonly string[], strategy: "first" | "average" | "max", toString: (t: string[]) => string): Tagged {
  let scores: ArrayLike<number>;
  if (strategy === "first") scores = group[0]!.scores;
  else if (strategy === "max") {
    // Python's max(key=scores.max()) keeps the first of equal maxima.
    let best = group[0]!;
    for (const p of group) if (p.scores[argmax(p.scores)]! > best.scores[argmax(best.scores)]!) best = p;
    scores = best.scores;
  } else {
    const L = labels.length;
    const mean = new Float64Array(L);
    for (let j = 0; j < L; j++) mean[j] = nanMean(group.map((p) => p.scores[j]!));
    scores = mean;
  }
  const k = argmax(scores);
  return { entity: labels[k]!, score: scores[k]!, word: toString(group.map((p) => p.word)), start: group[0]!.start, end: group.at(-1)!.end };
}

/** np.nanmean: NaNs are skipped. */
function nanMean(values: number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values)
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  return n === 0 ? NaN : sum / n;
}

function getTag(entity: string): { bi: "B" | "I"; tag: string } {
  if (entity.startsWith("B-")) return { bi: "B", tag: entity.slice(2) };
  if (entity.startsWith("I-")) return { bi: "I", tag: entity.slice(2) };
  // Not BIO: Python treats it as a continuation.
  return { bi: "I", tag: entity };
}

/**
 * Adjacent tokens/words of the same type are one group unless the next one is a B-. "O" takes part in grouping and
 * is dropped only afterwards, which is what keeps `B-X O I-X` two entities.
 */
function groupEntities(entities: Tagged[], toString: (t: string[]) => string): Omit<GroupEntity, "label" | "text">[] {
  const groups: Omit<GroupEntity, "label" | "text">[] = [];
  let current: Tagged[] = [];
  const flush = () =>
    groups.push({
      entity_group: typeOf(current[0]!.entity),
      score: nanMean(current.map((e) => e.score)),
      word: toString(current.map((e) => e.word)),
      start: current[0]!.start,
      end: current.at(-1)!.end,
    });
  for (const e of entities) {
    if (current.length > 0) {
      const { bi, tag } = getTag(e.entity);
      if (!(tag === getTag(current.at(-1)!.entity).tag && bi !== "B")) {
        flush();
        current = [];
      }
    }
    current.push(e);
  }
  if (current.length > 0) flush();
  return groups;
}
