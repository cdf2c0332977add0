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
// added or relabelled short form carries the score of its definition's entity; a repeated string, the best score of
// the entities that gave it its label. Hand-written because this is our own decoding step:
// the abbreviation libraries (Schwartz–Hearst, scispaCy's AbbreviationDetector) find pairs of short and long forms,
// not labels; their exact long-form match would reject "heparin (LMWH)", where the tagger found only the head noun of
// "low molecular weight heparin", so only their letter check is kept (docs/benchmarks.md has the comparison).
import type { ScoredEntity } from "./decode.ts";
import { tokenize } from "./tokenizer.ts";
import type { Token } from "./types.ts";

export interface DocumentRulesOptions {
  /**
   * How many preceding texts also count as the document of each text: for corpora split into sentences whose
   * document boundaries were lost (BC5CDR's IOB files). 0 (the default): each text is its own document.
   */
  context?: number;
}

/**
 * A short form: 2–8 letters, digits or inner hyphens in capitals (a plural "s" allowed), or a mixed-case word with 2+
 * capitals.
 */
export function isShortForm(s: string): boolean {
  const upper = s.toUpperCase();
  if (/^[A-Za-z0-9][A-Za-z0-9-]{0,6}[A-Za-z0-9]$/.test(s) && /[A-Z]/.test(s) && (s === upper || s === upper.replace(/S$/, "s"))) return true;
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
  let byEnd: Map<number, ScoredEntity> | undefined;
  let byStart: Map<number, ScoredEntity> | undefined;
  for (const m of text.matchAll(SHORT_FORM)) {
    const short = m[1]!;
    if (!isShortForm(short)) continue;
    const open = m.index;
    byEnd ??= new Map(entities.map((e) => [e.end, e]));
    byStart ??= new Map(entities.map((e) => [e.start, e]));
    let k = open;
    while (k > 0 && /\s/.test(text[k - 1]!)) k--;
    const before = byEnd.get(k);
    // The words before must spell the short form either way, so a route the tagger took for a drug, "morphine (IV)",
    // defines nothing.
    if (!spelledBefore(text, open, short)) continue;
    const at = byStart.get(open + m[0].indexOf(short));
    const from = before ?? (at?.text === short ? at : undefined);
    if (from) out.push([short, { label: from.label, score: from.score }]);
  }
  return out;
}

const WORD = /[\p{L}\p{M}\p{N}]+|[\s\S]/uy;
/** The word beginning at `i`: a run of letters, marks and digits, or the one character there. */
function wordAt(s: string, i: number): string {
  WORD.lastIndex = i;
  return WORD.exec(s)?.[0] ?? "";
}

/** Where a long form cannot reach past, going back from its parenthesis: a bracket, a clause or sentence end, a line break. */
const LONG_FORM_STOP = /[()[\];:\n]|[.!?](?=\s)/g;
const MAX_LONG_FORM_CHARS = 400;

/**
 * Whether the words just before a parenthesis spell the short form, after Schwartz & Hearst (2003): within the clause
 * and at most min(n + 5, 2n) words back for n letters (punctuation is not a word), the short form's letters appear in
 * order; for a short form of 3 letters or fewer the first letter must also begin a word, as in their algorithm (on
 * longer ones that check only cost recall on BC5CDR). "low molecular weight heparin (LMWH)" passes, though the
 * tagger found only "heparin"; an allergy's reaction, "Allergies: carbamazepine (SJS)", and a route, "morphine (IV)",
 * do not.
 */
function spelledBefore(text: string, open: number, short: string): boolean {
  const letters = short.toLowerCase().replace(/[^a-z]/g, "");
  if (!letters) return false;
  const base = Math.max(0, open - MAX_LONG_FORM_CHARS);
  let from = base;
  for (const m of text.slice(base, open).matchAll(LONG_FORM_STOP)) from = base + m.index + m[0].length;
  const words = text.slice(from, open).split(/\s+/);
  let first = words.length;
  for (let n = 0; first > 0 && n < Math.min(letters.length + 5, letters.length * 2); ) if (/[\p{L}\p{N}]/u.test(words[--first]!)) n++;
  const window = words.slice(first).join(" ").toLowerCase();
  // Backwards from the last letter; with `initial`, the first letter must begin a word.
  const initial = letters.length <= 3;
  let l = window.length - 1;
  for (let k = letters.length - 1; k >= 0; k--) {
    const c = letters[k]!;
    while (l >= 0 && (window[l] !== c || (initial && k === 0 && l > 0 && /[\p{L}\p{N}]/u.test(window[l - 1]!)))) l--;
    if (l < 0) return false;
    l--;
  }
  return true;
}

