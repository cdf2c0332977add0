// The rules medner ships (models/context/*.json), bundled into every build — CLI, Node server and Worker — so all
// three give the same traits. Their name, version and sha256 go into each answer and each exported manifest.
import rulesJson from "../../models/context/rules.json" with { type: "json" };
import sectionsJson from "../../models/context/sections.json" with { type: "json" };
import { sha256HexSync } from "../sha256.ts";
import type { ContextRules } from "./context.ts";
import { parseContextRules } from "./cues.ts";
import { parseSectionRules } from "./sections.ts";

/** Which rules gave an answer's traits: the cue file's name and version, and the sha256 of both files' JSON. */
export interface ContextRulesId {
  name: string;
  version: string;
  sha256: string;
}

let cached: { rules: ContextRules; id: ContextRulesId } | null = null;

function load() {
  // The hash is of the parsed JSON re-serialized, so it is the same however the bundler embeds the files.
  cached ??= {
    rules: { cues: parseContextRules(rulesJson, "models/context/rules.json"), sections: parseSectionRules(sectionsJson, "models/context/sections.json") },
    id: { name: rulesJson.name, version: rulesJson.version, sha256: sha256HexSync(new TextEncoder().encode(JSON.stringify([rulesJson, sectionsJson]))) },
  };
  return cached;
}

/** The shipped rules, parsed and compiled once. */
export const defaultContextRules = (): ContextRules => load().rules;
export const defaultContextRulesId = (): ContextRulesId => load().id;
