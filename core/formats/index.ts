// Entities in the shapes our users' ecosystems read: Hugging Face, spaCy/displaCy, FHIR R4.
export * from "./fhir.ts";
export * from "./hf.ts";
export * from "./offsets.ts";
export * from "./spacy.ts";
