// ModelStore over a folder laid out like the bucket (ROOT/models/<name>/...), for the Node server. Only a file that is
// not there reads as null (not published); any other error (a directory in its place, EACCES, EMFILE under load) is
// thrown, so that the registry keeps the good version serving instead of taking the model for unpublished.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { ModelStore } from "../store.ts";

/** No such file, or a path through a file: the key is not in the store. */
const ABSENT = new Set(["ENOENT", "ENOTDIR"]);

export function fsStore(root: string): ModelStore {
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
    return nested.flat();
  };
  return {
    async get(key) {
      if (key.split("/").includes("..")) return null;
      try {
        return new Uint8Array(await readFile(join(root, key)));
      } catch (err) {
        if (ABSENT.has((err as NodeJS.ErrnoException).code ?? "")) return null;
        throw err;
      }
    },
    async list(prefix) {
      const files = await walk(root);
      return files.map((f) => relative(root, f).split(sep).join("/")).filter((k) => k.startsWith(prefix)).sort();
    },
  };
}
