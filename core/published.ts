// Reading what a store holds from its keys and its current.json files: one reading for the Worker (GET /models, the
// registry) and the publisher, so that what `medner publish --list` shows is what the service sees.
import { PointerSchema, type Pointer } from "./store-keys.ts";

/** A current.json's bytes as a pointer; null when there are none or they are not one (not JSON, or a bad field). */
export function parsePointer(bytes: Uint8Array | null): Pointer | null {
  if (!bytes) return null;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  const p = PointerSchema.safeParse(json);
  return p.success ? p.data : null;
}

/**
 * The published versions in a store listing (keys under models/), by model name, both sorted: a version is
 * published once its models/<name>/<version>/manifest.json exists, which the publisher writes after every other file.
 */
export function publishedVersions(keys: readonly string[]): Map<string, string[]> {
  const byName = new Map<string, Set<string>>();
  for (const key of keys) {
    const [root, name, version, file, ...deeper] = key.split("/");
    if (root !== "models" || !name || !version || file !== "manifest.json" || deeper.length > 0) continue;
    byName.set(name, (byName.get(name) ?? new Set()).add(version));
  }
  return new Map([...byName.keys()].sort().map((name) => [name, [...byName.get(name)!].sort()]));
}
