// WordPiece tokenization for BERT-family models with character offsets into the original text, which the entity spans
// (and so everything medner returns) are built from.
//
// Why part of this is hand-written: @huggingface/tokenizers (the kept library) gives ids and token strings but no
// offsets. So the library still does all the string work (its normalizer, pre-tokenizer and WordPiece model, configured
// from tokenizer.json: lowercasing and accent stripping are whatever the file says), and this module only tracks where
// each normalized character came from, the way the Rust `NormalizedString` alignments do: every character a code point
// normalizes into (é → e, İ → i + U+0307) maps back to that code point; removed characters (controls, stripped
// accents) map to nothing, so a piece's span runs from its first to its last surviving character — a trailing
// combining mark is outside the span, as in Rust. A `[UNK]` word covers the whole word.
// Offsets are UTF-16 indices (JS string indices), so `text.slice(start, end)` is the piece; Python's are code points,
// which differ only after astral characters (emoji).
import { Tokenizer } from "@huggingface/tokenizers";
import { z } from "zod";
import { describeIssue } from "../errors.ts";

export interface WordPieceToken {
  id: number;
  /** The vocabulary entry, e.g. "aspirin", "##ing", "[UNK]". */
  token: string;
  start: number;
  end: number;
  /** A continuation piece ("##…") of its word. */
  isSubword: boolean;
  /** Index of the pre-tokenized word (whitespace/punctuation split) the piece belongs to. */
  wordIndex: number;
}

const AddedTokenSchema = z.object({ id: z.int(), content: z.string().min(1), lstrip: z.boolean().optional(), rstrip: z.boolean().optional(), normalized: z.boolean().optional() });
const SpecialRef = z.object({ SpecialToken: z.object({ id: z.string() }) });
const TokenizerJsonSchema = z.object({
  added_tokens: z.array(AddedTokenSchema),
  normalizer: z.object({ type: z.literal("BertNormalizer") }).loose().nullable(),
  pre_tokenizer: z.object({ type: z.literal("BertPreTokenizer") }).loose(),
  model: z.object({ type: z.literal("WordPiece"), unk_token: z.string(), continuing_subword_prefix: z.string().min(1) }).loose(),
  post_processor: z.union([
    z.object({ type: z.literal("BertProcessing"), cls: z.tuple([z.string(), z.int()]), sep: z.tuple([z.string(), z.int()]) }),
    z.object({
      type: z.literal("TemplateProcessing"),
      single: z.tuple([SpecialRef, z.object({ Sequence: z.object({ id: z.literal("A") }) }), SpecialRef]),
      special_tokens: z.record(z.string(), z.object({ ids: z.array(z.int()).length(1) })),
    }),
  ]),
});
const TokenizerConfigSchema = z.object({ pad_token: z.string().optional(), remove_space: z.literal(false).optional(), do_lowercase_and_remove_accent: z.literal(false).optional() }).loose();

type AddedToken = z.infer<typeof AddedTokenSchema>;

/**
 * CJK ideographs above U+FFFF, as the Rust BertNormalizer lists them (0x2B920, not BERT's original 0x2B820, starts the
 * fourth range: checked against tokenizers 0.23.2). The library tests UTF-16 units, so it never pads these.
 */
