// `medner evaluate`: strict span P/R/F1 per label and micro-averaged, on any corpus the readers accept; on a corpus
// that annotates context traits, also end to end (span, label and traits all right).
import { InvalidArgumentError, Option, type Command } from "commander";
import { defaultContextRules, endToEndScores, withContext } from "../../core/context/index.ts";
import { DTYPES, spanScores, type Dtype } from "../../core/index.ts";
import { withModel } from "../model/any-model.ts";
import { corpusOptions, documentContext, readCorpusFromOptions, STREAM_CONTEXT, transformerOptions, windowsOf, type TransformerCliOptions } from "./options.ts";

export function registerEvaluate(program: Command): void {
  transformerOptions(corpusOptions(program.command("evaluate").description("score a model on an annotated corpus (strict span match)")))
    .requiredOption("--model <dir>", "a trained model folder (OUT/model-best), an exported one, or a transformer folder (manifest.json)")
    .addOption(new Option("--dtype <dtype>", "which file of an exported folder to use (default: its manifest's)").choices([...DTYPES]))
    .option("--json", 'print {"micro": {...}, "labels": {...}} on stdout')
    .option("--no-document-rules", "score the tagger's entities alone, without the abbreviation and label-consistency rules")
    .option("--sentence-context <n>", `sentences before each one that count as its document, for an IOB file without -DOCSTART- (default ${STREAM_CONTEXT}; 0: each sentence alone)`, (v: string) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError("a whole number of sentences is expected.");
      return Number(v);
    })
    .action(async (opts: { model: string; dtype?: Dtype; data: string; format?: string; offsets?: string; json?: boolean; documentRules: boolean; sentenceContext?: number } & TransformerCliOptions) => {
      const corpus = readCorpusFromOptions(opts);
      const docs = corpus.docs;
      // Documents that are sentences of a lost document see the sentences before them; real documents only themselves.
      const context = documentContext(corpus, opts.sentenceContext);
      if (opts.sentenceContext !== undefined && !corpus.sentenceStream)
        process.stderr.write(`medner evaluate: --sentence-context ignored: ${opts.data} holds whole documents, and each is its own context\n`);
      const found = await withModel(opts.model, opts.dtype, (model) => model.predict(docs.map((d) => d.text), { documentRules: opts.documentRules, context, aggregation: opts.aggregation }), windowsOf(opts));
      // A model with more types than the corpus annotates (the transformer's 41) is scored on the corpus's labels only.
      const goldLabels = new Set(docs.flatMap((d) => d.entities.map((e) => e.label)));
      const preds = found.map((es) => es.filter((e) => goldLabels.has(e.label)));
      const dropped = found.flat().length - preds.flat().length;
      if (dropped) process.stderr.write(`medner evaluate: ${dropped} predicted entities with labels ${opts.data} does not annotate were left out\n`);
      const s = spanScores(docs.map((d, i) => ({ gold: d.entities, pred: preds[i]! })));
      const pick = ({ precision, recall, f1 }: { precision: number; recall: number; f1: number }) => ({ precision, recall, f1 });
      // A corpus that annotates traits is also scored end to end: an entity counts when its span, label and traits are right.
      const withTraits = docs.some((d) => d.entities.some((e) => e.traits !== undefined));
      const endToEnd = withTraits
        ? endToEndScores(docs.map((d, i) => ({ gold: d.entities, pred: withContext(d.text, preds[i]!, defaultContextRules()).map((e) => ({ ...e, traits: e.traits.map((t) => t.name) })) })))
        : null;
      const result = {
        micro: pick(s.micro),
        labels: Object.fromEntries(Object.entries(s.labels).map(([l, v]) => [l, { ...pick(v), support: v.support }])),
        ...(endToEnd ? { endToEnd } : {}),
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const row = (name: string, v: { precision: number; recall: number; f1: number }, support: number | string) =>
          `  ${name.padEnd(20)} ${v.precision.toFixed(4)}  ${v.recall.toFixed(4)}  ${v.f1.toFixed(4)}  ${String(support).padStart(7)}`;
        process.stderr.write(
          [`${opts.data}: ${docs.length} documents; document rules ${opts.documentRules ? (context ? `on, each sentence with the ${context} before it` : "on") : "off"}`, `  ${"label".padEnd(20)} P       R       F1      support`, ...Object.entries(result.labels).map(([l, v]) => row(l, v, v.support)), row("(micro)", result.micro, s.micro.support), ...(endToEnd ? [row("(with traits)", endToEnd, endToEnd.support)] : [])].join("\n") + "\n",
        );
      }
    });
}
