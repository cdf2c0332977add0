// The shared NER core: pure TypeScript used unchanged by the trainer and the edge.
export * from "./align.ts";
export * from "./decode.ts";
export * from "./doc-tags.ts";
export * from "./engine.ts";
export * from "./errors.ts";
export * from "./features.ts";
export * from "./hash.ts";
export * from "./labels.ts";
export * from "./manifest.ts";
export * from "./metrics.ts";
export * from "./model-loader.ts";
export * from "./sentences.ts";
export * from "./store-keys.ts";
export * from "./tags.ts";
export * from "./tokenizer.ts";
export * from "./types.ts";
export * from "./viterbi.ts";