const ASTRAL_CJK = /[\u{20000}-\u{2A6DF}\u{2A700}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/gu;

/** Bounds on the per-instance memo tables (a long-lived isolate sees many notes). */
const CHAR_CACHE_LIMIT = 1 << 16;
const WORD_CACHE_LIMIT = 1 << 15;

export class WordPieceTokenizer {
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  private readonly lib: Tokenizer;
  private readonly prefix: string;
  private readonly unkToken: string;
  private readonly added: AddedToken[];
  private readonly charCache = new Map<string, number>();
  /** The normalizer lowercases Σ (an uncased model): see tokenizeSection. */
  private readonly sigmaToLower: boolean;
  /** The normalizer pads CJK ideographs with spaces (handle_chinese_chars): see normalize. */
  private readonly padsCjk: boolean;
  private readonly wordCache = new Map<string, string[]>();

  /** Throws with a "tokenizer.json: path: problem" message for tokenizers this module cannot give offsets for. */
  constructor(tokenizerJson: unknown, tokenizerConfig: unknown) {
    const json = TokenizerJsonSchema.safeParse(tokenizerJson);
    if (!json.success) throw new Error(describeIssue(json.error, "tokenizer.json"));
    const config = TokenizerConfigSchema.safeParse(tokenizerConfig);
    if (!config.success) throw new Error(describeIssue(config.error, "tokenizer_config.json"));
    const normalizedAdded = json.data.added_tokens.find((t) => t.normalized === true);
    if (normalizedAdded) throw new Error(`tokenizer.json: added token ${normalizedAdded.content} is normalized; only unnormalized added tokens are supported`);
    this.lib = new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
    this.prefix = json.data.model.continuing_subword_prefix;
    this.unkToken = json.data.model.unk_token;
    this.added = json.data.added_tokens;
    this.sigmaToLower = this.lib.normalizer?.("Σ") === "σ";
    this.padsCjk = this.lib.normalizer?.("\u4e00") === " \u4e00 ";
    const idOf = (token: string, what: string) => {
      const id = this.lib.token_to_id(token);
      if (id === undefined) throw new Error(`tokenizer.json: the ${what} token ${token} is not in the vocabulary`);
      return id;
    };
    this.unkId = idOf(this.unkToken, "unknown");
    const pp = json.data.post_processor;
    if (pp.type === "BertProcessing") {
      this.clsId = pp.cls[1];
      this.sepId = pp.sep[1];
    } else {
      const ids = (ref: z.infer<typeof SpecialRef>) => pp.special_tokens[ref.SpecialToken.id]?.ids[0] ?? idOf(ref.SpecialToken.id, "special");
      this.clsId = ids(pp.single[0]);
      this.sepId = ids(pp.single[2]);
    }
    this.padId = this.lib.token_to_id(config.data.pad_token ?? "[PAD]") ?? 0;
  }

  /** The pieces of `text` without [CLS]/[SEP]; their ids equal the library's `encode(text).ids` between those two. */
  tokenize(text: string): WordPieceToken[] {
    const out: WordPieceToken[] = [];
    const word = { index: 0 };
    for (const s of this.sections(text)) {
      if (s.added) out.push({ id: s.added.id, token: s.added.content, start: s.start, end: s.end, isSubword: false, wordIndex: word.index++ });
      else if (s.end > s.start) this.tokenizeSection(text, s.start, s.end, out, word);
    }
    return out;
  }

  /** Python's `convert_tokens_to_string`: the tokenizer's decoder (WordPiece: glue "##" pieces, clean up spaces). */
  tokensToString(tokens: string[]): string {
    return this.lib.decoder ? this.lib.decoder(tokens) : tokens.join(" ");
  }

  /**
   * Splits on added tokens ([CLS], [MASK], … written in the text) exactly as the library does: longest match first,
   * then lstrip/rstrip trim whitespace off the neighbouring sections.
   */
  private sections(text: string): { start: number; end: number; added?: AddedToken }[] {
    const out: { start: number; end: number; added?: AddedToken }[] = [];
    let from = 0;
    for (let i = 0; i < text.length; ) {
      let match: AddedToken | undefined;
      for (const t of this.added) if ((!match || t.content.length > match.content.length) && text.startsWith(t.content, i)) match = t;
      if (!match) {
        i++;
        continue;
      }
      if (i > from) out.push({ start: from, end: i });
      out.push({ start: i, end: i + match.content.length, added: match });
      i += match.content.length;
      from = i;
    }
    if (from < text.length) out.push({ start: from, end: text.length });
    out.forEach((s, k) => {
      const prev = out[k - 1];
      const next = out[k + 1];
      if (s.added?.lstrip && prev && !prev.added) while (prev.end > prev.start && /\s/.test(text[prev.end - 1]!)) prev.end--;
      if (s.added?.rstrip && next && !next.added) while (next.start < next.end && /\s/.test(text[next.start]!)) next.start++;
    });
    return out;
  }

  private tokenizeSection(text: string, start: number, end: number, out: WordPieceToken[], word: { index: number }): void {
    // The Rust tokenizers lowercase one character at a time (NormalizedString::lowercase), so Σ is always σ there; the
    // library's String.toLowerCase applies Unicode's Final_Sigma rule and gives ς at a word's end. Σ → σ first, where
    // this normalizer lowercases, keeps the ids Python gets; both are one UTF-16 unit, so offsets are unchanged.
    const raw = this.sigmaToLower ? text.slice(start, end).replaceAll("Σ", "σ") : text.slice(start, end);
    // Otherwise the library's output for the whole section is the truth, and per-code-point normalization only
    // supplies how many characters each original code point became.
    const content = this.normalize(raw);
    if (content.length === 0) return;
    const from = new Int32Array(content.length);
    const to = new Int32Array(content.length);
    let k = 0;
    for (let i = start; i < end; ) {
      const width = (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
      const n = this.normalizedLength(text.slice(i, i + width));
      for (let j = 0; j < n && k < content.length; j++, k++) {
        from[k] = i;
        to[k] = i + width;
      }
      i += width;
    }
    if (k !== content.length) throw new Error(`wordpiece: normalizer alignment failed (${k} of ${content.length} characters placed)`);
    const span = (a: number, b: number) => ({ start: from[a]!, end: to[b - 1]! });
    let cursor = 0;
    for (const w of this.lib.pre_tokenizer ? this.lib.pre_tokenizer(content) : [content]) {
      // Pre-tokens are matches of the library's split pattern in order, with only whitespace between them.
      const at = content.indexOf(w, cursor);
      if (at < 0) throw new Error(`wordpiece: pre-token ${JSON.stringify(w)} not found in the normalized text`);
      cursor = at + w.length;
      const pieces = this.pieces(w);
      if (pieces.length === 1) {
        out.push({ id: this.idOf(pieces[0]!), token: pieces[0]!, ...span(at, cursor), isSubword: false, wordIndex: word.index++ });
        continue;
      }
      let p = at;
      pieces.forEach((piece, i) => {
        const len = i === 0 ? piece.length : piece.length - this.prefix.length;
        out.push({ id: this.idOf(piece), token: piece, ...span(p, p + len), isSubword: i > 0, wordIndex: word.index });
        p += len;
      });
      if (p !== cursor) throw new Error(`wordpiece: pieces of ${JSON.stringify(w)} do not add up to the word`);
      word.index++;
    }
  }

  private normalizedLength(ch: string): number {
    let n = this.charCache.get(ch);
    if (n === undefined) {
      n = this.normalize(ch).length;
      if (this.charCache.size >= CHAR_CACHE_LIMIT) this.charCache.clear();
      this.charCache.set(ch, n);
    }
    return n;
  }

  /**
   * The library's normalizer, plus what Rust's does and it misses: an ideograph above U+FFFF becomes a word of its own
   * (the library pads only those in the BMP). Padding first is what Rust does too: it pads before lowercasing and
   * stripping accents, and cleaning the text leaves ideographs and spaces alone.
   */
  private normalize(s: string): string {
    if (!this.lib.normalizer) return s;
    return this.lib.normalizer(this.padsCjk ? s.replace(ASTRAL_CJK, " $& ") : s);
  }

  private pieces(word: string): string[] {
    let pieces = this.wordCache.get(word);
    if (!pieces) {
      pieces = this.lib.model ? this.lib.model([word]) : [word];
      if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
      this.wordCache.set(word, pieces);
    }
    return pieces;
  }

  private idOf(token: string): number {
    return this.lib.token_to_id(token) ?? this.unkId;
  }
}
