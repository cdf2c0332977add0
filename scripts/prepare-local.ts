// What `npm start` and `npm run dev` run first: picks the default custom model — the shipped one (models/custom/default,
// scripts/default-model.ts) while the config, lexicon and corpus it was made from are unchanged, otherwise one retrained
// from them (several minutes, once) — adds the ORT-format twin the Worker loads, and publishes it to .medner/store (for
// the Node server and `npm start`, which seeds workerd's R2 from it) and to wrangler's local R2 state (for wrangler dev). Nothing here needs the internet. The
// transformer is published too when its real weights have been imported (`npm run models:import --
// d4data/biomedical-ner-all`); generated random-weight models are never served by default, since their entities mean
// nothing.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DTYPE_FILES, type Manifest } from "../core/index.ts";
import { copyWithOrtTwin } from "../trainer/export/ort-format.ts";
import { listModels, publish, rollback } from "../trainer/publish/publish.ts";
import { dirTarget, localTarget } from "../trainer/publish/targets.ts";
import { isMain } from "./is-main.ts";
import { changedInputs, defaultInputs, readShippedManifest, recordedInputs, ROOT, SHIPPED, trainAndExportDefault } from "./default-model.ts";

const STORE = join(ROOT, ".medner/store");
/** Where `npm run models:import -- d4data/biomedical-ner-all` puts the imported transformer. */
export const IMPORTED_TRANSFORMER = join(ROOT, "models/transformer/biomedical-ner-all");

/** Publishes `dir` as `name` unless that version is already there, and makes it current. */
async function publishOnce(target: Awaited<ReturnType<typeof localTarget>>, dir: string, name: string, version: string): Promise<void> {
  const published = (await listModels(target)).find((m) => m.name === name);
  if (!published?.versions.includes(version)) await publish(target, dir, name, { version });
  else if (published.current !== version) await rollback(target, name, version);
}

const readManifest = (dir: string): Manifest | null => (existsSync(join(dir, "manifest.json")) ? (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest) : null);

/** The folder to serve as the default custom model, ready for the Worker (with its ORT-format twin). */
async function defaultModelFolder(): Promise<string> {
  const shipped = readShippedManifest();
  const changed = changedInputs(shipped ? recordedInputs(shipped) : null, defaultInputs());
  if (shipped && changed.length === 0) {
    const served = join(ROOT, "exported/custom", shipped.version);
    const q8 = (m: Manifest | null) => m?.files[DTYPE_FILES.q8]?.sha256;
    if (q8(readManifest(served)) !== q8(shipped)) await copyWithOrtTwin(SHIPPED, served);
    return served;
  }
  process.stderr.write(`medner: ${shipped ? `${changed.join(", ")} changed since models/custom/default was made` : "models/custom/default is missing"}; serving a retrained model (npm run models:default ships it)\n`);
  const retrained = join(ROOT, "exported/custom/retrained");
  const manifest = readManifest(retrained);
  if (!manifest || changedInputs(recordedInputs(manifest), defaultInputs()).length) await trainAndExportDefault(retrained, { ortTwin: true });
  return retrained;
}

export async function prepareLocal(): Promise<string> {
  const exported = await defaultModelFolder();
  const { version } = readManifest(exported)!;
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

if (isMain(import.meta.url)) {
  const dir = await prepareLocal();
  process.stderr.write(`medner: serving custom from ${dir}\nWARNING: auth is disabled (AUTH_DISABLED=true): local development only\n`);
}
