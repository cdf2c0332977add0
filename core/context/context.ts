// What a note says about each entity: negated, uncertain, historical, hypothetical, about a family member — ConText's
// algorithm (Harkema et al. 2009) on the shared tokenizer and sentence splitter. A cue sets its trait over a scope that
// runs forward and/or backward from it to the end of the sentence, stopping early at a terminating cue ("but",
// "presents with"), at another cue of the same trait, or after the cue's maxScope tokens. Pseudo cues ("no increase",
// "gram negative") match first and do nothing. Sections set default traits (Family History → family). Runs after any
// model and after the ensemble merge: it needs only the text and the spans.
import { touchedTokens } from "../align.ts";
import { splitSentences } from "../sentences.ts";
import { tokenize } from "../tokenizer.ts";
import { lowerTokens, type CueMatch, type CueRole, type CueSet, type TraitName } from "./cues.ts";
import type { Section, SectionRules } from "./sections.ts";

/** A trait of an entity, with the cue that set it (character offsets) or the section whose default it is. */
export interface EntityTrait {
  name: TraitName;
  score: number;
  cue?: { start: number; end: number };
  section?: string;
  /** family: who, when the cue names them ("mother"). */
  relationship?: string;
}

export interface EntityContext {
  traits: EntityTrait[];
  /** The section the entity is in, or null before the first header. */
  section: string | null;
}

export interface ContextRules {
  cues: CueSet;
  sections: SectionRules;
}

type TraitRole = Extract<CueRole, { kind: "trait" }>;

/** Does `other` (a later or earlier cue) end the scope of `role`? */
const ends = (role: TraitRole, other: CueMatch) => other.roles.some((r) => (r.kind === "terminate" && r.traits.includes(role.trait)) || (r.kind === "trait" && r.trait === role.trait));

/** Token ranges `[from, to)` each trait cue of a sentence covers. */
function scopes(cues: readonly CueMatch[], s: number, e: number): Array<{ cue: CueMatch; role: TraitRole; from: number; to: number }> {
  const out: Array<{ cue: CueMatch; role: TraitRole; from: number; to: number }> = [];
  cues.forEach((cue, k) => {
    for (const role of cue.roles) {
      if (role.kind !== "trait") continue;
      if (role.direction !== "backward") {
        const stop = cues.slice(k + 1).find((o) => ends(role, o));
        out.push({ cue, role, from: cue.to, to: Math.min(stop?.from ?? e, cue.to + role.maxScope) });
      }
      if (role.direction !== "forward") {
        const stop = cues.slice(0, k).reverse().find((o) => ends(role, o));
        out.push({ cue, role, from: Math.max(stop?.to ?? s, cue.from - role.maxScope), to: cue.from });
      }
    }
  });
  return out;
}

/** The sections of `text` and, for each span, its traits and section. Spans are character ranges of `text`. */
export function contextOf(text: string, spans: ReadonlyArray<{ start: number; end: number; label?: string }>, rules: ContextRules): { sections: Section[]; entities: EntityContext[] } {
  const sections = rules.sections.find(text);
  const tokens = tokenize(text);
  const lower = lowerTokens(tokens);
  // Header words are not cues: "History of Present Illness:" says nothing about what follows.
  const inHeader = (i: number) => sections.some((sec) => tokens[i]!.start >= sec.header.start && tokens[i]!.end <= sec.header.end);
  const sentences = splitSentences(text, tokens).map(([s, e]) => {
    let from = s;
    while (from < e && inHeader(from)) from++;
    return { s, e, scopes: scopes(rules.cues.scan(lower, from, e), s, e) };
  });

  const entities = spans.map((span): EntityContext => {
    const [a, b] = touchedTokens(tokens, span);
    const sentence = sentences.find((x) => a >= x.s && a < x.e);
    const labelClass = rules.cues.classOf(span.label);
    const best = new Map<TraitName, { trait: EntityTrait; distance: number }>();
    for (const sc of sentence?.scopes ?? []) {
      // In scope when the entity overlaps it; a cue inside the entity ("DVT prophylaxis" as one entity) says nothing.
      if (!(a < sc.to && b > sc.from) || (sc.cue.from >= a && sc.cue.to <= b)) continue;
      const name = labelClass !== null && sc.role.as && labelClass in sc.role.as ? (sc.role.as[labelClass] as TraitName | null) : sc.role.trait;
      if (name === null) continue;
      const distance = sc.cue.from >= b ? sc.cue.from - b : a - sc.cue.to;
      const known = best.get(name);
      if (known && known.distance <= distance) continue;
      const cue = { start: tokens[sc.cue.from]!.start, end: tokens[sc.cue.to - 1]!.end };
      best.set(name, { distance, trait: { name, score: sc.role.score, cue, ...(sc.role.relationship && name === "family" ? { relationship: sc.role.relationship } : {}) } });
    }
    const section = sections.find((sec) => span.start >= sec.start && span.start < sec.end) ?? null;
    if (section && span.start >= section.header.end)
      for (const name of rules.sections.traitsOf(section.name, labelClass)) if (!best.has(name)) best.set(name, { distance: Infinity, trait: { name, score: rules.sections.file.score, section: section.name } });
    const traits = [...best.values()].map((x) => x.trait).sort((x, y) => TRAIT_ORDER[x.name] - TRAIT_ORDER[y.name]);
    return { traits, section: section?.name ?? null };
  });
  return { sections, entities };
}

const TRAIT_ORDER: Record<TraitName, number> = { negated: 0, uncertain: 1, historical: 2, hypothetical: 3, family: 4 };

/** `entities` with their traits and section added: what /ner, the CLI and the Worker answer. */
export function withContext<E extends { start: number; end: number }>(text: string, entities: readonly E[], rules: ContextRules): Array<E & EntityContext> {
  const { entities: found } = contextOf(text, entities, rules);
  return entities.map((e, i) => ({ ...e, ...found[i]! }));
}
