// The medication grammar medner ships (models/medication/*.json), bundled into every build — CLI, Node server and
// Worker — so all three find the same attributes. Its name, version and sha256 go into answers and manifests.
import conceptsJson from "../../models/medication/concepts.json" with { type: "json" };
import grammarJson from "../../models/medication/grammar.json" with { type: "json" };
import { rulesIdOf, type RulesId } from "../rules-id.ts";
import { parseMedicationRules, type MedicationRules } from "./rules.ts";

let cached: { rules: MedicationRules; id: RulesId } | null = null;

function load() {
  cached ??= {
    rules: parseMedicationRules(grammarJson, conceptsJson, { grammar: "models/medication/grammar.json", concepts: "models/medication/concepts.json" }),
    id: rulesIdOf(grammarJson, conceptsJson),
  };
  return cached;
}

/** The shipped grammar, parsed and compiled once. */
export const defaultMedicationRules = (): MedicationRules => load().rules;
/** Which grammar gave an answer's attributes: the grammar file's name and version, and the sha256 of both files. */
export const defaultMedicationRulesId = (): RulesId => load().id;
