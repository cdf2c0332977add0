// Entities in displaCy's manual format, for `displacy.render(doc, style="ent", manual=True)` in Python.
import type { SourcedEntity } from "../types.ts";
import { codePointOffsets } from "./offsets.ts";

export interface SpacyDoc {
  text: string;
  /** Character offsets as spaCy counts them: code points (`text[start:end]` in Python). */
  ents: Array<{ start: number; end: number; label: string }>;
  title: null;
}

export function toSpacy(text: string, entities: readonly SourcedEntity[]): SpacyDoc {
  const cp = codePointOffsets(text);
  return { text, ents: entities.map((e) => ({ start: cp(e.start), end: cp(e.end), label: e.label })), title: null };
}
