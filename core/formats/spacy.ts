// Entities in displaCy's manual format, for `displacy.render(doc, style="ent", manual=True)` in Python.
import type { EntityContext, TraitName } from "../context/index.ts";
import type { SourcedEntity } from "../types.ts";
import { contextFields } from "./hf.ts";
import { codePointOffsets } from "./offsets.ts";

export interface SpacyDoc {
  text: string;
  /** Character offsets as spaCy counts them: code points (`text[start:end]` in Python). */
  /** With context on, each ent also carries its trait names and section (displaCy ignores fields it does not know). */
  ents: Array<{ start: number; end: number; label: string; traits?: TraitName[]; section?: string | null }>;
  title: null;
}

export function toSpacy(text: string, entities: ReadonlyArray<SourcedEntity & Partial<EntityContext>>): SpacyDoc {
  const cp = codePointOffsets(text);
  return { text, ents: entities.map((e) => ({ start: cp(e.start), end: cp(e.end), label: e.label, ...contextFields(e) })), title: null };
}
