// The benchmark notes: real clinical text from the bundled dev split (then the train split, for long notes), cut to an
// exact WordPiece length.
import { readFileSync } from "node:fs";
import type { WordPieceTokenizer } from "../../core/transformer/index.ts";

/** A note of exactly `tokens` WordPiece tokens ([CLS] and [SEP] included), cut at a word from the clinical notes. */
export function noteOfTokens(tokenizer: WordPieceTokenizer, tokens: number): string {
  const docs = ["dev", "train"].flatMap((split) => JSON.parse(readFileSync(`data/clinical-notes/${split}.json`, "utf8")) as Array<{ text: string }>);
  const all = docs.map((d) => d.text).join("\n\n");
  const pieces = tokenizer.tokenize(all);
  if (pieces.length < tokens) throw new Error(`the dev notes have only ${pieces.length} tokens`);
  let n = tokens - 2;
  // Do not end inside a word: back off to the last piece that starts one.
  while (n > 0 && pieces[n]?.isSubword) n--;
  return all.slice(0, pieces[n - 1]!.end);
}

