// A WordPiece vocabulary for generated models, laid out like bert-base-uncased's ([PAD] 0, [UNK] 100, [CLS] 101,
// [SEP] 102, [MASK] 103; characters and ##characters; then words and word pieces by frequency), drawn from the bundled
// clinical notes so generated models split clinical text the way a real biomedical vocabulary roughly would.
// Deterministic: the same corpus and size give the same vocabulary.
import { readFileSync } from "node:fs";
import { bertTokenizerJson } from "./tokenizer-from-vocab.ts";

const SPECIAL = { pad: "[PAD]", unk: "[UNK]", cls: "[CLS]", sep: "[SEP]", mask: "[MASK]" };

/** BERT's basic tokenization of a corpus: lowercase, accents stripped, split at whitespace and punctuation. */
function basicWords(text: string): string[] {
  const norm = text.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "");
  return norm.split(/\s+/u).flatMap((w) => w.split(/([\p{P}\p{S}])/u)).filter((w) => w.length > 0);
}

function byFrequency(items: Iterable<string>): string[] {
  const counts = new Map<string, number>();
  for (const x of items) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([x]) => x);
}

/** `size` tokens, in id order. */
export function buildVocab(corpusTexts: readonly string[], size: number): string[] {
  const vocab: string[] = [SPECIAL.pad, ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), SPECIAL.unk, SPECIAL.cls, SPECIAL.sep, SPECIAL.mask];
  const seen = new Set(vocab);
  const add = (t: string) => {
    if (vocab.length < size && !seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  };
  const words = corpusTexts.flatMap(basicWords);
  const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== " " && c.toLowerCase() === c);
  const chars = [...new Set([...ascii, ...byFrequency(words.flatMap((w) => [...w]))])];
  for (const c of chars) add(c);
  for (const c of chars) if (/\p{L}|\p{N}/u.test(c)) add(`##${c}`);
  const frequentWords = byFrequency(words.filter((w) => w.length > 1));
  // Word pieces: stems and endings the corpus repeats (pharmacology and anatomy share many).
  const pieces = byFrequency(words.filter((w) => w.length > 4).flatMap((w) => [w.slice(0, 3), w.slice(0, 4), `##${w.slice(-3)}`, `##${w.slice(-4)}`, `##${w.slice(3, -3)}`]));
  for (let i = 0; vocab.length < size && (i < frequentWords.length || i < pieces.length); i++) {
    if (i < frequentWords.length) add(frequentWords[i]!);
    if (i < pieces.length && pieces[i] !== "##") add(pieces[i]!);
  }
  for (let i = 99; vocab.length < size; i++) add(`[unused${i}]`);
  return vocab;
}

/** The bundled clinical notes' texts (train and dev): the corpus generated vocabularies are drawn from. */
export function clinicalTexts(): string[] {
  return ["train", "dev"].flatMap((split) => (JSON.parse(readFileSync(new URL(`../../data/clinical-notes/${split}.json`, import.meta.url), "utf8")) as Array<{ text: string }>).map((d) => d.text));
}

export const TOKENIZER_CONFIG = {
  tokenizer_class: "DistilBertTokenizer",
  do_lower_case: true,
  strip_accents: null,
  tokenize_chinese_chars: true,
  model_max_length: 512,
  clean_up_tokenization_spaces: true,
  unk_token: SPECIAL.unk,
  sep_token: SPECIAL.sep,
  pad_token: SPECIAL.pad,
  cls_token: SPECIAL.cls,
  mask_token: SPECIAL.mask,
};

/** tokenizer.json and tokenizer_config.json for a vocabulary, as BertTokenizerFast would save them. */
export function tokenizerFiles(vocab: readonly string[]) {
  return { tokenizerJson: bertTokenizerJson(`${vocab.join("\n")}\n`, TOKENIZER_CONFIG), tokenizerConfig: { ...TOKENIZER_CONFIG } };
}
