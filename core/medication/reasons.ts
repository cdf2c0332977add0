// REASON: the indication after prn / as needed (+ for) or after a "for" that follows a drug — the DISEASE entity named
// there (its value links to it), or else a few condition words, cut at punctuation, stop words and other attributes.
import { scoreOf, type MedicationRules } from "./rules.ts";
import type { Candidate, Sentence, Wall } from "./scan.ts";

const WORD = /^\p{L}[\p{L}\p{N}'’-]*$/u;

/** The condition words a reason trigger points at, from token `i`: an entity that starts there, or plain words. */
function reasonAt(r: MedicationRules, s: Sentence, i: number, taken: readonly boolean[]): Candidate | null {
  const { stopwords, joiners, modifiers, comparators } = r.reason;
  const maxTokens = r.grammar.reason.maxTokens;
  const free = (k: number) => k < s.to && !taken[k - s.from] && !s.wall[k];
  // "severe pain", "moderate to severe pain": the severity is not the condition.
  while (free(i) && (modifiers.has(s.toks[i]!.lower) || (i > s.from && modifiers.has(s.toks[i - 1]!.lower) && ["to", "-", "/"].includes(s.toks[i]!.lower) && free(i + 1) && modifiers.has(s.toks[i + 1]!.lower)))) i++;
  let last = -1;
  let named: Wall | null = null;
  for (let j = i, words = 0; j < s.to && words < maxTokens && !taken[j - s.from] && !(j > i && s.cut[j]); ) {
    const t = s.toks[j]!;
    const wall = s.wall[j];
    if (wall) {
      // A drug ends the reason; a disease or symptom entity is taken whole, if it starts here.
      if (wall.label === "MEDICATION" || wall.start < t.start) break;
      named = wall;
      const first = j;
      while (j < s.to && s.wall[j] === wall && !(j > first && s.cut[j])) j++;
      last = j - 1;
      break;
    }
    if (WORD.test(t.text) && !stopwords.has(t.lower)) {
      last = j++;
      words++;
    } else if (last === j - 1 && comparators.has(t.lower)) {
      // "CIWA > 10", "SBP>180": a threshold ends the reason, number included.
      let k = j;
      while (free(k) && comparators.has(s.toks[k]!.lower)) k++;
      let end = k;
      while (free(end) && !(end > k && s.cut[end])) end++;
      const n = r.readNumber(s.toks, k, end);
      if (n) last = n.end - 1;
      break;
    } else if (last === j - 1 && joiners.has(t.lower) && s.toks[j + 1] && WORD.test(s.toks[j + 1]!.text) && !stopwords.has(s.toks[j + 1]!.lower)) j++;
    else break;
  }
  if (last < 0) return null;
  const disease = named?.label === "DISEASE" ? named : null;
  return { type: "REASON", from: i, to: last + 1, value: disease ? { condition: { start: disease.start, end: disease.end } } : null, score: scoreOf(r, disease ? "REASON" : "reasonUnlinked") };
}

/** Adds a REASON after each prn (+ for) and after each free "for" that follows a drug, unless a hold word precedes it. */
export function withReasons(r: MedicationRules, s: Sentence, found: Candidate[]): Candidate[] {
  // taken[k - s.from]: token k is already some candidate's.
  const taken = new Array<boolean>(s.to - s.from).fill(false);
  for (const c of found) for (let k = c.from; k < c.to; k++) taken[k - s.from] = true;
  const starts = new Set<number>();
  for (const c of found) if (c.type === "AS_NEEDED") starts.add(c.to < s.to && r.reason.triggers.has(s.toks[c.to]!.lower) ? c.to + 1 : c.to);
  let drugSeen = false;
  for (let k = s.from; k < s.to; k++) {
    if (s.wall[k]?.label === "MEDICATION") drugSeen = true;
    if (!drugSeen || taken[k - s.from] || s.wall[k] || !r.reason.triggers.has(s.toks[k]!.lower)) continue;
    // "hold for SBP < 100", "held for AKI": a hold parameter, not what the drug is for.
    if (![k - 1, k - 2].some((b) => b >= s.from && r.reason.blockers.has(s.toks[b]!.lower))) starts.add(k + 1);
  }
  const reasons = [...starts].flatMap((k) => {
    const c = k < s.to ? reasonAt(r, s, k, taken) : null;
    if (c) for (let j = c.from; j < c.to; j++) taken[j - s.from] = true;
    return c ? [c] : [];
  });
  return [...found, ...reasons].sort((a, b) => a.from - b.from);
}
