// What `npm start` runs before `wrangler dev`: makes sure a default custom model exists (training it from the bundled
// corpus the first time, a few minutes), exports it to q8, lays it out in .medner/store like the bucket, and seeds
// wrangler's local R2 with it. Nothing here needs the internet.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { modelKey, pointerKey, sha256Hex } from "../core/index.ts";
import { readCorpus } from "../trainer/corpus/index.ts";
import { exportModel } from "../trainer/export/export-model.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const STORE = join(ROOT, ".medner/store");
const TRAINED = join(ROOT, "models/custom/trained");
const BUCKET = "medner-models";

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

export async function prepareLocal(): Promise<string> {
  if (!existsSync(join(TRAINED, "model-best/model.json"))) {
    process.stderr.write("medner: no default model yet; training it on data/clinical-notes (once, a few minutes)\n");
    execFileSync(process.execPath, ["--import", "tsx", "trainer/cli/main.ts", "train", "--out", TRAINED], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  }
  const info = JSON.parse(readFileSync(join(TRAINED, "model-best/model.json"), "utf8"));
  const version = `${String(info.training.trainDataSha256).slice(0, 8)}-${info.training.step}`;
  const dir = join(STORE, modelKey("custom", version, ""));
  if (!existsSync(join(dir, "manifest.json"))) {
    const dev = readCorpus(join(ROOT, "data/clinical-notes/dev.json")).docs;
    await exportModel({ modelDir: join(TRAINED, "model-best"), out: dir, dtype: "q8", name: "custom", version, dev });
  }
  const manifest = readFileSync(join(dir, "manifest.json"));
  mkdirSync(join(STORE, "models/custom"), { recursive: true });
  writeFileSync(join(STORE, pointerKey("custom")), JSON.stringify({ version, manifest_sha256: await sha256Hex(manifest) }));
  const marker = join(ROOT, ".wrangler", `medner-seeded-${version}`);
  if (!existsSync(marker)) {
    process.stderr.write(`medner: seeding wrangler's local R2 with custom@${version}\n`);
    for (const file of readdirSync(dir)) run("npx", ["wrangler", "r2", "object", "put", `${BUCKET}/${modelKey("custom", version, file)}`, "--file", join(dir, file), "--local"]);
    mkdirSync(join(ROOT, ".wrangler"), { recursive: true });
    writeFileSync(marker, "");
  }
  run("npx", ["wrangler", "r2", "object", "put", `${BUCKET}/${pointerKey("custom")}`, "--file", join(STORE, pointerKey("custom")), "--local"]);
  return `${relative(ROOT, dir)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = await prepareLocal();
  process.stderr.write(`medner: serving custom from ${dir}\nWARNING: auth is disabled (AUTH_DISABLED=true): local development only\n`);
}
