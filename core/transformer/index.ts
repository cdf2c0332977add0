// Transformer (DistilBERT) inference in pure TypeScript: the folder manifest, WordPiece with offsets, windows for
// long notes, Python-pipeline aggregation, medner's labels for the entity types, the engine and its loader.
export * from "./aggregation.ts";
export * from "./canonical.ts";
export * from "./engine.ts";
export * from "./loader.ts";
export * from "./manifest.ts";
export * from "./windows.ts";
export * from "./wordpiece.ts";
