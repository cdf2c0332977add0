// The token view the sig grammar reads and the phrase tries its tables compile to. Tokens are the shared tokenizer's,
// except that a glued q6h / q4-6h / x7d is read as its parts (q 6 h), so "q6h", "q 6 h" and "every 6 hours" meet one
// phrase. Hand-written, like core/context/cues.ts: a trie with a number slot is a few dozen lines, and a matcher library
// would bring its own tokenizer with other boundaries.
import { tokenize } from "../tokenizer.ts";
import type { Token } from "../types.ts";

/** A token as the grammar reads it: `text === note.slice(start, end)`, `lower` its lowercase. */
export interface SigToken {
  text: string;
  lower: string;
  start: number;
  end: number;
}

const GLUED = /^([qx×])(\d+(?:\.\d+)?)(?:([-–])(\d+(?:\.\d+)?))?(\p{L}*)$/iu;

/** A shared token, split into its parts when it is a glued q6h / q4-6h / x7d. */
export function sigParts(t: Token): SigToken[] {
  const m = GLUED.exec(t.text);
  const parts = m ? m.slice(1).filter((p): p is string => !!p) : [t.text];
  let at = t.start;
  return parts.map((p) => {
    const tok = { text: p, lower: p.toLowerCase(), start: at, end: at + p.length };
    at += p.length;
    return tok;
  });
}

/** The number slot of a phrase. */
export const NUM = "<n>";

/** A number read from tokens `[i, end)`: one value, or a range low–high. */
export interface NumberMatch {
  end: number;
  low: number;
  high?: number;
}
export type NumberReader = (toks: readonly SigToken[], i: number, to: number) => NumberMatch | null;

// A group is (a|b) or an optional (a)?; any other run of non-spaces is a word, so "tablet(s)" is a word.
const ITEM = /\([^()]*\)\?|\([^()]*\|[^()]*\)|\S+/g;

/** The plain word lists a phrase stands for: every (a|b) choice, with and without each optional item. */
export function expandPhrase(phrase: string): string[][] {
  let out: string[][] = [[]];
  for (const raw of phrase.match(ITEM) ?? []) {
    const optional = raw.length > 1 && raw.endsWith("?");
    const item = optional ? raw.slice(0, -1) : raw;
    const alts = item.startsWith("(") && item.endsWith(")") ? item.slice(1, -1).split("|") : [item];
    out = out.flatMap((words) => [...alts.map((a) => [...words, ...a.trim().split(/\s+/).filter(Boolean)]), ...(optional ? [words] : [])]);
  }
  return out;
}

/** The trie keys of a word list: lowercased sig tokens; "=X" keeps X's case; <n> stays a slot. */
export function phraseKeys(words: readonly string[]): string[] {
  return words.flatMap((w) => {
    if (w === NUM) return [NUM];
    const exact = w.startsWith("=") && w.length > 1;
    const toks = tokenize(exact ? w.slice(1) : w.toLowerCase()).flatMap(sigParts);
    return toks.map((t) => (exact ? `=${t.text}` : t.lower));
  });
}

interface Node<T> {
  next: Map<string, Node<T>>;
  out: T | null;
}

export interface PhraseMatch<T> {
  end: number;
  value: T;
  num: NumberMatch | null;
}

export class PhraseTrie<T> {
  private readonly root: Node<T> = { next: new Map(), out: null };
  /** Whether any phrase has an exact-case word; without one, the walk skips building "=" keys. */
  private exact = false;

  /** Adds every expansion of `phrase`; false when one of them is already there (the caller reports the clash). */
  add(phrase: string, value: T): boolean {
    for (const words of expandPhrase(phrase)) {
      let at = this.root;
      for (const key of phraseKeys(words)) {
        if (key.startsWith("=")) this.exact = true;
        let child = at.next.get(key);
        if (!child) at.next.set(key, (child = { next: new Map(), out: null }));
        at = child;
      }
      if (at === this.root || at.out !== null) return false;
      at.out = value;
    }
    return true;
  }

  /** The longest phrase starting at token `i` and ending by `to`. */
  match(toks: readonly SigToken[], i: number, to: number, readNumber: NumberReader): PhraseMatch<T> | null {
    return this.walk(this.root, toks, i, to, readNumber, null);
  }

  // Runs at every token of every sentence with a drug, so it allocates nothing on the way to "no match here".
  private walk(at: Node<T>, toks: readonly SigToken[], i: number, to: number, readNumber: NumberReader, num: NumberMatch | null): PhraseMatch<T> | null {
    let best: PhraseMatch<T> | null = at.out !== null && at !== this.root ? { end: i, value: at.out, num } : null;
    if (i >= to) return best;
    const tok = toks[i]!;
    const lower = at.next.get(tok.lower);
    let m = lower ? this.walk(lower, toks, i + 1, to, readNumber, num) : null;
    if (m && (!best || m.end > best.end)) best = m;
    const exact = this.exact ? at.next.get(`=${tok.text}`) : undefined;
    m = exact ? this.walk(exact, toks, i + 1, to, readNumber, num) : null;
    if (m && (!best || m.end > best.end)) best = m;
    const slot = at.next.get(NUM);
    const n = slot ? readNumber(toks, i, to) : null;
    m = n ? this.walk(slot!, toks, n.end, to, readNumber, n) : null;
    if (m && (!best || m.end > best.end)) best = m;
    return best;
  }
}
