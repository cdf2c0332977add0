// Publishing an exported model to a store: check the folder against its manifest before uploading anything, upload
// every file, read each back and verify it, and only then flip models/<name>/current.json — the last write, so a
// reader never sees a half-published version. Rollback re-verifies the target version before flipping.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  MednerError,
  MODEL_NAME,
  RESERVED_MODEL_NAMES,
  MODEL_VERSION,
  modelKey,
  modelsPrefix,
  pointerKey,
  sha256Hex,
  verifyFile,
  type Manifest,
} from "../../core/index.ts";
import { parsePointer, publishedVersions } from "../../core/published.ts";
import { parseAnyManifest, type TransformerManifest } from "../../core/transformer/index.ts";
import type { PublishTarget } from "./targets.ts";

export interface PublishResult {
  name: string;
  version: string;
  files: string[];
  previous: string | null;
}

/** The version current.json names; null when there is none or it is broken (a publish or a rollback mends it). */
async function currentVersion(target: PublishTarget, name: string): Promise<string | null> {
  return parsePointer(await target.get(pointerKey(name)))?.version ?? null;
}

/** Reads back every file of a published version and checks it against that version's manifest. */
async function verifyPublished(target: PublishTarget, name: string, version: string): Promise<{ manifest: Manifest | TransformerManifest; manifestSha: string }> {
  const raw = await target.get(modelKey(name, version, "manifest.json"));
  if (!raw) throw new MednerError("E502", `${name}@${version} is not published (no manifest.json)`);
  const manifest = parseAnyManifest(JSON.parse(new TextDecoder().decode(raw)), `${name}@${version}/manifest.json`);
  for (const file of Object.keys(manifest.files)) {
    const bytes = await target.get(modelKey(name, version, file));
    if (!bytes) throw new MednerError("E502", `${name}@${version}: ${file} is missing in the store`);
    await verifyFile(manifest, file, bytes);
  }
  return { manifest, manifestSha: await sha256Hex(raw) };
}

async function flip(target: PublishTarget, name: string, version: string, manifestSha: string): Promise<void> {
  await target.put(pointerKey(name), new TextEncoder().encode(JSON.stringify({ version, manifest_sha256: manifestSha })));
}

export async function publish(target: PublishTarget, dir: string, name: string, opts: { version?: string; replace?: boolean } = {}): Promise<PublishResult> {
  if (!MODEL_NAME.test(name)) throw new MednerError("E501", `invalid model name "${name}": lowercase letters, digits, . _ -`);
  if (RESERVED_MODEL_NAMES.includes(name)) throw new MednerError("E501", `model name "${name}" is reserved: POST /ner {"model": "${name}"} has its own meaning; pick another name`);
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = new Uint8Array(await readFile(join(dir, "manifest.json")));
  } catch {
    throw new MednerError("E501", `${dir}: manifest.json is missing (not an exported model folder)`);
  }
  const manifest = parseAnyManifest(JSON.parse(new TextDecoder().decode(manifestBytes)), join(dir, "manifest.json"));
  const version = opts.version ?? manifest.version;
  if (!MODEL_VERSION.test(version)) throw new MednerError("E501", `invalid version "${version}"`);
  // Everything is checked before the first upload.
  const files = Object.keys(manifest.files);
  const contents = new Map<string, Uint8Array>();
  for (const file of files) {
    // Transformer folders keep their graphs in onnx/: a listed path must stay inside the folder.
    if (file.split("/").some((part) => part === ".." || part === "")) throw new MednerError("E402", `${dir}: manifest.json lists an unsafe path "${file}"`);
    const bytes = await readFile(join(dir, file)).then(
      (b) => new Uint8Array(b),
      () => {
        throw new MednerError("E402", `${dir}: ${file} is listed in manifest.json but missing`);
      },
    );
    await verifyFile(manifest, file, bytes);
    contents.set(file, bytes);
  }
  if (!opts.replace && (await target.get(modelKey(name, version, "manifest.json"))))
    throw new MednerError("E503", `${name}@${version} is already published in ${target.name}; pick another --version or pass --replace`);
  const previous = await currentVersion(target, name);
  const upload = async (file: string, bytes: Uint8Array) => {
    try {
      await target.put(modelKey(name, version, file), bytes);
    } catch (err) {
      const reason = String((err as Error).message ?? err).split("\n")[0];
      throw new MednerError("E504", `uploading ${modelKey(name, version, file)} to ${target.name} failed (${reason}); current.json still points at ${previous ?? "nothing"}`);
    }
  };
  // Files first, manifest last within the version, pointer last of all.
  for (const [file, bytes] of contents) await upload(file, bytes);
  await upload("manifest.json", manifestBytes);
  const { manifestSha } = await verifyPublished(target, name, version);
  await flip(target, name, version, manifestSha);
  return { name, version, files: [...files, "manifest.json"], previous };
}

export async function rollback(target: PublishTarget, name: string, to: string): Promise<{ name: string; version: string; previous: string | null }> {
  const previous = await currentVersion(target, name);
  const { manifestSha } = await verifyPublished(target, name, to);
  await flip(target, name, to, manifestSha);
  return { name, version: to, previous };
}

export async function listModels(target: PublishTarget): Promise<Array<{ name: string; current: string | null; versions: string[] }>> {
  const published = publishedVersions(await target.list(modelsPrefix()));
  return Promise.all([...published].map(async ([name, versions]) => ({ name, current: await currentVersion(target, name), versions })));
}
