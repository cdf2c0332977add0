// Entities in the shapes of the Python ecosystem: the Hugging Face token-classification pipeline's list and
// displaCy's manual format. Python strings index Unicode code points while JavaScript indexes UTF-16 units, so
// offsets are converted: after an emoji or any astral-plane character the two differ.
import type { SourcedEntity } from "../types.ts";

/** `map[i]` = the code-point index of UTF-16 index `i` (for every i in 0..text.length). */
export function codePointIndex(text: string): Int32Array {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point: its second unit maps to the same index.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        map[++i] = cp;
      }
    }
    cp++;
  }
  map[text.length] = cp;
  return map;
}

export interface HfEntity {
  entity_group: string;
  score: number;
  word: string;
  start: number;
  end: number;
}

/**
 * The pipeline's grouped shape (`aggregation_strategy` other than "none"). `word` is the exact matched text — the
 * Python pipeline gives the decoded tokens, which an uncased model lowercases — and offsets are code points.
 */
export function toHf(text: string, entities: readonly SourcedEntity[]): HfEntity[] {
  const cp = codePointIndex(text);
  return entities.map((e) => ({ entity_group: e.label, score: e.score, word: e.text, start: cp[e.start]!, end: cp[e.end]! }));
}

export interface SpacyDoc {
  text: string;
  ents: Array<{ start: number; end: number; label: string }>;
  title: null;
}

/** displaCy's manual format: `displacy.render(doc, style="ent", manual=True)` draws it as it is. */
export function toSpacy(text: string, entities: readonly SourcedEntity[]): SpacyDoc {
  const cp = codePointIndex(text);
  return { text, ents: entities.map((e) => ({ start: cp[e.start]!, end: cp[e.end]!, label: e.label })), title: null };
}
