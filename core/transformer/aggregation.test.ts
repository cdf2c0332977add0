// Aggregation against hand-worked outcomes of the Python pipeline's algorithm (token_classification.py): each case
// gives per-token scores and the entities Python would return, reasoned from its code.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { aggregate, softmax, type Aggregation, type TransformerEntity } from "./aggregation.ts";
import { canonicalLabel } from "./canonical.ts";
import { WordPieceTokenizer } from "./wordpiece.ts";

const dir = "tests/fixtures/tokenizers/bert-uncased";
const tokenizer = new WordPieceTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, "utf8")), JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, "utf8")));
const LABELS = ["O", "B-Medication", "I-Medication", "B-Disease_disorder", "I-Disease_disorder", "B-Sign_symptom", "I-Sign_symptom"];
/** Scores of one token by label; labels left out score 0. */
type Row = Partial<Record<string, number>>;

/** `rows[i]` gives token i's scores by label (the rest 0); checks the tokenization the case was written for. */
function run(text: string, expectTokens: string[], rows: Row[], aggregation: Aggregation, ignoreLabels?: string[]): TransformerEntity[] {
  const tokens = tokenizer.tokenize(text);
  expect(tokens.map((t) => t.token)).toEqual(expectTokens);
  expect(rows).toHaveLength(tokens.length);
  const entities = aggregate({ text, tokens, scores: scoresOf(rows), labels: LABELS, unkId: tokenizer.unkId, tokensToString: (t) => tokenizer.tokensToString(t), aggregation, ignoreLabels });
  // Only the Python fields: label and text are checked separately.
  return entities.map(({ label: _l, text: _t, ...e }) => ({ ...e, score: Number(e.score.toFixed(4)) }) as TransformerEntity);
}
const group = (entity_group: string, score: number, word: string, start: number, end: number) => ({ entity_group, score, word, start, end });

describe("aggregation: subwords", () => {
  const text = "ibuprofen";
  const pieces = ["ib", "##up", "##ro", "##fen"];
  const rows = [{ "B-Medication": 0.5, O: 0.3, "B-Disease_disorder": 0.2 }, { O: 0.6, "I-Medication": 0.4 }, { "B-Disease_disorder": 0.9, O: 0.1 }, { "I-Medication": 0.7, O: 0.3 }];

  it("none: one entity per non-O token, the token string as word, Python's index", () => {
    expect(run(text, pieces, rows, "none")).toEqual([
      { entity: "B-Medication", score: 0.5, index: 1, word: "ib", start: 0, end: 2 },
      { entity: "B-Disease_disorder", score: 0.9, index: 3, word: "##ro", start: 4, end: 6 },
      { entity: "I-Medication", score: 0.7, index: 4, word: "##fen", start: 6, end: 9 },
    ]);
  });

  it("simple: groups tokens, not words, so pieces of one word can become separate entities", () => {
    expect(run(text, pieces, rows, "simple")).toEqual([group("Medication", 0.5, "ib", 0, 2), group("Disease_disorder", 0.9, "##ro", 4, 6), group("Medication", 0.7, "##fen", 6, 9)]);
  });

  it("first, max and average each label the whole word their own way", () => {
    expect(run(text, pieces, rows, "first")).toEqual([group("Medication", 0.5, "ibuprofen", 0, 9)]);
    expect(run(text, pieces, rows, "max")).toEqual([group("Disease_disorder", 0.9, "ibuprofen", 0, 9)]);
    // Mean scores: O 0.325, I-Medication 0.275, B-Disease_disorder 0.275, B-Medication 0.125: the word is "O".
    expect(run(text, pieces, rows, "average")).toEqual([]);
    expect(run(text, pieces, rows, "average", [])).toEqual([group("O", 0.325, "ibuprofen", 0, 9)]);
  });

  it("first, max and average disagree three ways", () => {
    const met = ["met", "##form", "##in"];
    const r = [{ "B-Disease_disorder": 0.5, "I-Medication": 0.3, O: 0.2 }, { "B-Sign_symptom": 0.8, "I-Medication": 0.2 }, { "I-Medication": 0.6, O: 0.4 }];
    expect(run("metformin", met, r, "first")).toEqual([group("Disease_disorder", 0.5, "metformin", 0, 9)]);
    expect(run("metformin", met, r, "max")).toEqual([group("Sign_symptom", 0.8, "metformin", 0, 9)]);
    // I-Medication (0.3 + 0.2 + 0.6) / 3 beats B-Sign_symptom 0.8 / 3 and O 0.6 / 3.
    expect(run("metformin", met, r, "average")).toEqual([group("Medication", 0.3667, "metformin", 0, 9)]);
  });

  it("max keeps the first of equal maxima", () => {
    const r = [{ "B-Medication": 0.6, O: 0.4 }, { "B-Disease_disorder": 0.6, O: 0.4 }, { O: 0.5 }, { O: 0.5 }];
    expect(run(text, pieces, r, "max")).toEqual([group("Medication", 0.6, "ibuprofen", 0, 9)]);
  });
});

