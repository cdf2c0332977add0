// `npm run models:generate -- --size tiny|full --variant standard|medner --out DIR [--seed N] [--name N] [--version V]`:
// a DistilBertForTokenClassification folder with seeded random weights — the real model's compute (full size is
// d4data/biomedical-ner-all's shape), not its answers. For tests (tiny) and benchmarks (full).
import { parseArgs } from "node:util";
import { MednerError } from "../core/errors.ts";
import { buildTransformerFolder, type Variant } from "../trainer/transformer/folder.ts";
import { d4dataLabels, presetConfig, type Preset } from "../trainer/transformer/hf-config.ts";
import { buildVocab, clinicalTexts, tokenizerFiles } from "../trainer/transformer/vocab.ts";
import { randomDistilBertWeights } from "../trainer/transformer/weights.ts";

/** Vocabulary sizes: bert-base-uncased's for full; small enough for tiny to stay well under 1 MB. */
export const VOCAB_SIZES: Record<Preset, number> = { tiny: 1200, full: 30522 };

export function generateTransformer(o: { size: Preset; variant: Variant; out: string; seed: number; name?: string; version?: string; onStep?: (file: string) => void }) {
  const vocab = buildVocab(clinicalTexts(), VOCAB_SIZES[o.size]);
  const config = presetConfig(o.size, vocab.length, d4dataLabels());
  const weights = randomDistilBertWeights(config, o.seed);
  return buildTransformerFolder(o.out, {
    config,
    weights,
    ...tokenizerFiles(vocab),
    name: o.name ?? "transformer",
    version: o.version ?? `random-${o.size}-${o.seed}`,
    variant: o.variant,
    source: { kind: "random", preset: o.size, seed: o.seed, note: "seeded random weights: the real model's shape and compute, not its answers" },
    ...(o.onStep ? { onStep: o.onStep } : {}),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { values } = parseArgs({ options: { size: { type: "string", default: "tiny" }, variant: { type: "string", default: "medner" }, out: { type: "string" }, seed: { type: "string", default: "7" }, name: { type: "string" }, version: { type: "string" } } });
    if (values.size !== "tiny" && values.size !== "full") throw new MednerError("E510", `--size must be tiny or full, not ${values.size}`);
    if (values.variant !== "standard" && values.variant !== "medner") throw new MednerError("E510", `--variant must be standard or medner, not ${values.variant}`);
    if (!values.out) throw new MednerError("E510", "--out DIR is required");
    const t0 = Date.now();
    const m = generateTransformer({ size: values.size, variant: values.variant, out: values.out, seed: Number(values.seed), ...(values.name ? { name: values.name } : {}), ...(values.version ? { version: values.version } : {}), onStep: (f) => process.stderr.write(`building ${f}…\n`) });
    for (const [file, e] of Object.entries(m.files)) process.stderr.write(`${file.padEnd(28)} ${(e.size / 1e6).toFixed(2).padStart(8)} MB\n`);
    process.stderr.write(`medner: ${values.size} ${values.variant} model in ${values.out} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    process.stderr.write(`medner: ${(err as Error).message.split("\n")[0]}\n`);
    process.exit(1);
  }
}
