// Builds a BERT WordPiece tokenizer.json from vocab.txt + tokenizer_config.json, for hub repositories that predate
// "fast" tokenizers and ship no tokenizer.json. Mirrors transformers' BertConverter (convert_slow_tokenizer.py).
import { MednerError } from "../../core/errors.ts";

/** A special token in tokenizer_config.json is either a string or an AddedToken object with `content`. */
type TokenSetting = string | { content?: unknown } | null | undefined;

function tokenText(value: TokenSetting, fallback: string): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof value.content === "string") return value.content;
  return fallback;
}

/** vocab.txt → token → id (the line number), later duplicates winning as in transformers' load_vocab. */
export function parseVocab(text: string): Map<string, number> {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((line, id) => vocab.set(line, id));
  return vocab;
}

/** The tokenizer.json that `BertTokenizerFast.from_pretrained` would write for this vocabulary and config. */
export function bertTokenizerJson(vocabText: string, tokenizerConfig: Record<string, unknown>): Record<string, unknown> {
  const vocab = parseVocab(vocabText);
  const special = {
    unk: tokenText(tokenizerConfig.unk_token as TokenSetting, "[UNK]"),
    sep: tokenText(tokenizerConfig.sep_token as TokenSetting, "[SEP]"),
    pad: tokenText(tokenizerConfig.pad_token as TokenSetting, "[PAD]"),
    cls: tokenText(tokenizerConfig.cls_token as TokenSetting, "[CLS]"),
    mask: tokenText(tokenizerConfig.mask_token as TokenSetting, "[MASK]"),
  };
  const idOf = (token: string) => {
    const id = vocab.get(token);
    if (id === undefined) throw new MednerError("E512", `vocab.txt: special token ${token} is not in the vocabulary`);
    return id;
  };
  const cls = idOf(special.cls);
  const sep = idOf(special.sep);
  const addedTokens = [...new Set(Object.values(special))]
    .map((content) => ({ id: idOf(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
    .sort((a, b) => a.id - b.id);
  const typed = (id: string, typeId: number, kind: "SpecialToken" | "Sequence") => ({ [kind]: { id, type_id: typeId } });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: tokenizerConfig.tokenize_chinese_chars ?? true,
      strip_accents: tokenizerConfig.strip_accents ?? null,
      lowercase: tokenizerConfig.do_lower_case ?? true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [typed(special.cls, 0, "SpecialToken"), typed("A", 0, "Sequence"), typed(special.sep, 0, "SpecialToken")],
      pair: [
        typed(special.cls, 0, "SpecialToken"),
        typed("A", 0, "Sequence"),
        typed(special.sep, 0, "SpecialToken"),
        typed("B", 1, "Sequence"),
        typed(special.sep, 1, "SpecialToken"),
      ],
      special_tokens: {
        [special.cls]: { id: special.cls, ids: [cls], tokens: [special.cls] },
        [special.sep]: { id: special.sep, ids: [sep], tokens: [special.sep] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: tokenizerConfig.clean_up_tokenization_spaces ?? true },
    model: {
      type: "WordPiece",
      unk_token: special.unk,
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
}
