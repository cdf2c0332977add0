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

/** A medication attribute as a corpus annotates it (core/medication has the types and values). */
export interface GoldAttribute {
  type: string;
  start: number;
  end: number;
  value?: unknown;
}

/** A gold entity: a span, and what the note says about it when the corpus annotates that. */
export interface AnnotatedSpan extends Span {
  /** Context traits (core/context): empty or absent means affirmed, present, about the patient. */
  traits?: string[];
  /** A MEDICATION's attributes (strength, dose, route…). */
  attributes?: GoldAttribute[];
}

/** An annotated document as the corpus readers produce it. */
export interface Doc {
  id: string;
  text: string;
  entities: AnnotatedSpan[];
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
  /** Transformer with aggregation "none" only: the model's tag for the piece and its input index (core/decode.ts). */
  tag?: string;
  index?: number;
}
