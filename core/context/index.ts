// Clinical context: traits of entities (negated, uncertain, historical, hypothetical, family) and note sections.
export * from "./context.ts";
export * from "./cues.ts";
export * from "./default-rules.ts";
export * from "./sections.ts";
export * from "./evaluate.ts";
