// Offset-exact tokenizer for clinical English: every token is a `[start, end)` slice of the input, whitespace is never
// inside a token, and every non-whitespace character belongs to exactly one token.
// Hand-written because no kept library gives spaCy-like clinical rules (500mg → 500 mg, b.i.d., q6h) with exact
// UTF-16 offsets in both Node and workerd; the rules are one sticky regex, tried in order at each token start.
import type { Token } from "./types.ts";

/** Titles whose trailing dot belongs to the word; sentence-final words like "No." are left out on purpose. */
const TITLES = ["Dr", "Drs", "Mr", "Mrs", "Ms", "Prof", "vs", "etc", "approx", "Jr", "Sr", "Pt", "pt", "St"];

const MARKS = String.raw`[\p{M}\p{Emoji_Modifier}]*`;
const RULES = [
  // Dotted abbreviations: b.i.d., q.d., p.o., e.g., U.S. Bounded, so a long run of "a.a.a." costs linear time.
  String.raw`(?:\p{L}\.){2,10}(?!\p{L})`,
  // Titles keep their dot: Dr., Mrs., vs.
  String.raw`(?:${TITLES.join("|")})\.(?![\p{L}\p{Nd}])`,
  // Numbers with decimals or thousands (2.5, 1,000); an ordinal suffix stays (2nd); units split off (500mg → 500 mg).
  String.raw`\p{Nd}+(?:[.,]\p{Nd}+)*(?:(?:st|nd|rd|th)(?![\p{L}\p{Nd}]))?`,
  // Words: letters (with marks), digits after the first letter (q6h, DM2, HbA1c), inner hyphens (non-small-cell, COVID-19).
  String.raw`[\p{L}\p{M}](?:[\p{L}\p{M}\p{Nd}]|-(?=[\p{L}\p{Nd}]))*`,
  // Anything else is one symbol: a code point with its combining marks, or a ZWJ emoji sequence.
  String.raw`[^\s]${MARKS}(?:\u200D[^\s]${MARKS})*`,
];
const TOKEN = new RegExp(RULES.map((r) => `(?:${r})`).join("|"), "uy");
const SPACE = /\s+/uy;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    SPACE.lastIndex = i;
    if (SPACE.test(text)) {
      i = SPACE.lastIndex;
      continue;
    }
    TOKEN.lastIndex = i;
    const match = TOKEN.exec(text);
    // The last rule matches any non-space code point, so a match always exists here.
    const end = match ? TOKEN.lastIndex : i + 1;
    tokens.push({ text: text.slice(i, end), start: i, end });
    i = end;
  }
  return tokens;
}