describe("aggregation: B-/I- grouping", () => {
  const strategies: Aggregation[] = ["simple", "first", "average", "max"];

  it.each(strategies)("%s: B-X O I-X is two entities, O filtered only after grouping", (strategy) => {
    const rows = [{ "B-Sign_symptom": 0.9 }, { O: 0.8 }, { "I-Sign_symptom": 0.7 }];
    expect(run("fever and cough", ["fever", "and", "cough"], rows, strategy)).toEqual([group("Sign_symptom", 0.9, "fever", 0, 5), group("Sign_symptom", 0.7, "cough", 10, 15)]);
  });

  it.each(strategies)("%s: B-X I-X merges with the mean score; B-X B-X does not; a leading I-X starts a group", (strategy) => {
    const words = ["chest", "pain", "and", "fever"];
    expect(run("chest pain and fever", words, [{ "B-Sign_symptom": 0.8 }, { "I-Sign_symptom": 0.6 }, { O: 0.9 }, { "B-Sign_symptom": 0.7 }], strategy)).toEqual([
      group("Sign_symptom", 0.7, "chest pain", 0, 10),
      group("Sign_symptom", 0.7, "fever", 15, 20),
    ]);
    expect(run("fever cough", ["fever", "cough"], [{ "B-Sign_symptom": 0.9 }, { "B-Sign_symptom": 0.5 }], strategy)).toEqual([group("Sign_symptom", 0.9, "fever", 0, 5), group("Sign_symptom", 0.5, "cough", 6, 11)]);
    expect(run("fever cough", ["fever", "cough"], [{ "I-Sign_symptom": 0.9 }, { "I-Sign_symptom": 0.5 }], strategy)).toEqual([group("Sign_symptom", 0.7, "fever cough", 0, 11)]);
    expect(run("aspirin fever", ["aspirin", "fever"], [{ "B-Medication": 0.9 }, { "I-Disease_disorder": 0.5 }], strategy)).toEqual([group("Medication", 0.9, "aspirin", 0, 7), group("Disease_disorder", 0.5, "fever", 8, 13)]);
  });
});

describe("aggregation: punctuation and Unicode", () => {
  it("joins words with the decoder (Python's word) while text is the original span", () => {
    const rows = [{ "B-Disease_disorder": 0.9 }, { "I-Disease_disorder": 0.6 }, { "I-Disease_disorder": 0.8 }, { O: 0.9 }];
    const out = aggregate({
      text: "heart-failure.",
      tokens: tokenizer.tokenize("heart-failure."),
      scores: scoresOf(rows),
      labels: LABELS,
      unkId: tokenizer.unkId,
      tokensToString: (t) => tokenizer.tokensToString(t),
      aggregation: "first",
      labelOf: canonicalLabel,
    });
    expect(out).toEqual([{ entity_group: "Disease_disorder", score: expect.closeTo(2.3 / 3, 6), word: "heart - failure", start: 0, end: 13, label: "DISEASE", text: "heart-failure" }]);
    expect(run("pain.", ["pain", "."], [{ "B-Sign_symptom": 0.8 }, { "I-Sign_symptom": 0.6 }], "simple")).toEqual([group("Sign_symptom", 0.7, "pain.", 0, 5)]);
  });

  it("accents, emoji ([UNK] takes the original text as its word) and CJK", () => {
    const text = "Naïve café 😀 痛";
    const toks = ["naive", "cafe", "[UNK]", "痛"];
    const rows = [{ O: 0.9 }, { "B-Medication": 0.6 }, { "I-Medication": 0.7 }, { "B-Sign_symptom": 0.8 }];
    expect(run(text, toks, rows, "simple")).toEqual([group("Medication", 0.65, "cafe 😀", 6, 13), group("Sign_symptom", 0.8, "痛", 14, 15)]);
    expect(run(text, toks, rows, "none")[1]).toEqual({ entity: "I-Medication", score: 0.7, index: 3, word: "😀", start: 11, end: 13 });
    expect(run("胸痛", ["[UNK]", "痛"], [{ "B-Sign_symptom": 0.9 }, { "I-Sign_symptom": 0.7 }], "first")).toEqual([group("Sign_symptom", 0.8, "胸 痛", 0, 2)]);
  });

  it("follows Python's length test for subwords, quirks included: a decomposed accent makes a word a subword", () => {
    // "nai\u0308ve" is 6 code points but its token "naive" 5, so Python's is_subword is true and first/average/max
    // fold it into the previous word.
    const rows = [{ "B-Sign_symptom": 0.8 }, { "B-Medication": 0.9 }];
    expect(run("pain nai\u0308ve", ["pain", "naive"], rows, "first")).toEqual([group("Sign_symptom", 0.8, "pain naive", 0, 11)]);
    expect(run("pain nai\u0308ve", ["pain", "naive"], rows, "simple")).toEqual([group("Sign_symptom", 0.8, "pain", 0, 4), group("Medication", 0.9, "naive", 5, 11)]);
  });
});