interface Candidate extends Evidence {
  text: string;
  /** A defined short form also relabels the tagger's entity on exactly its span. */
  relabel: boolean;
}

/**
 * Applies both rules to each text's entities (the tagger's output, unchanged) and returns new, sorted lists. Text `i`
 * reads its definitions and labelled strings from texts `i - context … i`. Longer strings are placed first, so
 * "heart failure exacerbation" is not cut to the "heart failure" inside it; a short form goes before a repeated string
 * of the same length.
 */
export function applyDocumentRules(
  texts: readonly string[],
  entities: readonly (readonly ScoredEntity[])[],
  options: DocumentRulesOptions = {},
  /** Each text's tokens, where the caller has them already (the engines do): tokenized here otherwise. */
  tokenized?: readonly (readonly Token[])[],
): ScoredEntity[][] {
  const context = Number.isFinite(options.context) ? Math.max(0, Math.floor(options.context!)) : 0;
  const defs = texts.map((t, i) => definitions(t, entities[i]!));
  return texts.map((text, i) => {
    const own = entities[i]!.map((e) => ({ ...e }));
    const abbreviations = new Map<string, Evidence>();
    const votes = new Map<string, Map<string, { n: number; score: number }>>();
    for (let j = Math.max(0, i - context); j <= i; j++) {
      for (const [short, ev] of defs[j]!) abbreviations.set(short, ev);
      for (const e of entities[j]!) {
        if (e.text.length < MIN_REPEAT_LENGTH) continue;
        const byLabel = votes.get(e.text) ?? new Map<string, { n: number; score: number }>();
        const v = byLabel.get(e.label) ?? { n: 0, score: 0 };
        byLabel.set(e.label, { n: v.n + 1, score: Math.max(v.score, e.score) });
        votes.set(e.text, byLabel);
      }
    }
    const candidates: Candidate[] = [...abbreviations].map(([s, ev]) => ({ text: s, ...ev, relabel: true }));
    for (const [s, byLabel] of votes) {
      // The majority label; a tie goes to the label seen first.
      let best: [string, { n: number; score: number }] | undefined;
      for (const entry of byLabel) if (!best || entry[1].n > best[1].n) best = entry;
      candidates.push({ text: s, label: best![0], score: best![1].score, relabel: false });
    }
    if (!candidates.length) return own;
    candidates.sort((a, b) => b.text.length - a.text.length || Number(b.relabel) - Number(a.relabel));
    // Token starts by the word that begins there (its letters, marks and digits; or its first character): a candidate
    // is tried only where its own first word begins a token. The key is read from the text, not from a tokenization of
    // the candidate alone, which can differ ("p.o." is one token alone, four in "p.o.BID").
    const tokens = tokenized?.[i] ?? tokenize(text);
    const ends = new Set(tokens.map((t) => t.end));
    const startsBy = new Map<string, number[]>();
    for (const t of tokens) {
      const key = wordAt(text, t.start);
      const list = startsBy.get(key);
      if (list) list.push(t.start);
      else startsBy.set(key, [t.start]);
    }
    // Which entity covers each character (-1: none), so an overlap check costs the length of the match.
    const cover = new Int32Array(text.length).fill(-1);
    const mark = (k: number) => cover.fill(k, own[k]!.start, own[k]!.end);
    own.forEach((_, k) => mark(k));
    for (const c of candidates) {
      for (const a of startsBy.get(wordAt(c.text, 0)) ?? []) {
        const b = a + c.text.length;
        // Taken already: only an exact span can be relabelled. Checked first, so places filled by a longer candidate
        // cost one lookup each.
        const at = cover[a]!;
        if (at >= 0 && !(c.relabel && own[at]!.start === a && own[at]!.end === b)) continue;
        if (!ends.has(b) || !text.startsWith(c.text, a)) continue;
        const hit = cover.subarray(a, b).find((k) => k >= 0);
        if (hit === undefined) {
          own.push({ start: a, end: b, label: c.label, text: c.text, score: c.score });
          mark(own.length - 1);
        } else if (c.relabel && own[hit]!.start === a && own[hit]!.end === b) Object.assign(own[hit]!, { label: c.label, score: c.score });
      }
    }
    return own.sort((a, b) => a.start - b.start || a.end - b.end);
  });
}
