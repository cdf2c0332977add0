// The shared NER core: pure TypeScript used unchanged by the trainer and the edge.
export * from "./align.ts";
export * from "./doc-tags.ts";
export * from "./errors.ts";
export * from "./features.ts";
export * from "./hash.ts";
export * from "./labels.ts";
export * from "./metrics.ts";
export * from "./sentences.ts";
export * from "./tags.ts";
export * from "./tokenizer.ts";
export * from "./types.ts";
export * from "./viterbi.ts";
