// One error for a data file the trainer cannot read (word vectors, lexicons), naming the command that writes the file
// when it is not there.
import { MednerError } from "../../core/index.ts";

export function unreadable(code: "E303" | "E304", path: string, what: string, err: unknown, fetch: string): MednerError {
  const hint = (err as NodeJS.ErrnoException).code === "ENOENT" ? `; ${fetch}` : "";
  return new MednerError(code, `${path}: cannot read the ${what} (${(err as Error).message})${hint}`);
}
