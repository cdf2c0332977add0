// Saves and loads a tagger directory: model.json (config, tags, featurizer version, training facts, weight index) and
// weights.bin (float32, little-endian), verified by sha256. An incomplete or corrupt folder fails with E302 naming
// what is wrong.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { attributeDims, attributeSlots, describeIssue, FEATURIZER_VERSION, MednerError, sha256HexSync as sha256 } from "../../core/index.ts";
import { parseConfig } from "./config.ts";
import { HashEmbed } from "./hash-embed.ts";
import { paramShapes, toVariables } from "./network.ts";
import { checkMembers, isSeedAverageDir, SeedAverageTagger, seedAverageMembers } from "./seed-average.ts";
import { Tagger } from "./tagger.ts";

export const MODEL_FORMAT = "medner-tagger";

const WeightEntry = z.object({ name: z.string(), shape: z.array(z.int().nonnegative()), offset: z.int().nonnegative() });
const ModelJson = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(1),
  featurizerVersion: z.int(),
  labels: z.array(z.string()),
  tags: z.array(z.string()),
  config: z.unknown(),
  training: z.record(z.string(), z.unknown()),
  weights: z.object({ file: z.string(), sha256: z.string().length(64), bytes: z.int().nonnegative(), entries: z.array(WeightEntry) }),
});
export type ModelInfo = z.infer<typeof ModelJson>;

/** Writes atomically: into DIR.tmp, then renamed, so an interruption never leaves a half-written model. */
export function saveTagger(tagger: Tagger, dir: string, training: Record<string, unknown>): void {
  // A seed average is written by writeSeedAverage from its members' folders; saving it here would save its first member.
  if (tagger instanceof SeedAverageTagger) throw new MednerError("E301", "a seed average is not trained or saved as one model: `medner average-seeds` writes it from its members");
  const entries: Array<z.infer<typeof WeightEntry>> = [];
  const arrays: Float32Array[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], data: Float32Array) => {
    entries.push({ name, shape, offset });
    arrays.push(data);
    offset += data.byteLength;
  };
  tagger.embed.tables.forEach((t, a) => add(`embed.${a}`, [tagger.embed.rows[a]!, tagger.embed.dims[a]!], t));
  for (const [name, v] of tagger.params) add(name, v.shape, v.dataSync() as Float32Array);
  const bin = new Uint8Array(offset);
  let o = 0;
  for (const a of arrays) {
    bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  const info: ModelInfo = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    featurizerVersion: FEATURIZER_VERSION,
    labels: tagger.labels,
    tags: tagger.tags,
    config: tagger.config,
    training,
    weights: { file: "weights.bin", sha256: sha256(bin), bytes: bin.byteLength, entries },
  };
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, "weights.bin"), bin);
  writeFileSync(join(tmp, "model.json"), `${JSON.stringify(info, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export function readModelInfo(dir: string): ModelInfo {
  const path = join(dir, "model.json");
  if (!existsSync(dir)) throw new MednerError("E302", `${dir}: no such model directory`);
  if (!existsSync(path)) throw new MednerError("E302", `${dir}: model.json is missing (not a medner tagger directory)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new MednerError("E302", `${path}: not valid JSON (${(err as Error).message})`);
  }
  const r = ModelJson.safeParse(json);
  if (!r.success) throw new MednerError("E302", describeIssue(r.error, path));
  return r.data;
}

/** What export records about a model folder: its training facts and one sha256 for its weights. */
export function modelFacts(dir: string): { training: Record<string, unknown>; weightsSha256: string } {
  if (!isSeedAverageDir(dir)) {
    const info = readModelInfo(dir);
    return { training: info.training, weightsSha256: info.weights.sha256 };
  }
  const infos = seedAverageMembers(dir).map((m) => readModelInfo(m.dir));
  return {
    training: { ...infos[0]!.training, members: infos.length, seed: infos.map((i) => i.training.seed), step: infos.map((i) => i.training.step) },
    weightsSha256: sha256(new TextEncoder().encode(infos.map((i) => i.weights.sha256).join(","))),
  };
}

/** A trained tagger folder, or a seed-average folder (trainer/model/seed-average.ts), loaded and verified. */
export function loadTagger(dir: string): Tagger {
  if (!isSeedAverageDir(dir)) return loadSingle(dir);
  const pinned = seedAverageMembers(dir);
  const members: Tagger[] = [];
  try {
    for (const m of pinned) {
      const info = readModelInfo(m.dir);
      const sha = info.weights.sha256;
      if (sha !== m.weightsSha256) throw new MednerError("E302", `${m.dir}: not the member this seed average was made of (weights sha256 ${sha.slice(0, 12)}…, expected ${m.weightsSha256.slice(0, 12)}…)`);
      members.push(loadSingle(m.dir, info));
    }
    checkMembers(members, pinned.map((m) => m.dir));
  } catch (err) {
    for (const m of members) m.dispose();
    throw err;
  }
  return new SeedAverageTagger(members);
}

function loadSingle(dir: string, info: ModelInfo = readModelInfo(dir)): Tagger {
  if (info.featurizerVersion !== FEATURIZER_VERSION)
    throw new MednerError("E302", `${dir}: trained with featurizer v${info.featurizerVersion}, this build has v${FEATURIZER_VERSION}`);
  const config = parseConfig(info.config, join(dir, "model.json"));
  const wpath = join(dir, info.weights.file);
  if (!existsSync(wpath)) throw new MednerError("E302", `${dir}: ${info.weights.file} is missing`);
  const bin = new Uint8Array(readFileSync(wpath));
  if (bin.byteLength !== info.weights.bytes || sha256(bin) !== info.weights.sha256)
    throw new MednerError("E302", `${wpath}: sha256 mismatch (${bin.byteLength} bytes, expected ${info.weights.bytes}): truncated or modified`);
  const byName = new Map(info.weights.entries.map((e) => [e.name, e]));
  const read = (name: string, shape: number[]): Float32Array => {
    const e = byName.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!e || e.shape.join() !== shape.join()) throw new MednerError("E302", `${dir}: weight ${name} is missing or has the wrong shape`);
    return new Float32Array(bin.buffer.slice(bin.byteOffset + e.offset, bin.byteOffset + e.offset + size * 4));
  };
  const f = config.features;
  const rows = f.attributes.map((a) => a.rows);
  const dims = attributeDims(f, f.dim);
  const embed = new HashEmbed(
    rows.map((r, a) => read(`embed.${a}`, [r, dims[a]!])),
    rows,
    dims,
    attributeSlots(f),
    f.attributes.map((a) => a.type === "ngrams"),
    f.attributes.map((a) => a.type === "vectors"),
  );
  const values = new Map(paramShapes(config, embed.width, info.tags.length).map(([name, shape]) => [name, read(name, shape)]));
  const tagger = new Tagger(config, info.labels, embed, toVariables(config, values, embed.width, info.tags.length));
  if (tagger.tags.join() !== info.tags.join()) throw new MednerError("E302", `${dir}: tags do not match the labels and scheme`);
  return tagger;
}
