// Whether a module is the script node (or tsx) was started with, so that a script runs its main only then and can also
// be imported (by tests, by other scripts). Compared as real file paths: argv[1] may be relative or a symlink, and a
// `file://${argv[1]}` string never equals import.meta.url once the path holds a character URLs escape (a space).
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `isMain(import.meta.url)`: true in the script that was run, false in any module it imports. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    // argv[1] names no file (e.g. `node -e`): not this module.
    return false;
  }
}
