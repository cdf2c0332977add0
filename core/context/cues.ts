// Context cues as data (models/context/rules.json): the schema of the rules file, its small phrase syntax compiled to
// token matchers, and the longest-match scan of a sentence. A cue is words matched case-insensitively on the shared
// tokenizer's tokens, so "w/o" in a rule and in a note split alike. Hand-written: the syntax expands to plain phrases in a dozen lines, matched with a token trie, and a
// spaCy-style matcher library would bring a second tokenizer whose boundaries differ from ours.
import { z } from "zod";
import { describeIssue, MednerError } from "../errors.ts";
import { tokenize } from "../tokenizer.ts";
import type { Token } from "../types.ts";

export const TRAITS = ["negated", "uncertain", "historical", "hypothetical", "family"] as const;
export type TraitName = (typeof TRAITS)[number];
const Trait = z.enum(TRAITS);

/** Per label class (the file's `labelClasses`), the trait a cue sets instead of its own; null: none. */
const As = z.record(z.string(), Trait.nullable());

const Group = z.discriminatedUnion("direction", [
  z.object({ direction: z.enum(["forward", "backward", "bidirectional"]), trait: Trait, cues: z.array(z.string().min(1)), maxScope: z.int().positive().optional(), score: z.number().min(0).max(1).optional(), relationship: z.string().optional(), as: As.optional(), comment: z.string().optional() }).strict(),
  // No traits: ends the scope of every trait.
  z.object({ direction: z.literal("terminate"), traits: z.array(Trait).optional(), cues: z.array(z.string().min(1)) }).strict(),
  z.object({ direction: z.literal("pseudo"), cues: z.array(z.string().min(1)) }).strict(),
]);

export const ContextRulesSchema = z.object({
  name: z.string(),
  version: z.string(),
  notice: z.string(),
  syntax: z.string().optional(),
  scores: z.partialRecord(Trait, z.number().min(0).max(1)),
  /**
   * Entity labels grouped into classes that some cues treat differently: an uncertain drug ("consider tamoxifen") is an
   * undecided plan, so hypothetical; "avoid NSAIDs" negates a drug but makes a condition hypothetical ("to avoid ODS").
   */
  labelClasses: z.record(z.string(), z.array(z.string())).optional(),
  rules: z.array(Group),
});
export type ContextRulesFile = z.infer<typeof ContextRulesSchema>;

/** What a matched cue does: set a trait over a scope, end other cues' scopes, or nothing (pseudo). */
export type CueRole =
  | { kind: "trait"; trait: TraitName; direction: "forward" | "backward" | "bidirectional"; maxScope: number; score: number; relationship?: string; as?: Record<string, TraitName | null> }
  | { kind: "terminate"; traits: readonly TraitName[] }
  | { kind: "pseudo" };

/** A trie over lowercased tokens; a node where a cue ends holds its roles. */
interface Node {
  next: Map<string, Node>;
  roles: CueRole[] | null;
}
const node = (): Node => ({ next: new Map(), roles: null });

const CLASSES = { "<year>": /^(?:18|19|20)\d\d$/, "<num>": /^\d+(?:[.,]\d+)*$/ } as const;
type TokenClass = keyof typeof CLASSES;

/** The plain phrases a cue stands for: every (a|b) choice, with and without each optional word. */
function expand(cue: string): string[][] {
  let phrases: string[][] = [[]];
  // Words are space-separated; a (a|b) group may hold spaces ("(the patient's|pt's)").
  for (const raw of cue.match(/\([^)]*\)\??|[^\s(]+\??/g) ?? []) {
    const optional = raw.length > 1 && raw.endsWith("?");
    const word = optional ? raw.slice(0, -1) : raw;
    const alts = /^\((.+)\)$/.exec(word)?.[1]?.split("|") ?? [word];
    phrases = phrases.flatMap((p) => [...alts.map((a) => [...p, ...a.trim().split(/\s+/)]), ...(optional ? [p] : [])]);
  }
  return phrases;
}

