// The tagger's one typed config: defaults in models/custom/config.json, a --config file, --set section.key=value
// overrides; validated with zod wherever it is read, and stored with every model.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { describeIssue, FeaturizerConfigSchema, MednerError } from "../../core/index.ts";

export const TaggerConfigSchema = z
  .object({
    seed: z.int().nonnegative(),
    features: FeaturizerConfigSchema.extend({
      /** Embedding width of every attribute table. */
      dim: z.int().positive(),
    }),
    model: z.object({
      scheme: z.enum(["BIO", "BILOU"]),
      width: z.int().positive(),
      depth: z.int().min(0).max(16),
      /** Tokens on each side that one encoder layer sees. */
      window: z.int().min(1).max(4),
      maxoutPieces: z.int().min(1).max(8),
      dropout: z.number().min(0).max(0.9),
      /** A linear-chain CRF layer: learned tag-transition scores, trained with the sequence likelihood and used by
       * Viterbi; off: per-token softmax with constrained Viterbi. */
      crf: z.boolean().default(false),
    }),
    training: z.object({
      /** Words per minibatch (documents are not split). */
      batchWords: z.int().positive(),
      maxSteps: z.int().positive(),
      maxEpochs: z.int().positive(),
      evalEvery: z.int().positive(),
      /** Stop after this many evaluations without a better dev F1. */
      patience: z.int().positive(),
      learnRate: z.number().positive(),
      warmupSteps: z.int().nonnegative(),
      /** Inverse-square-root decay after warm-up: lr · sqrt(warmup / step). Off when false. */
      decay: z.boolean(),
      beta1: z.number().min(0).max(1),
      beta2: z.number().min(0).max(1),
      gradClip: z.number().positive(),
      /** Word dropout: chance per token of hiding its whole-word attributes (norm, lower) during training, so the
       * model learns to recognise unseen words from their affixes, shape and n-grams. Word vectors are not hidden:
       * they are what such words keep. */
      wordDropout: z.number().min(0).max(0.9).default(0),
      /** Evaluate and save a moving average of the weights (spaCy's parameter averaging) instead of the raw ones. */
      averaging: z.boolean().default(false),
      /** Training data to evaluate when no dev set is given (ignored when --dev is passed). */
      devFraction: z.number().min(0).max(0.5),
    }),
  })
  .strict();
export type TaggerConfig = z.infer<typeof TaggerConfigSchema>;

const DEFAULTS_URL = new URL("../../models/custom/config.json", import.meta.url);

export function parseConfig(json: unknown, source: string): TaggerConfig {
  const r = TaggerConfigSchema.safeParse(json);
  if (!r.success) throw new MednerError("E301", describeIssue(r.error, source));
  return r.data;
}

function readJson(path: string | URL): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new MednerError("E301", `${String(path)}: ${(err as Error).message}`);
  }
}

/** Applies `section.key=value` overrides; values are parsed as JSON when they can be (numbers, booleans, arrays). */
export function applyOverrides(base: unknown, overrides: string[]): unknown {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const o of overrides) {
    const eq = o.indexOf("=");
    if (eq < 1) throw new MednerError("E301", `--set ${o}: expected section.key=value`);
    const path = o.slice(0, eq).split(".");
    const raw = o.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // A bare string such as BILOU.
    }
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== "object" || node[key] === null) throw new MednerError("E301", `--set ${o}: no section "${key}"`);
      node = node[key] as Record<string, unknown>;
    }
    if (!(path.at(-1)! in node)) throw new MednerError("E301", `--set ${o}: unknown key "${path.join(".")}"`);
    node[path.at(-1)!] = value;
  }
  return out;
}

export function loadConfig(file: string | undefined, overrides: string[] = []): TaggerConfig {
  const base = file ? readJson(file) : readJson(DEFAULTS_URL);
  // Override the parsed file where it is valid, so keys the schema fills with defaults can be set too.
  const parsed = TaggerConfigSchema.safeParse(base);
  return parseConfig(applyOverrides(parsed.success ? parsed.data : base, overrides), file ?? "models/custom/config.json");
}
