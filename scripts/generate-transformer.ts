// `npm run models:generate -- --size tiny|full [--variant medner] --out DIR [--seed N] [--name N] [--version V]`:
// a DistilBertForTokenClassification folder with seeded random weights — the real model's compute (full is
// d4data/biomedical-ner-all's shape and labels), not its answers. For tests (tiny) and benchmarks (full). Prints one
// line per file with its size; the full size also reports its progress on stderr.
import { statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MednerError } from "../core/errors.ts";
import { MODEL_NAME, MODEL_VERSION } from "../core/store-keys.ts";
import { buildTransformerFolder, type Variant } from "../trainer/distilbert/folder.ts";
import { VARIANTS } from "../trainer/distilbert/graph-variants.ts";
import { d4dataLabels, PRESETS, presetConfig, type Preset } from "../trainer/distilbert/hf-config.ts";
import { buildVocab, clinicalTexts, tokenizerFiles } from "../trainer/distilbert/vocab.ts";
import { randomDistilBertWeights } from "../trainer/distilbert/weights.ts";
import { isMain } from "./is-main.ts";

/** Vocabulary sizes: bert-base-uncased's for full; small enough for tiny to stay well under 1 MB. */
export const VOCAB_SIZES: Record<Preset, number> = { tiny: 1200, full: 30522 };

export interface GenerateOptions {
  size: Preset;
  variant: Variant;
  out: string;
  seed: number;
  name?: string;
  version?: string;
  onStep?: (step: string) => void;
}

export function generateTransformer(o: GenerateOptions): ReturnType<typeof buildTransformerFolder> {
  o.onStep?.("weights");
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

function parseCli(argv: string[]): GenerateOptions {
  const { values } = parseArgs({ args: argv, options: { size: { type: "string", default: "tiny" }, variant: { type: "string", default: "medner" }, out: { type: "string" }, seed: { type: "string", default: "7" }, name: { type: "string" }, version: { type: "string" } } });
  const oneOf = <T extends string>(flag: string, v: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new MednerError("E510", `--${flag} must be ${allowed.join(" or ")}, not "${v}"`);
    return v as T;
  };
  if (!values.out) throw new MednerError("E510", "--out DIR is required");
  if (!/^\d+$/.test(values.seed)) throw new MednerError("E510", `--seed must be a whole number, not "${values.seed}"`);
  if (values.name !== undefined && !MODEL_NAME.test(values.name)) throw new MednerError("E510", `--name "${values.name}" must match ${MODEL_NAME}`);
  if (values.version !== undefined && !MODEL_VERSION.test(values.version)) throw new MednerError("E510", `--version "${values.version}" must match ${MODEL_VERSION}`);
  return {
    size: oneOf("size", values.size, Object.keys(PRESETS) as Preset[]),
    variant: oneOf("variant", values.variant, VARIANTS),
    out: values.out,
    seed: Number(values.seed),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.version !== undefined ? { version: values.version } : {}),
  };
}

if (isMain(import.meta.url)) {
  try {
    const o = parseCli(process.argv.slice(2));
    const t0 = Date.now();
    const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    // The full size takes a while (265 MB of fp32 weights to draw, write and hash); the tiny one is instant.
    if (o.size === "full") o.onStep = (step) => process.stderr.write(`${elapsed().padStart(7)}  building ${step}…\n`);
    const manifest = await generateTransformer(o);
    const sizes = { ...Object.fromEntries(Object.entries(manifest.files).map(([f, e]) => [f, e.size])), "manifest.json": statSync(join(o.out, "manifest.json")).size };
    for (const [file, size] of Object.entries(sizes)) process.stdout.write(`${file.padEnd(27)} ${(size / 1e6).toFixed(3).padStart(10)} MB\n`);
    if (o.size === "full") process.stderr.write(`${elapsed().padStart(7)}  ${o.size} ${o.variant} model in ${o.out}\n`);
  } catch (err) {
    process.stderr.write(`medner: ${(err as Error).message.split("\n")[0]}\n`);
    process.exit(1);
  }
}