/** A phrase's tokens as cues match them: the shared tokenizer's, lowercased; <year> and <num> stay classes. */
const phraseTokens = (words: readonly string[]) => words.flatMap((w) => (w in CLASSES ? [w] : tokenize(w.toLowerCase()).map((t) => t.text)));

/** A matched cue: tokens `[from, to)` and what it does. */
export interface CueMatch {
  from: number;
  to: number;
  roles: CueRole[];
}

export class CueSet {
  private readonly root = node();
  private readonly classOfLabel = new Map<string, string>();

  constructor(readonly file: ContextRulesFile) {
    for (const [cls, labels] of Object.entries(file.labelClasses ?? {})) for (const l of labels) if (!this.classOfLabel.has(l)) this.classOfLabel.set(l, cls);
    file.rules.forEach((g, gi) => {
      if ("as" in g && g.as) for (const cls of Object.keys(g.as)) if (!file.labelClasses?.[cls]) throw new MednerError("E601", `rules[${gi}].as: no label class "${cls}" in labelClasses`);
      const role: CueRole =
        g.direction === "terminate"
          ? { kind: "terminate", traits: g.traits ?? TRAITS }
          : g.direction === "pseudo"
            ? { kind: "pseudo" }
            : { kind: "trait", trait: g.trait, direction: g.direction, maxScope: g.maxScope ?? Number.POSITIVE_INFINITY, score: g.score ?? file.scores[g.trait] ?? 0.9, ...(g.relationship ? { relationship: g.relationship } : {}), ...(g.as ? { as: g.as } : {}) };
      for (const cue of g.cues)
        for (const words of expand(cue)) {
          const tokens = phraseTokens(words);
          if (!tokens.length) throw new MednerError("E601", `rules[${gi}]: "${cue}" has a choice that leaves no words`);
          let at = this.root;
          for (const t of tokens) {
            let child = at.next.get(t);
            if (!child) at.next.set(t, (child = node()));
            at = child;
          }
          // The same words in several groups are one cue with several roles ("presents with" ends two traits' scopes).
          at.roles = [...(at.roles ?? []), role];
        }
    });
  }

  /** The class of an entity label (labelClasses), or null for labels in none and for spans without a label. */
  classOf(label: string | undefined): string | null {
    return label === undefined ? null : (this.classOfLabel.get(label) ?? null);
  }

  /** Cues in tokens `[from, to)`, left to right, never overlapping; at each position the longest cue wins. */
  scan(lower: readonly string[], from: number, to: number): CueMatch[] {
    const out: CueMatch[] = [];
    let i = from;
    while (i < to) {
      const end = this.longest(this.root, lower, i, to);
      if (end) {
        out.push({ from: i, to: end.to, roles: end.roles });
        i = end.to;
      } else i++;
    }
    return out;
  }

  private longest(at: Node, lower: readonly string[], i: number, to: number): { to: number; roles: CueRole[] } | null {
    if (i >= to) return null;
    let best: { to: number; roles: CueRole[] } | null = null;
    const steps = [at.next.get(lower[i]!), ...(Object.keys(CLASSES) as TokenClass[]).filter((c) => CLASSES[c].test(lower[i]!)).map((c) => at.next.get(c))];
    for (const child of steps) {
      if (!child) continue;
      const deeper = this.longest(child, lower, i + 1, to);
      const here = deeper ?? (child.roles ? { to: i + 1, roles: child.roles } : null);
      if (here && (!best || here.to > best.to)) best = here;
    }
    return best;
  }
}

export function parseContextRules(json: unknown, where: string): CueSet {
  const parsed = ContextRulesSchema.safeParse(json);
  if (!parsed.success) throw new MednerError("E601", describeIssue(parsed.error, where));
  return new CueSet(parsed.data);
}

/** Lowercased token texts, the form cues match. */
export const lowerTokens = (tokens: readonly Token[]) => tokens.map((t) => t.text.toLowerCase());
