// Sentence boundaries for clinical text: a line break always ends a sentence (notes are line-oriented: lists,
// headers, vitals), and ".", "!" or "?" ends one when the next token starts a new sentence.
import type { Token } from "./types.ts";

const TERMINAL = new Set([".", "!", "?"]);
const CLOSERS = new Set([")", "]", '"', "'", "”", "’"]);
const STARTS_SENTENCE = /^[\p{Lu}\p{Nd}"'(\[“‘]/u;

/** Token index ranges `[from, to)` of each sentence. */
export function splitSentences(text: string, tokens: Token[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const next = tokens[i + 1];
    if (!next) break;
    const lineBreak = /[\n\r\u2028\u2029]/u.test(text.slice(tok.end, next.start));
    let end = lineBreak;
    // "1." opening a list line is a list marker, not a sentence.
    const listMarker = i === from + 1 && /^\p{Nd}+$/u.test(tokens[from]!.text);
    if (!end && TERMINAL.has(tok.text) && !listMarker) {
      // Closing quotes and brackets stay with the sentence they close.
      let j = i + 1;
      while (tokens[j] && CLOSERS.has(tokens[j]!.text) && tokens[j]!.start === tokens[j - 1]!.end) j++;
      const after = tokens[j];
      if (after && STARTS_SENTENCE.test(after.text) && after.start > tokens[j - 1]!.end) {
        i = j - 1;
        end = true;
      }
    }
    if (end) {
      out.push([from, i + 1]);
      from = i + 1;
    }
  }
  if (from < tokens.length) out.push([from, tokens.length]);
  return out;
}

/** Character ranges `[start, end)` of each sentence, from the first to the last token's character. */
export function sentenceCharRanges(text: string, tokens: Token[]): Array<[number, number]> {
  return splitSentences(text, tokens).map(([a, b]) => [tokens[a]!.start, tokens[b - 1]!.end]);
}
