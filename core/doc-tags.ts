// One document at a time: text → tokens → the tags a model learns (core/decode.ts turns predicted tags back into spans).
import { alignSpansToTokens, type AlignOptions, type AlignProblem } from "./align.ts";
import { encodeTags, type TagScheme } from "./tags.ts";
import { tokenize } from "./tokenizer.ts";
import type { Doc, Span, Token } from "./types.ts";

export interface TaggedDoc {
  tokens: Token[];
  tags: string[];
  /** The spans that made it into the tags, snapped to token boundaries. */
  spans: Span[];
  problems: AlignProblem[];
}

export function docToTags(doc: Doc, scheme: TagScheme, options: Omit<AlignOptions, "docId"> = {}): TaggedDoc {
  const tokens = tokenize(doc.text);
  const { spans, problems } = alignSpansToTokens(doc.text, tokens, doc.entities, { ...options, docId: doc.id });
  const tags = encodeTags(tokens.length, spans, scheme);
  return { tokens, tags, spans: spans.map(({ start, end, label }) => ({ start, end, label })), problems };
}
