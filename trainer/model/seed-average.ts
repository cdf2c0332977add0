// A seed average (`medner average-seeds`): taggers trained with one config and different seeds, served as one model.
// The members featurize alike (same features, same known words and lexicon), so one featurization feeds every network;
// their tag log-probabilities and CRF transitions are averaged, and one constrained Viterbi decodes the mean. On BC5CDR devel two members gain about 0.5 F1 over one
// (docs/benchmarks.md). The folder: model.json naming the members, and each member's own folder under members/.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import { describeIssue, MednerError } from "../../core/index.ts";
import { Tagger, type Featurized } from "./tagger.ts";

export const SEED_AVERAGE_FORMAT = "medner-seed-average";
/** What folders written before the rename say; still read, never written. */
const LEGACY_FORMAT = "medner-ensemble";

const SeedAverageJson = z.object({
  format: z.enum([SEED_AVERAGE_FORMAT, LEGACY_FORMAT]),
  formatVersion: z.literal(1),
  labels: z.array(z.string()),
  tags: z.array(z.string()),
  members: z.array(z.object({ dir: z.string().regex(/^members\/\d+$/), weightsSha256: z.string().length(64) })).min(2),
});

/**
 * Members' networks behind the Tagger interface. `params` and `embed` are the first member's (the base class needs
 * them): training or saving a seed average is not a thing; export reads `members`.
 */
export class SeedAverageTagger extends Tagger {
  constructor(readonly members: Tagger[]) {
    const first = members[0]!;
    super(first.config, first.labels, first.embed, first.params);
  }

  /**
   * The members' mean log-probabilities, renormalized per token (a log-softmax of the mean), so entity scores stay
   * probabilities. A per-token shift changes neither the Viterbi path nor CRF marginals.
   */
  override logProbs(docs: readonly Featurized[]): Float32Array {
    const out = this.members[0]!.logProbs(docs);
    for (const m of this.members.slice(1)) {
      const lp = m.logProbs(docs);
      for (let i = 0; i < out.length; i++) out[i]! += lp[i]!;
    }
    for (let i = 0; i < out.length; i++) out[i]! /= this.members.length;
    const K = this.tags.length;
    for (let t = 0; t < out.length; t += K) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, out[t + k]!);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(out[t + k]! - max);
      const norm = max + Math.log(sum);
      for (let k = 0; k < K; k++) out[t + k]! -= norm;
    }
    return out;
  }

  /** The members' mean CRF transitions, or undefined without a CRF layer. */
  override transitions(): Float32Array | undefined {
    const all = this.members.map((m) => m.transitions());
    if (!all[0]) return undefined;
    const out = new Float32Array(all[0].length);
    for (const t of all) t!.forEach((v, i) => (out[i]! += v / all.length));
    return out;
  }

  override dispose(): void {
    for (const m of this.members) m.dispose();
  }
}

/** Whether `dir` holds a seed average (its model.json says so). */
export function isSeedAverageDir(dir: string): boolean {
  const path = join(dir, "model.json");
  if (!existsSync(path)) return false;
  try {
    const format = (JSON.parse(readFileSync(path, "utf8")) as { format?: unknown }).format;
    return format === SEED_AVERAGE_FORMAT || format === LEGACY_FORMAT;
  } catch {
    return false;
  }
}

/** Member folders of a seed average, with the weights sha256 each must have (the members are pinned). */
export function seedAverageMembers(dir: string): Array<{ dir: string; weightsSha256: string }> {
  const path = join(dir, "model.json");
  const r = SeedAverageJson.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!r.success) throw new MednerError("E302", describeIssue(r.error, path));
  return r.data.members.map((m) => ({ dir: join(dir, m.dir), weightsSha256: m.weightsSha256 }));
}

/** Refuses members that would not featurize, label or decode alike, naming the first difference. */
export function checkMembers(members: readonly Tagger[], names: readonly string[]): void {
  const first = members[0]!;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  members.slice(1).forEach((m, k) => {
    const where = `${names[k + 1]} and ${names[0]}`;
    if (!same(m.tags, first.tags)) throw new MednerError("E301", `${where} have different tags: members must be trained on the same labels and scheme`);
    if (!same(m.config.features, first.config.features))
      throw new MednerError("E301", `${where} featurize differently (features config, known words or lexicon): members must be trained with one config and one training set`);
    if (!same(m.config.model, first.config.model)) throw new MednerError("E301", `${where} have different networks (model config): members must be trained with one config`);
  });
}

/** Writes a seed-average folder from trained model folders (each OUT/model-best); atomically, like a single model. */
export function writeSeedAverage(
  memberDirs: readonly string[],
  out: string,
  load: (dir: string) => Tagger,
  info: (dir: string) => { training: Record<string, unknown>; weights: { file: string; sha256: string } },
): { labels: string[] } {
  if (memberDirs.length < 2) throw new MednerError("E301", `a seed average needs at least 2 models, got ${memberDirs.length}`);
  const target = resolve(out);
  for (const d of memberDirs) {
    if (isSeedAverageDir(d)) throw new MednerError("E301", `${d} is a seed average itself: name its members instead`);
    const rel = relative(target, resolve(d));
    if (!rel || (!rel.startsWith("..") && !isAbsolute(rel))) throw new MednerError("E301", `--out ${out} would replace the model ${d}: write the seed average elsewhere`);
  }
  const infos = memberDirs.map(info);
  const twice = infos.findIndex((x, k) => infos.findIndex((y) => y.weights.sha256 === x.weights.sha256) !== k);
  if (twice > 0) throw new MednerError("E301", `${memberDirs[twice]} is the same model as an earlier member: train members with different seeds`);
  const k = infos.findIndex((x) => x.training.trainDataSha256 !== infos[0]!.training.trainDataSha256);
  if (k > 0) throw new MednerError("E301", `${memberDirs[k]} and ${memberDirs[0]} were trained on different data (trainDataSha256): members must share one training set`);
  const members: Tagger[] = [];
  const tmp = `${out}.tmp`;
  try {
    for (const d of memberDirs) members.push(load(d));
    checkMembers(members, memberDirs);
    rmSync(tmp, { recursive: true, force: true });
    const entries = memberDirs.map((d, k) => {
      const dest = join(tmp, "members", String(k));
      mkdirSync(dest, { recursive: true });
      copyFileSync(join(d, "model.json"), join(dest, "model.json"));
      copyFileSync(join(d, infos[k]!.weights.file), join(dest, infos[k]!.weights.file));
      return { dir: `members/${k}`, weightsSha256: infos[k]!.weights.sha256 };
    });
    const json: z.infer<typeof SeedAverageJson> = { format: SEED_AVERAGE_FORMAT, formatVersion: 1, labels: members[0]!.labels, tags: members[0]!.tags, members: entries };
    writeFileSync(join(tmp, "model.json"), `${JSON.stringify(json, null, 2)}\n`);
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    return { labels: json.labels };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    for (const m of members) m.dispose();
  }
}
