// `npm run models:import -- <owner/name> [--revision main] [--out DIR] [--name N] [--version V] [--variant medner]
// [--force]`: downloads a DistilBertForTokenClassification from the Hugging Face hub and builds our transformer folder
// from its weights with our own graph builder, so the served artifact is the one the benchmarks measure. Everything
// happens in a temporary folder beside the target; only a complete, validated folder is moved into place.
import { existsSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MednerError } from "../core/errors.ts";
import { MODEL_NAME, MODEL_VERSION } from "../core/store-keys.ts";
import type { TransformerManifest } from "../core/transformer/manifest.ts";
import { buildTransformerFolder, readTransformerManifest, type Variant } from "../trainer/distilbert/folder.ts";
import { VARIANTS } from "../trainer/distilbert/graph-variants.ts";
import { downloadHubRepo, hubSource } from "../trainer/distilbert/hub.ts";
import { readHubDownload } from "../trainer/distilbert/hub-model.ts";
import { isMain } from "./is-main.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const USAGE = "usage: models:import <owner/name> [--revision main] [--out DIR] [--name transformer] [--version V] [--variant medner] [--force]";

/** "main-015a405" when the hub says which commit the revision is, else "main-20261124"; slashes in refs become dashes. */
export function defaultVersion(revision: string, commit: string | null, now = new Date()): string {
  const suffix = commit ? commit.slice(0, 7) : now.toISOString().slice(0, 10).replace(/-/g, "");
  return `${revision}-${suffix}`.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 64);
}

export interface ImportOptions {
  repo: string;
  revision: string;
  out: string;
  name: string;
  version?: string | undefined;
  variant: Variant;
  force: boolean;
  progress: boolean;
}

export async function importModel(opts: ImportOptions): Promise<TransformerManifest> {
  if (!MODEL_NAME.test(opts.name)) throw new MednerError("E510", `--name "${opts.name}" must match ${MODEL_NAME}`);
  if (opts.version !== undefined && !MODEL_VERSION.test(opts.version)) throw new MednerError("E510", `--version "${opts.version}" must match ${MODEL_VERSION}`);
  if (existsSync(opts.out) && !opts.force) throw new MednerError("E510", `${opts.out} already exists (pass --force to replace it)`);
  const source = hubSource(opts.repo, opts.revision);
  await mkdir(dirname(opts.out), { recursive: true });
  const tmp = await mkdtemp(join(dirname(opts.out), `.${basename(opts.out)}.import-`));
  // finally does not run when the process is interrupted, and a half download must not stay behind.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(tmp, { recursive: true, force: true });
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  try {
    const download = await downloadHubRepo(source, await mkdirIn(tmp, "download"), { progress: opts.progress });
    const model = await readHubDownload(download);
    const version = opts.version ?? defaultVersion(opts.revision, download.commit);
    const built = join(tmp, "folder");
    const { tokenizerFromVocab, ...inputs } = model;
    await buildTransformerFolder(built, {
      ...inputs,
      name: opts.name,
      version,
      variant: opts.variant,
      ...(opts.progress ? { onStep: (file: string) => process.stderr.write(`building ${file}…\n`) } : {}),
      source: {
        kind: "hub",
        repo: opts.repo,
        revision: opts.revision,
        commit: download.commit,
        endpoint: source.endpoint,
        tokenizer: tokenizerFromVocab ? "built from vocab.txt" : "tokenizer.json",
        files: Object.fromEntries(Object.entries(download.files).map(([f, d]) => [f, { sha256: d.sha256, size: d.size }])),
      },
    });
    const manifest = readTransformerManifest(built);
    if (existsSync(opts.out)) await rename(opts.out, join(tmp, "replaced"));
    await rename(built, opts.out);
    return manifest;
  } finally {
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    await rm(tmp, { recursive: true, force: true });
  }
}

async function mkdirIn(parent: string, name: string): Promise<string> {
  await mkdir(join(parent, name));
  return join(parent, name);
}

/** parseArgs throws a TypeError for an unknown or malformed option: give it the same coded one-line shape. */
function parseCli(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        revision: { type: "string", default: "main" },
        out: { type: "string" },
        name: { type: "string", default: "transformer" },
        version: { type: "string" },
        variant: { type: "string", default: "medner" },
        force: { type: "boolean", default: false },
      },
    });
  } catch (err) {
    throw new MednerError("E510", `${(err as Error).message}; ${USAGE}`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseCli(process.argv.slice(2));
  const [repo, ...extra] = positionals;
  if (!repo || extra.length) throw new MednerError("E510", USAGE);
  const variant = values.variant as Variant;
  if (!VARIANTS.includes(variant)) throw new MednerError("E510", `--variant must be ${VARIANTS.join(" or ")}, not ${values.variant}`);
  const out = resolve(values.out ?? join(ROOT, "models/transformer", repo.split("/").at(-1)!));
  const t0 = Date.now();
  const manifest = await importModel({ repo, revision: values.revision, out, name: values.name, version: values.version, variant, force: values.force, progress: true });
  const mb = (Object.values(manifest.files).reduce((n, f) => n + f.size, 0) / 1e6).toFixed(1);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  process.stderr.write(`medner: imported ${repo}@${values.revision} as ${manifest.name} ${manifest.version} (${manifest.labels.length} labels, ${mb} MB, ${seconds} s) into ${out}\n`);
}

if (isMain(import.meta.url)) {
  try {
    await main();
  } catch (err) {
    const message = err instanceof MednerError ? err.message : `unexpected error: ${(err as Error).message ?? String(err)}`;
    process.stderr.write(`medner: ${message}\n`);
    process.exit(1);
  }
}
