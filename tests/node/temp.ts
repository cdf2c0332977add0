// Temporary folders and files for tests that read data files (vectors, lexicons).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `medner-${prefix}-`));

/** `text` written as `name` in a new temporary folder; returns its path. */
export function tempFile(prefix: string, name: string, text: string): string {
  const path = join(tempDir(prefix), name);
  writeFileSync(path, text);
  return path;
}
