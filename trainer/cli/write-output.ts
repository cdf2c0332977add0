// Writing a command's output file: a path that cannot be written is one E404 line, like every other bad input.
import { writeFileSync } from "node:fs";
import { MednerError } from "../../core/index.ts";

export function writeOutput(path: string, data: string): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw new MednerError("E404", `cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
