// What `npm start` runs before `wrangler dev`: makes sure a default custom model exists (training it from the bundled
// corpus the first time, a few minutes), exports it to q8 (guarded), and publishes it to .medner/store (for the Node
// server) and to wrangler's local R2 state (for wrangler dev). Nothing here needs the internet. The transformer is
// published too when its real weights have been imported (`npm run models:import -- d4data/biomedical-ner-all`);
// generated random-weight models are never served by default, since their entities mean nothing.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { readCorpus } from "../trainer/corpus/index.ts";
import { exportModel } from "../trainer/export/export-model.ts";
import { listModels, publish, rollback } from "../trainer/publish/publish.ts";
import { dirTarget, localTarget } from "../trainer/publish/targets.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const STORE = join(ROOT, ".medner/store");
const TRAINED = join(ROOT, "models/custom/trained");
/** Where `npm run models:import -- d4data/biomedical-ner-all` puts the imported transformer. */
export const IMPORTED_TRANSFORMER = join(ROOT, "models/transformer/biomedical-ner-all");

/** Publishes `dir` as `name` unless that version is already there, and makes it current. */
async function publishOnce(target: Awaited<ReturnType<typeof localTarget>>, dir: string, name: string, version: string): Promise<void> {
  const published = (await listModels(target)).find((m) => m.name === name);
  if (!published?.versions.includes(version)) await publish(target, dir, name, { version });
  else if (published.current !== version) await rollback(target, name, version);
}

/** sha256 of the default config and of the data files it names (the lexicon): a change to either retrains. */
function defaultConfigSha256(): string {
  const config = readFileSync(join(ROOT, "models/custom/config.json"));
  const h = createHash("sha256").update(config);
  for (const a of JSON.parse(config.toString()).features.attributes as Array<{ path?: string }>) if (a.path) h.update(readFileSync(join(ROOT, a.path)));
  return h.digest("hex");
}

export async function prepareLocal(): Promise<string> {
  const configSha = defaultConfigSha256();
  const stamp = join(TRAINED, "config.sha256");
  const trained = existsSync(join(TRAINED, "model-best/model.json"));
  if (!trained || !existsSync(stamp) || readFileSync(stamp, "utf8").trim() !== configSha) {
    const why = trained ? "the default config changed since it was trained; retraining" : "no default model yet; training it";
    process.stderr.write(`medner: ${why} on data/clinical-notes (a few minutes)\n`);
    rmSync(TRAINED, { recursive: true, force: true });
    execFileSync(process.execPath, ["--import", "tsx", "trainer/cli/main.ts", "train", "--out", TRAINED], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    writeFileSync(stamp, `${configSha}\n`);
  }
  const info = JSON.parse(readFileSync(join(TRAINED, "model-best/model.json"), "utf8"));
  // The config's hash is part of the version, so a model retrained on the same data to the same step is still new.
  const version = `${String(info.training.trainDataSha256).slice(0, 8)}-${configSha.slice(0, 6)}-${info.training.step}`;
  const exported = join(ROOT, "exported/custom", version);
  if (!existsSync(join(exported, "manifest.json"))) {
    const dev = readCorpus(join(ROOT, "data/clinical-notes/dev.json")).docs;
    await exportModel({ modelDir: join(TRAINED, "model-best"), out: exported, dtype: "q8", name: "custom", version, dev });
  }
  // The same publisher `medner publish` uses: a folder for the Node server, wrangler's local R2 for wrangler dev.
  const transformer = existsSync(join(IMPORTED_TRANSFORMER, "manifest.json")) ? (JSON.parse(readFileSync(join(IMPORTED_TRANSFORMER, "manifest.json"), "utf8")) as { version: string }) : null;
  for (const target of [dirTarget(STORE), await localTarget(join(ROOT, "wrangler.toml"))]) {
    try {
      await publishOnce(target, exported, "custom", version);
      if (transformer) await publishOnce(target, IMPORTED_TRANSFORMER, "transformer", transformer.version);
    } finally {
      await target.close();
    }
  }
  return relative(ROOT, exported);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = await prepareLocal();
  process.stderr.write(`medner: serving custom from ${dir}\nWARNING: auth is disabled (AUTH_DISABLED=true): local development only\n`);
}
