// `medner evaluate-attributes`: medication attributes (core/medication) found for a corpus's gold medications, scored
// per attribute type against the attributes the corpus annotates. No model runs: the drugs are the gold spans.
import type { Command } from "commander";
import { MednerError } from "../../core/index.ts";
import { attributeScores, defaultMedicationRulesId, MED_ATTRIBUTE_TYPES, withAttributes, type AttributeScore } from "../../core/medication/index.ts";
import { corpusOptions, readCorpusFromOptions } from "./options.ts";

export function registerAttributes(program: Command): void {
  corpusOptions(program.command("evaluate-attributes").description("score medication attributes (strength, dose, route, frequency…) on a corpus's gold medications"))
    .option("--json", 'print {"attributes": {"STRENGTH": {precision, recall, f1, support, valueAccuracy}, ...}} on stdout')
    .action((opts: { data: string; format?: string; offsets?: string; json?: boolean }) => {
      const docs = readCorpusFromOptions(opts).docs;
      if (!docs.some((d) => d.entities.some((e) => e.attributes !== undefined)))
        throw new MednerError("E201", `${opts.data}: no entity carries "attributes": nothing to score (annotate them as in data/sigs/README.md)`);
      // The extractor sees every gold entity (drugs, and diseases a reason may link to), as it would see a model's.
      const scored = attributeScores(docs.map((d) => ({ gold: d.entities, pred: withAttributes(d.text, d.entities.map(({ start, end, label }) => ({ start, end, label }))) })));
      const medications = docs.reduce((n, d) => n + d.entities.filter((e) => e.label === "MEDICATION").length, 0);
      const result = { ...scored, medications, rules: defaultMedicationRulesId() };
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const row = (name: string, v: AttributeScore) =>
          `  ${name.padEnd(10)} ${v.precision.toFixed(4)}  ${v.recall.toFixed(4)}  ${v.f1.toFixed(4)}  ${String(v.support).padStart(7)}  ${v.valueAccuracy === null ? "   -" : v.valueAccuracy.toFixed(4)}`;
        process.stderr.write(
          [`${opts.data}: ${medications} gold medications; rules ${result.rules.name} ${result.rules.version}`, `  ${"type".padEnd(10)} P       R       F1      support  value acc.`, ...MED_ATTRIBUTE_TYPES.map((t) => row(t, result.attributes[t]))].join("\n") + "\n",
        );
      }
    });
}
