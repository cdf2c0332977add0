// ModelStore over a folder laid out like the bucket (ROOT/models/<name>/...), for the Node server.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { ModelStore } from "../store.ts";

export function fsStore(root: string): ModelStore {
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
    return nested.flat();
  };
  return {
    async get(key) {
      if (key.split("/").includes("..")) return null;
      return readFile(join(root, key)).then((b) => new Uint8Array(b), () => null);
    },
    async list(prefix) {
      const files = await walk(root);
      return files.map((f) => relative(root, f).split(sep).join("/")).filter((k) => k.startsWith(prefix)).sort();
    },
  };
}
