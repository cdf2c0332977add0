// Builds a fixture model: a tiny tagger trained on the small fixture corpus, exported to q8 ONNX (manifest.json and
// model_quantized.onnx only). What it must find is not written here: tests work it out from the ONNX file itself
// (tests/fixtures/tagger-reference.ts) and check it against entities marked by hand (tests/fixtures/tagger-notes.ts).
// Run: npx tsx scripts/build-fixture-tagger.ts [tiny-tagger | tiny-tagger-crf]
//   tiny-tagger      the tiny config (tests/fixtures/tiny-config.json);
//   tiny-tagger-crf  the same with a CRF layer and the 2,000 most frequent GloVe words as frozen vectors (needs
//                    `npm run vectors:fetch`): the edge's path for transitions and vector lookups.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "../trainer/backend.ts";
import { readCorpus } from "../trainer/corpus/index.ts";
import { exportModel } from "../trainer/export/export-model.ts";
import { loadConfig, type TaggerConfig } from "../trainer/model/config.ts";
import { runTraining } from "../trainer/run-training.ts";
import { isMain } from "./is-main.ts";

/** Each fixture: what it changes in the tiny config. */
const FIXTURES: Record<string, (config: TaggerConfig) => void> = {
  "tiny-tagger": () => {},
  "tiny-tagger-crf": (config) => {
    config.model.crf = true;
    config.features.attributes.push({ type: "vectors", path: "vectors/glove-wiki-100d.txt", rows: 2000, dim: 100 });
  },
};

async function main(): Promise<void> {
  const name = process.argv[2] ?? "tiny-tagger";
  const change = FIXTURES[name];
  if (!change) throw new Error(`unknown fixture ${name}: ${Object.keys(FIXTURES).join(" or ")}`);
  const root = fileURLToPath(new URL("../", import.meta.url));
  // Paths in the config (the vectors file) are relative to the repository root, as the manifest records them.
  process.chdir(root);
  const out = join(root, "tests/fixtures/models", name);
  const backend = await initBackend();
  const docs = readCorpus(join(root, "tests/fixtures/corpora/clinical-small.json")).docs;
  const work = mkdtempSync(join(tmpdir(), "medner-fixture-"));
  const config = loadConfig(join(root, "tests/fixtures/tiny-config.json"));
  change(config);
  await runTraining({ config, train: docs, dev: docs, out: work, backend, dataDescription: { train: "tests/fixtures/corpora/clinical-small.json" } });
  await exportModel({ modelDir: join(work, "model-best"), out, dtype: "q8", name, version: "1", dev: docs });
  // The ORT-format twin is made when the tests start (tests/fixtures/tagger-with-ort.ts), so only the ONNX file is kept.
  rmSync(join(out, "model_quantized.ort"), { force: true });
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
  delete manifest.files["model_quantized.ort"];
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stderr.write(`wrote ${out}\n`);
}

if (isMain(import.meta.url)) await main();
