// The medication grammar medner ships (models/medication/*.json), bundled into every build — CLI, Node server and
// Worker — so all three find the same attributes. Its name, version and sha256 go into answers and manifests.
import conceptsJson from "../../models/medication/concepts.json" with { type: "json" };
import grammarJson from "../../models/medication/grammar.json" with { type: "json" };
import { sha256HexSync } from "../sha256.ts";
import { parseMedicationRules, type MedicationRules } from "./rules.ts";

/** Which grammar gave an answer's attributes: the grammar file's name and version, and the sha256 of both files' JSON. */
export interface MedicationRulesId {
  name: string;
  version: string;
  sha256: string;
}

let cached: { rules: MedicationRules; id: MedicationRulesId } | null = null;

function load() {
  // The hash is of the parsed JSON re-serialized, so it is the same however the bundler embeds the files.
  cached ??= {
    rules: parseMedicationRules(grammarJson, conceptsJson, { grammar: "models/medication/grammar.json", concepts: "models/medication/concepts.json" }),
    id: { name: grammarJson.name, version: grammarJson.version, sha256: sha256HexSync(new TextEncoder().encode(JSON.stringify([grammarJson, conceptsJson]))) },
  };
  return cached;
}

/** The shipped grammar, parsed and compiled once. */
export const defaultMedicationRules = (): MedicationRules => load().rules;
export const defaultMedicationRulesId = (): MedicationRulesId => load().id;
