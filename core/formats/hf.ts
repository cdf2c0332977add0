// Entities in the Hugging Face token-classification pipeline's grouped shape (`aggregation_strategy` other than
// "none"), so code written against `pipeline("ner", …)` reads medner's answer unchanged.
import type { SourcedEntity } from "../types.ts";
import { codePointOffsets } from "./offsets.ts";

export interface HfEntity {
  entity_group: string;
  score: number;
  word: string;
  /** Code points, as the Python pipeline counts (`text[start:end] == word` in Python). */
  start: number;
  end: number;
}

/**
 * `word` is the exact matched text (the Python pipeline decodes tokens instead, which an uncased model lowercases).
 * Takes the text as well as the entities because code-point offsets depend on what precedes each entity.
 */
export function toHf(text: string, entities: readonly SourcedEntity[]): HfEntity[] {
  const cp = codePointOffsets(text);
  return entities.map((e) => ({ entity_group: e.label, score: e.score, word: e.text, start: cp(e.start), end: cp(e.end) }));
}