describe("aggregation: ignore_labels and labels", () => {
  const rows = [{ "B-Sign_symptom": 0.9 }, { O: 0.8 }, { "B-Medication": 0.7 }];
  it("replaces the default [\"O\"] and applies to entity_group or, for none, to the tag", () => {
    expect(run("fever and cough", ["fever", "and", "cough"], rows, "simple", ["Sign_symptom"])).toEqual([group("O", 0.8, "and", 6, 9), group("Medication", 0.7, "cough", 10, 15)]);
    expect(run("fever and cough", ["fever", "and", "cough"], rows, "none", ["O", "B-Sign_symptom"])).toEqual([{ entity: "B-Medication", score: 0.7, index: 3, word: "cough", start: 10, end: 15 }]);
  });

  it("maps types to medner labels and keeps the exact original text", () => {
    const text = "Fever and COUGH";
    const out = aggregate({ text, tokens: tokenizer.tokenize(text), scores: scoresOf(rows), labels: LABELS, unkId: tokenizer.unkId, tokensToString: (t) => tokenizer.tokensToString(t), aggregation: "none", labelOf: canonicalLabel });
    expect(out.map((e) => [e.label, e.text, e.word])).toEqual([["Sign_symptom", "Fever", "fever"], ["MEDICATION", "COUGH", "cough"]]);
  });

  it("returns nothing for a note without tokens", () => {
    for (const aggregation of ["none", "simple", "first", "average", "max"] as const)
      expect(aggregate({ text: "  ", tokens: [], scores: new Float32Array(0), labels: LABELS, unkId: 1, tokensToString: (t) => t.join(" "), aggregation })).toEqual([]);
  });
});

describe("softmax", () => {
  it("normalizes each row, stable for large logits", () => {
    const p = softmax(new Float32Array([0, Math.log(3), 1000, 1000]), 2);
    expect(Array.from(p, (x) => Number(x.toFixed(6)))).toEqual([0.25, 0.75, 0.5, 0.5]);
  });

  it("gives the same in place, into the logits' own array", () => {
    const logits = new Float32Array([0, Math.log(3), 1000, 1000, -5, 7]);
    const copy = softmax(logits.slice(), 2);
    expect(softmax(logits, 2, logits)).toBe(logits);
    expect(logits).toEqual(copy);
  });
});

function scoresOf(rows: Row[]): Float32Array {
  const scores = new Float32Array(rows.length * LABELS.length);
  rows.forEach((row, i) => Object.entries(row).forEach(([label, p]) => (scores[i * LABELS.length + LABELS.indexOf(label)] = p ?? 0)));
  return scores;
}

describe("aggregation: entity types with hyphens", () => {
  // Python (transformers ≥ 4.36, group_sub_entities) names a group by entity.split("-", 1)[-1]: everything after the
  // first hyphen, so "B-SIGN-SYMPTOM" is SIGN-SYMPTOM and a label without B-/I- such as "TAX-PERCENT" is PERCENT.
  const labels = ["O", "B-SIGN-SYMPTOM", "I-SIGN-SYMPTOM", "TAX-PERCENT"];
  const text = "chest pain fever";
  const tokens = tokenizer.tokenize(text);
  const scores = new Float32Array(tokens.length * labels.length);
  [1, 2, 3].forEach((label, i) => (scores[i * labels.length + label] = 0.9));
  const entities = (aggregation: Aggregation) =>
    aggregate({ text, tokens, scores, labels, unkId: tokenizer.unkId, tokensToString: (t) => tokenizer.tokensToString(t), aggregation, labelOf: (type) => type });

  it("keeps the type whole after the B-/I- prefix, for simple and word strategies, and in the canonical label's input", () => {
    expect(tokens.map((t) => t.token)).toEqual(["chest", "pain", "fever"]);
    for (const a of ["simple", "first", "max", "average"] as const) {
      expect(entities(a).map((e) => ["entity_group" in e ? e.entity_group : null, e.start, e.end, e.label])).toEqual([
        ["SIGN-SYMPTOM", 0, 10, "SIGN-SYMPTOM"],
        ["PERCENT", 11, 16, "PERCENT"],
      ]);
    }
    expect(entities("none").map((e) => ["entity" in e ? e.entity : null, e.label])).toEqual([["B-SIGN-SYMPTOM", "SIGN-SYMPTOM"], ["I-SIGN-SYMPTOM", "SIGN-SYMPTOM"], ["TAX-PERCENT", "PERCENT"]]);
  });
});
