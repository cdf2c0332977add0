// Data files the trainer reads (word vectors, lexicons): where a config's relative path points, and one error for a
// file that cannot be read, naming the command that writes it when it is not there.
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MednerError } from "../../core/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * A config's data path as a file to open: relative to the working directory where it exists there, else relative to
 * the repository (the configs in models/ name their files from the repository root, and the CLI may be started from
 * elsewhere). The path stored in the model stays as the config spells it.
 */
export function dataPath(path: string): string {
  if (isAbsolute(path) || existsSync(path)) return path;
  const inRepo = join(ROOT, path);
  return existsSync(inRepo) ? inRepo : path;
}

export function unreadable(code: "E303" | "E304", path: string, what: string, err: unknown, fetch: string): MednerError {
  const hint = (err as NodeJS.ErrnoException).code === "ENOENT" ? `; ${fetch}` : "";
  return new MednerError(code, `${path}: cannot read the ${what} (${(err as Error).message})${hint}`);
}
