// Medication attributes linked to their drug: the sig grammar, the extractor, its scores and the FHIR dosage mapping.
export * from "./attributes.ts";
export * from "./default-rules.ts";
export * from "./evaluate.ts";
export * from "./fhir-dosage.ts";
export * from "./rules.ts";
export * from "./types.ts";
