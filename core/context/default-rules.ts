// The rules medner ships (models/context/*.json), bundled into every build — CLI, Node server and Worker — so all
// three give the same traits. Their name, version and sha256 go into each answer and each exported manifest.
import rulesJson from "../../models/context/rules.json" with { type: "json" };
import sectionsJson from "../../models/context/sections.json" with { type: "json" };
import { rulesIdOf, type RulesId } from "../rules-id.ts";
import type { ContextRules } from "./context.ts";
import { parseContextRules } from "./cues.ts";
import { parseSectionRules } from "./sections.ts";

let cached: { rules: ContextRules; id: RulesId } | null = null;

function load() {
  cached ??= {
    rules: { cues: parseContextRules(rulesJson, "models/context/rules.json"), sections: parseSectionRules(sectionsJson, "models/context/sections.json") },
    id: rulesIdOf(rulesJson, sectionsJson),
  };
  return cached;
}

/** The shipped rules, parsed and compiled once. */
export const defaultContextRules = (): ContextRules => load().rules;
/** Which rules gave an answer's traits: the cue file's name and version, and the sha256 of both files. */
export const defaultContextRulesId = (): RulesId => load().id;
