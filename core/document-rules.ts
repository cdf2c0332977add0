// Document-level rules applied after decoding: a tagger sees one token window at a time, but a note or an abstract
// names an entity once in full and then abbreviates it or repeats it. Two rules, run on the tagger's own entities:
//
// 1. Abbreviation definitions. A parenthesised short form right after an entity, "angiotensin-converting enzyme
//    inhibitors (ACEi)", defines ACEi as that entity's label when its letters are spelled, in order, by the words
//    before the parenthesis; so does a short form the tagger itself labelled inside the parentheses. Every other occurrence of the short form in the document then gets that label: added where the
//    tagger found nothing, relabelled where the tagger found exactly that span with another label. A later definition
//    overrides an earlier one.
// 2. Label consistency. A string the tagger labelled somewhere in the document (3+ characters, matched case-sensitively
//    so "ALL" the leukaemia never tags "all") is labelled, with its majority label, wherever else it occurs untagged.
//
// Matches start and end on token boundaries of the shared tokenizer, and never overlap an entity already there. An
// added entity carries the score of the entity it was copied from. Hand-written because this is our own decoding step:
// the abbreviation libraries (Schwartz–Hearst, scispaCy's AbbreviationDetector) find pairs of short and long forms,
// not labels; their exact long-form match would reject "heparin (LMWH)", where the tagger found only the head noun of
// "low molecular weight heparin", so only their letter check is kept (docs/benchmarks.md has the comparison).
import type { ScoredEntity } from "./decode.ts";
import { tokenize } from "./tokenizer.ts";

export interface DocumentRulesOptions {
  /**
   * How many preceding texts also count as the document of each text: for corpora split into sentences whose
   * document boundaries were lost (BC5CDR's IOB files). 0 (the default): each text is its own document.
   */
  context?: number;
}

/** A short form: 2–8 letters, digits or hyphens in capitals (a plural "s" allowed), or a mixed-case word with 2+ capitals. */
export function isShortForm(s: string): boolean {
  if (/^[A-Za-z0-9-]{2,8}$/.test(s) && /[A-Z]/.test(s) && s === s.toUpperCase().replace(/S$/, "s")) return true;
  return s.length <= 8 && /^[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*$/.test(s);
}

const SHORT_FORM = /\(\s*([^\s()]+)\s*\)/g;
const MIN_REPEAT_LENGTH = 3;

interface Evidence {
  label: string;
  score: number;
}

/** Short form → label defined in one text, in order of appearance. */
function definitions(text: string, entities: readonly ScoredEntity[]): Array<[string, Evidence]> {
  const out: Array<[string, Evidence]> = [];
  for (const m of text.matchAll(SHORT_FORM)) {
    const short = m[1]!;
    if (!isShortForm(short)) continue;
    const open = m.index;
    const long = entities.find((e) => e.end <= open && /^\s*$/.test(text.slice(e.end, open)) && spelledBefore(text, open, short));
    const inner = entities.find((e) => e.start > open && e.end < open + m[0].length && e.text === short);
    const from = long ?? inner;
    if (from) out.push([short, { label: from.label, score: from.score }]);
  }
  return out;
}

/**
 * Whether the short form's letters appear in order in the words just before the parenthesis (at most min(n + 5, 2n)
 * words for n letters: Schwartz & Hearst's long-form window). "low molecular weight heparin (LMWH)" passes though the
 * tagger found only "heparin"; an allergy's reaction, "carbamazepine (SJS)", does not.
 */
function spelledBefore(text: string, open: number, short: string): boolean {
  const letters = short.toLowerCase().replace(/[^a-z]/g, "");
  const words = text.slice(0, open).split(/\s+/).filter(Boolean);
  const window = words.slice(-Math.min(letters.length + 5, letters.length * 2)).join(" ").toLowerCase();
  let k = 0;
  for (const c of window) if (c === letters[k]) k++;
  return k === letters.length;
}

/** Every token-aligned occurrence of `s` in `text`. */
function occurrences(text: string, s: string, starts: ReadonlySet<number>, ends: ReadonlySet<number>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) if (starts.has(i) && ends.has(i + s.length)) out.push([i, i + s.length]);
  return out;
}

/**
 * Applies both rules to each text's entities (the tagger's output, unchanged) and returns new, sorted lists. Text `i`
 * reads its definitions and labelled strings from texts `i - context … i`.
 */
export function applyDocumentRules(texts: readonly string[], entities: readonly (readonly ScoredEntity[])[], options: DocumentRulesOptions = {}): ScoredEntity[][] {
  const context = Math.max(0, Math.floor(options.context ?? 0));
  const defs = texts.map((t, i) => definitions(t, entities[i]!));
  return texts.map((text, i) => {
    const own = entities[i]!.map((e) => ({ ...e }));
    const lo = Math.max(0, i - context);
    const abbreviations = new Map<string, Evidence>();
    const votes = new Map<string, Map<string, { n: number; score: number }>>();
    for (let j = lo; j <= i; j++) {
      for (const [short, ev] of defs[j]!) abbreviations.set(short, ev);
      for (const e of entities[j]!) {
        if (e.text.length < MIN_REPEAT_LENGTH) continue;
        const byLabel = votes.get(e.text) ?? new Map<string, { n: number; score: number }>();
        const v = byLabel.get(e.label) ?? { n: 0, score: 0 };
        byLabel.set(e.label, { n: v.n + 1, score: Math.max(v.score, e.score) });
        votes.set(e.text, byLabel);
      }
    }
    if (!abbreviations.size && !votes.size) return own;
    const tokens = tokenize(text);
    const starts = new Set(tokens.map((t) => t.start));
    const ends = new Set(tokens.map((t) => t.end));
    const place = (s: string, ev: Evidence, relabel: boolean) => {
      for (const [start, end] of occurrences(text, s, starts, ends)) {
        const over = own.filter((e) => e.start < end && start < e.end);
        if (over.length === 0) own.push({ start, end, label: ev.label, text: s, score: ev.score });
        else if (relabel && over.length === 1 && over[0]!.start === start && over[0]!.end === end) over[0]!.label = ev.label;
      }
    };
    for (const [short, ev] of abbreviations) place(short, ev, true);
    for (const [s, byLabel] of votes) {
      // The majority label; a tie goes to the label seen first.
      let best: [string, { n: number; score: number }] | undefined;
      for (const entry of byLabel) if (!best || entry[1].n > best[1].n) best = entry;
      place(s, { label: best![0], score: best![1].score }, false);
    }
    return own.sort((a, b) => a.start - b.start || a.end - b.end);
  });
}
