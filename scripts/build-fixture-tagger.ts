// Builds a fixture model: a tiny tagger trained on the small fixture corpus, exported to q8 ONNX, plus expected.json —
// the entities the Node engine finds in fixture sentences. The workerd tests check that the same model gives the same
// entities inside workerd. Run: npx tsx scripts/build-fixture-tagger.ts [tiny-tagger | tiny-tagger-crf]
//   tiny-tagger      the tiny config (tests/fixtures/tiny-config.json);
//   tiny-tagger-crf  the same with a CRF layer and the 2,000 most frequent GloVe words as frozen vectors (needs
//                    `npm run vectors:fetch`): the edge's path for transitions and vector lookups.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "../trainer/backend.ts";
import { readCorpus } from "../trainer/corpus/index.ts";
import { exportModel } from "../trainer/export/export-model.ts";
import { openModel } from "../trainer/model/any-model.ts";
import { loadConfig, type TaggerConfig } from "../trainer/model/config.ts";
import { runTraining } from "../trainer/run-training.ts";

export const FIXTURE_SENTENCES = [
  "Pt with HTN and COPD, started on lisinopril 10mg daily. Denies chest pain.",
  "s/p CABG 2019; on ASA 81 mg and metoprolol succinate 25 mg PO BID.",
  "No acute distress.",
  "Dialysis MWF for ESRD; insulin glargine 20 units qhs for T2DM 😷.",
  "",
];

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
  const model = await openModel(out);
  // The engine alone: the workerd test compares engines, which the document rules could paper over.
  const entities = await model.predict(FIXTURE_SENTENCES, { documentRules: false });
  writeFileSync(join(out, "expected.json"), `${JSON.stringify({ sentences: FIXTURE_SENTENCES, entities }, null, 2)}\n`);
  process.stderr.write(`wrote ${out}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
