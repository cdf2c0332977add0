// Reading corpus files from disk.
import { readFileSync } from "node:fs";

/** File text without a leading byte-order mark (editors on Windows add one). */
export const readText = (path: string): string => readFileSync(path, "utf8").replace(/^\uFEFF/, "");
