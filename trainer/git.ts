// The commit a model was built from, recorded in every manifest the trainer writes.
import { execFileSync } from "node:child_process";

/** The checkout's HEAD, or null outside a git checkout (a model built from a tarball still exports). */
export function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}
