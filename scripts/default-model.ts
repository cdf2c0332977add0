// The default clinical model ships in the repository (models/custom/default/: manifest.json and the q8 ONNX graph,
// about 5.5 MB — the product's embedded default, as a spaCy pipeline package ships its weights), so a fresh clone
// answers without training. Its manifest records the sha256 of everything it was made from (`source.inputs`): the
// config, the data files the config names (the lexicon) and the bundled corpus's train and dev splits (as the tagger
// reads them: texts, offsets and labels). `npm start`
// serves it while those inputs are unchanged and retrains otherwise; `npm run models:default` retrains and rewrites it;
// a test fails while the shipped manifest and its inputs disagree, so a changed config cannot ship a stale model.
// What the inputs do not cover: the trainer's own code. A change there that should change the model is shipped by
// running `npm run models:default`.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256HexSync, type Manifest } from "../core/index.ts";
import { readCorpus } from "../trainer/corpus/index.ts";
import { exportModel } from "../trainer/export/export-model.ts";
import { isMain } from "./is-main.ts";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** The shipped folder, committed. */
export const SHIPPED = join(ROOT, "models/custom/default");
/** Where a retrained default model goes (git-ignored). */
export const TRAINED = join(ROOT, "models/custom/trained");
const CONFIG = "models/custom/config.json";
const SPLITS = { train: "data/clinical-notes/train.json", dev: "data/clinical-notes/dev.json" };

const sha256File = (path: string) => sha256HexSync(readFileSync(join(ROOT, path)));
const sha256Json = (value: unknown) => sha256HexSync(new TextEncoder().encode(JSON.stringify(value)));

/**
 * A corpus split's sha256 as the tagger sees it: each note's text and its entities' offsets and labels. Annotations
 * the tagger does not train on (context traits, medication attributes) can be added without making the model stale.
 */
function trainingViewSha256(path: string): string {
  const docs = JSON.parse(readFileSync(join(ROOT, path), "utf8")) as Array<{ text: string; entities: Array<{ start: number; end: number; label: string }> }>;
  const view = docs.map((d) => ({ text: d.text, entities: d.entities.map((e) => [e.start, e.end, e.label]) }));
  return sha256Json(view);
}

/** Repository path → sha256 of everything the default model is made from, today. */
export function defaultInputs(): Record<string, string> {
  const config = JSON.parse(readFileSync(join(ROOT, CONFIG), "utf8")) as { features: { attributes: Array<{ path?: string }> } };
  const files = [CONFIG, ...config.features.attributes.flatMap((a) => (a.path ? [a.path] : []))];
  return Object.fromEntries([...files.map((p) => [p, sha256File(p)]), ...[SPLITS.train, SPLITS.dev].map((p) => [p, trainingViewSha256(p)])]);
}

/** The inputs a manifest records, or null for a manifest that records none. */
export function recordedInputs(manifest: Manifest): Record<string, string> | null {
  const inputs = manifest.source?.inputs;
  return inputs && typeof inputs === "object" ? (inputs as Record<string, string>) : null;
}

/** The input paths whose sha256 differs between `recorded` and `now` (added or removed paths included). */
export function changedInputs(recorded: Record<string, string> | null, now: Record<string, string>): string[] {
  if (!recorded) return Object.keys(now);
  return [...new Set([...Object.keys(recorded), ...Object.keys(now)])].filter((p) => recorded[p] !== now[p]).sort();
}

export function readShippedManifest(): Manifest | null {
  const path = join(SHIPPED, "manifest.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Manifest) : null;
}

/** A version that names the data, the inputs and the step, so a model retrained from changed inputs is a new version. */
function versionOf(inputs: Record<string, string>, trainDataSha256: string, step: number): string {
  const all = sha256Json(inputs);
  return `${trainDataSha256.slice(0, 8)}-${all.slice(0, 6)}-${step}`;
}

/**
 * Trains the default model into TRAINED (unless it is already trained from these inputs) and exports it q8, with the
 * q8 guard on the dev split, into `out`. Training takes several minutes on two cores.
 */
export async function trainAndExportDefault(out: string, options: { ortTwin: boolean }): Promise<Manifest> {
  const inputs = defaultInputs();
  const stamp = join(TRAINED, "inputs.json");
  const trained = existsSync(join(TRAINED, "model-best/model.json")) && existsSync(stamp) && changedInputs(JSON.parse(readFileSync(stamp, "utf8")), inputs).length === 0;
  if (!trained) {
    process.stderr.write("medner: training the default model on data/clinical-notes (several minutes)\n");
    rmSync(TRAINED, { recursive: true, force: true });
    execFileSync(process.execPath, ["--import", "tsx", "trainer/cli/main.ts", "train", "--config", CONFIG, "--out", TRAINED], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    writeFileSync(stamp, `${JSON.stringify(inputs, null, 2)}\n`);
  }
  const info = JSON.parse(readFileSync(join(TRAINED, "model-best/model.json"), "utf8")) as { training: { trainDataSha256: string; step: number } };
  const version = versionOf(inputs, info.training.trainDataSha256, info.training.step);
  const dev = readCorpus(join(ROOT, SPLITS.dev)).docs;
  rmSync(out, { recursive: true, force: true });
  const { manifest } = await exportModel({ modelDir: join(TRAINED, "model-best"), out, dtype: "q8", name: "custom", version, dev, inputs, ortTwin: options.ortTwin });
  return manifest;
}

// `npm run models:default`: retrain (when the inputs changed) and rewrite the shipped folder.
if (isMain(import.meta.url)) {
  const manifest = await trainAndExportDefault(SHIPPED, { ortTwin: false });
  const f1 = manifest.devMetrics?.q8?.micro.f1;
  process.stderr.write(`medner: wrote models/custom/default (custom@${manifest.version}${f1 === undefined ? "" : `, dev F1 ${f1.toFixed(4)}`}); commit it\n`);
}
