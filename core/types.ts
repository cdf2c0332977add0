// The shapes every part of medner agrees on: character spans, tokens and annotated documents.

/** A labelled character range `[start, end)` in UTF-16 code units, as `String.prototype.slice` counts. */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** A token: `text.slice(start, end) === token.text`. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

/** An annotated document as the corpus readers produce it. */
export interface Doc {
  id: string;
  text: string;
  entities: Span[];
  /** Sentence ranges when the source format fixes them (CoNLL); otherwise found by `splitSentences`. */
  sentences?: Array<[number, number]>;
  /** Free-form metadata carried through conversion (e.g. the note type). */
  meta?: Record<string, string>;
}

/** An entity as the service answers it: the exact text, a score in [0, 1] and the model that found it. */
export interface SourcedEntity extends Span {
  text: string;
  score: number;
  source: string;
}
