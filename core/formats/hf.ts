// Entities in the Hugging Face token-classification pipeline's grouped shape (`aggregation_strategy` other than
// "none"), so code written against `pipeline("ner", …)` reads medner's answer unchanged.
import type { EntityContext, TraitName } from "../context/index.ts";
import type { SourcedEntity } from "../types.ts";
import { codePointOffsets } from "./offsets.ts";

/** aggregation "none": one per word piece, the model's own B-/I- tag in `entity` and the piece's `index`, as Python gives. */
export interface HfTokenEntity {
  entity: string;
  score: number;
  index: number;
  word: string;
  start: number;
  end: number;
  traits?: TraitName[];
  section?: string | null;
}

export interface HfEntity {
  entity_group: string;
  score: number;
  word: string;
  /** Code points, as the Python pipeline counts (`text[start:end] == word` in Python). */
  start: number;
  end: number;
  /** With context on: the trait names (extra fields the pipeline does not have, which its readers ignore). */
  traits?: TraitName[];
  section?: string | null;
}

/**
 * `word` is the exact matched text (the Python pipeline decodes tokens instead, which an uncased model lowercases).
 * Takes the text as well as the entities because code-point offsets depend on what precedes each entity.
 */
export function toHf(text: string, entities: ReadonlyArray<SourcedEntity & Partial<EntityContext>>): Array<HfEntity | HfTokenEntity> {
  const cp = codePointOffsets(text);
  return entities.map((e) =>
    e.tag !== undefined
      ? { entity: e.tag, score: e.score, index: e.index!, word: e.text, start: cp(e.start), end: cp(e.end), ...contextFields(e) }
      : { entity_group: e.label, score: e.score, word: e.text, start: cp(e.start), end: cp(e.end), ...contextFields(e) },
  );
}

/** An entity's traits (names only) and section, as extra fields of a foreign shape; nothing when context is off. */
export const contextFields = (e: Partial<EntityContext>) => (e.traits ? { traits: e.traits.map((t) => t.name), section: e.section ?? null } : {});
