// `medner context` and `medner evaluate-traits`: context traits for the entities a corpus already marks (gold spans,
// or spans another system found), and per-trait scores against the traits the corpus annotates. No model runs.
import type { Command } from "commander";
import { contextOf, defaultContextRules, defaultContextRulesId, traitScores, TRAITS, type TraitScore } from "../../core/context/index.ts";
import { MednerError, type Doc } from "../../core/index.ts";
import { corpusOptions, readCorpusFromOptions } from "./options.ts";
import { writeOutput } from "./write-output.ts";

/** Each document's entities with their traits (names) and section, by the shipped rules. */
function traitsOf(docs: readonly Doc[]) {
  const rules = defaultContextRules();
  return docs.map((d) => {
    const found = contextOf(d.text, d.entities, rules);
    return { doc: d, entities: d.entities.map((e, i) => ({ ...e, found: found.entities[i]! })) };
  });
}

export function registerContext(program: Command): void {
  corpusOptions(program.command("context").description("the context traits (negated, uncertain, historical, hypothetical, family) and section of every entity a corpus marks"))
    .option("--out <file>", "write seed-style JSON lines with each entity's predicted traits and section (- for stdout)", "-")
    .action((opts: { data: string; format?: string; offsets?: string; out: string }) => {
      const docs = readCorpusFromOptions(opts).docs;
      const lines = traitsOf(docs).map(({ doc, entities }) =>
        JSON.stringify({
          id: doc.id,
          text: doc.text,
          entities: entities.map(({ start, end, label, found }) => ({ start, end, label, traits: found.traits.map((t) => t.name), section: found.section, cues: found.traits.map((t) => t.cue ?? { section: t.section }) })),
        }),
      );
      const out = lines.map((l) => `${l}\n`).join("");
      if (opts.out === "-") process.stdout.write(out);
      else writeOutput(opts.out, out);
      const { name, version } = defaultContextRulesId();
      process.stderr.write(`${docs.length} documents, ${docs.reduce((n, d) => n + d.entities.length, 0)} entities; rules ${name} ${version}${opts.out === "-" ? "" : `; wrote ${opts.out}`}\n`);
    });

  corpusOptions(program.command("evaluate-traits").description("score the context traits on a corpus's gold spans against the traits it annotates"))
    .option("--json", 'print {"traits": {"negated": {precision, recall, f1, support}, ...}, "spans": n} on stdout')
    .action((opts: { data: string; format?: string; offsets?: string; json?: boolean }) => {
      const docs = readCorpusFromOptions(opts).docs;
      if (!docs.some((d) => d.entities.some((e) => e.traits !== undefined)))
        throw new MednerError("E201", `${opts.data}: no entity carries "traits": nothing to score (annotate traits as in data/clinical-notes/TRAITS.md)`);
      const gold: string[][] = [];
      const pred: string[][] = [];
      for (const { entities } of traitsOf(docs))
        for (const e of entities) {
          gold.push(e.traits ?? []);
          pred.push(e.found.traits.map((t) => t.name));
        }
      const result = { ...traitScores(gold, pred), rules: defaultContextRulesId() };
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const row = (name: string, v: TraitScore) => `  ${name.padEnd(14)} ${v.precision.toFixed(4)}  ${v.recall.toFixed(4)}  ${v.f1.toFixed(4)}  ${String(v.support).padStart(7)}`;
        process.stderr.write([`${opts.data}: ${result.spans} gold spans; rules ${result.rules.name} ${result.rules.version}`, `  ${"trait".padEnd(14)} P       R       F1      support`, ...TRAITS.map((t) => row(t, result.traits[t]))].join("\n") + "\n");
      }
    });
}
