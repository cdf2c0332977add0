// Pretrained word vectors (the `vectors` feature): reading vector files, the frozen table ordered by word hash, the
// featurizer's lookup shared with the edge, and what vectors are for — recognising words training never saw.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { featurize, loadExportedTagger, PAD, tokenize, valueHash, type Doc, type FeaturizerConfig } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { initBackend, type BackendInfo } from "../../trainer/backend.ts";
import { loadConfig, type TaggerConfig } from "../../trainer/model/config.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { rng } from "../../trainer/model/rng.ts";
import { Tagger } from "../../trainer/model/tagger.ts";
import { prepareVectors, readVectors } from "../../trainer/model/vectors.ts";
import { runTraining } from "../../trainer/run-training.ts";
import { evaluateTagger } from "../../trainer/training-loop.ts";
import { exportModel } from "../../trainer/export/export-model.ts";
import { medner, ROOT } from "./cli.ts";
import { exportFp32, expectSameEntities } from "./onnx-parity.ts";
import { tempDir, tempFile } from "./temp.ts";

const tmp = () => tempDir("vectors");
const write = (text: string) => tempFile("vectors", "vectors.txt", text);

describe("reading vector files", () => {
  it("reads GloVe text: the first N distinct lowercased words, the most frequent spelling winning", () => {
    const path = write("the 1 0 0\nAspirin 0 2 0\naspirin 9 9 9\nheparin 0 0 3\nwarfarin 1 1 1\n");
    const v = readVectors(path, 3);
    expect(v.words).toEqual(["the", "aspirin", "heparin"]);
    expect(v.dim).toBe(3);
    expect([...v.data]).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 3]);
  });

  it("skips a word2vec / fastText header line", () => {
    const v = readVectors(write("2 2\nfever 0.5 -0.5\ncough 1 2\n"), 10);
    expect(v.words).toEqual(["fever", "cough"]);
    expect([...v.data]).toEqual([0.5, -0.5, 1, 2]);
  });

  it("fails with file and line on a ragged or non-numeric row, and on a missing file", () => {
    const ragged = write("a 1 2\nb 1\n");
    expect(() => readVectors(ragged, 10)).toThrow(`E303: ${ragged}:2: expected a word and 2 numbers, got 1 values`);
    expect(() => readVectors(write("a 1 x\n"), 10)).toThrow(/E303: .*:1: expected a word and 2 numbers/);
    expect(() => readVectors("/nonexistent/vectors.txt", 10)).toThrow(/^E303: \/nonexistent\/vectors.txt: cannot read the vectors file .*; `npm run vectors:fetch` writes vectors\/glove-wiki-100d.txt$/);
  });
});

describe("medner train with a vectors file that is not there", () => {
  it("fails with one line naming the fetch command, before training starts", () => {
    const r = medner("train", "--data", "tests/fixtures/corpora/clinical-small.json", "--out", join(tmp(), "out"), "--config", "models/custom/config-bc5cdr.json", "--set", "features.attributes.7.path=vectors/not-fetched.txt");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^medner: E303: vectors\/not-fetched.txt: cannot read the vectors file \(ENOENT.*\); `npm run vectors:fetch` writes vectors\/glove-wiki-100d.txt$/);
  });
});

describe("the vectors feature", () => {
  const path = write("the 3 4\naspirin 0 2\nheparin -1 0\n");
  const config: FeaturizerConfig = {
    attributes: [
      { type: "suffix", length: 3, rows: 100 },
      { type: "vectors", path, rows: 10, dim: 2 },
    ],
    seeds: 2,
  };

  it("orders unit-length rows by word hash, and the featurizer finds a word's row whatever its case", () => {
    const { features, fixed } = prepareVectors(config);
    const attr = features.attributes[1]!;
    if (attr.type !== "vectors") throw new Error("attribute 1 is vectors");
    expect(attr.rows).toBe(3);
    expect(attr.known).toEqual([...attr.known!].sort((a, b) => a - b));
    const table = fixed[1]!;
    expect(fixed[0]).toBeUndefined();
    const ids = featurize(tokenize("The ASPIRIN and heparin"), features);
    // 2 suffix slots + 1 vectors slot per token.
    const row = (t: number) => ids[t * 3 + 2]!;
    expect(row(2)).toBe(PAD);
    const vec = (r: number) => [...table.subarray(r * 2, r * 2 + 2)].map((x) => +x.toFixed(6));
    expect(vec(row(0))).toEqual([0.6, 0.8]);
    expect(vec(row(1))).toEqual([0, 1]);
    expect(vec(row(3))).toEqual([-1, 0]);
    // Not prepared (no `known`): no word has a vector.
    expect(featurize(tokenize("aspirin"), config)[2]).toBe(PAD);
  });

  it("refuses vectors of another width than the config says, and a tagger whose vectors were not loaded", () => {
    expect(() => prepareVectors({ ...config, attributes: [{ type: "vectors", path, rows: 10, dim: 3 }] })).toThrow(`E301: ${path}: the vectors have 2 dimensions, the config says dim 3`);
    const tagger = loadConfig(join(ROOT, "tests/fixtures/tiny-config.json"));
    const withVectors: TaggerConfig = { ...tagger, features: { ...tagger.features, attributes: [...tagger.features.attributes, config.attributes[1]!] } };
    expect(() => Tagger.create(withVectors, ["DRUG"])).toThrow(/E301: features.attributes\[5\]: the vectors from .* are not loaded/);
  });
});

describe("a tagger with word vectors", () => {
  // Two made-up classes of words whose spelling says nothing about their class (random letters) but whose vectors
  // do: the only way to label a name training never saw is its vector.
  const random = rng(11);
  const name = () => Array.from({ length: 7 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join("");
  const DIM = 16;
  const unit = () => Array.from({ length: DIM }, () => random() * 2 - 1);
  const centres = { DRUG: unit(), DISEASE: unit() };
  const names = { DRUG: Array.from({ length: 55 }, name), DISEASE: Array.from({ length: 55 }, name) };
  const templates = ["Patient has {} today .", "We noted {} again .", "No sign of {} ."];
  const context = [...new Set(templates.flatMap((t) => t.toLowerCase().split(" ")))].filter((w) => w !== "{}");
  const near = (c: number[]) => c.map((x) => x + (random() * 2 - 1) * 0.3);
  const lines = [
    ...context.map((w) => `${w} ${unit().join(" ")}`),
    ...(["DRUG", "DISEASE"] as const).flatMap((label) => names[label].map((n) => `${n} ${near(centres[label]).join(" ")}`)),
  ];
  const docsFor = (from: number, to: number): Doc[] =>
    (["DRUG", "DISEASE"] as const).flatMap((label) =>
      names[label].slice(from, to).flatMap((n, i) => {
        const t = templates[i % templates.length]!;
        const start = t.indexOf("{}");
        return [{ id: `${label}-${from + i}`, text: t.replace("{}", n), entities: [{ start, end: start + n.length, label }] }];
      }),
    );
  const train = docsFor(0, 30);
  const dev = docsFor(30, 40);
  const test = docsFor(40, 55);
  let backend: BackendInfo;
  let vectorsPath: string;
  const base = () => loadConfig(join(ROOT, "tests/fixtures/tiny-config.json"), ["training.maxSteps=150", "training.evalEvery=25", "training.patience=6"]);

  beforeAll(async () => {
    backend = await initBackend();
    vectorsPath = write(`${lines.join("\n")}\n`);
  });

  it("labels names it never saw by their vectors (and cannot without them); the table stays frozen; ONNX predicts what tfjs does", async () => {
    const plain = base();
    const outPlain = tmp();
    await runTraining({ config: plain, train, dev, out: outPlain, backend, dataDescription: {} });
    const withoutVectors = evaluateTagger(loadTagger(join(outPlain, "model-best")), test).micro.f1;

    const config = base();
    config.features.attributes.push({ type: "vectors", path: vectorsPath, rows: 1000, dim: DIM });
    const out = tmp();
    await runTraining({ config, train, dev, out, backend, dataDescription: {} });
    const best = loadTagger(join(out, "model-best"));
    const withVectors = evaluateTagger(best, test).micro.f1;
    expect(withVectors).toBeGreaterThanOrEqual(0.9);
    expect(withoutVectors).toBeLessThan(0.75);

    // Frozen: the saved table is the prepared one, unchanged by training.
    const prepared = prepareVectors(config.features);
    const a = config.features.attributes.length - 1;
    expect(best.embed.frozen[a]).toBe(true);
    expect(best.embed.tables[a]).toEqual(prepared.fixed[a]);

    const { dir: exported, manifest, engine } = await exportFp32(join(out, "model-best"), "vectors", dev);
    expect(manifest.featurizer.config.attributes[a].known).toEqual(prepared.features.attributes[a]!.type === "vectors" && prepared.features.attributes[a]!.known);
    // Unseen names, a word without any vector, and different casing.
    const texts = [...test.slice(0, 6).map((d) => d.text), `Patient has ${names.DRUG[50]!.toUpperCase()} today .`, "We noted qqqqqq again ."];
    const fromTfjs = best.predict(texts, { documentRules: false });
    const fromOnnx = await engine.predict(texts, { documentRules: false });
    expect(fromTfjs.flat().length).toBeGreaterThan(4);
    expectSameEntities(fromOnnx, fromTfjs);
    // A manifest whose word list does not fit its table is refused at load, not served with wrong rows.
    for (const known of [manifest.featurizer.config.attributes[a].known.slice(1), [...manifest.featurizer.config.attributes[a].known].reverse()]) {
      const broken = structuredClone(manifest);
      broken.featurizer.config.attributes[a].known = known;
      const read = async (f: string) => (f === "manifest.json" ? new TextEncoder().encode(JSON.stringify(broken)) : new Uint8Array(readFileSync(join(exported, f))));
      await expect(loadExportedTagger(read, createNodeRunner, { dtype: "fp32" })).rejects.toThrow(/^E401: manifest.json: featurizer attribute 5 \(vectors\) needs \d+ sorted word hashes in known/);
    }

    // Pruned for a Worker: the rows of the 10 most frequent words of the file (its context words come first), of the
    // extra words and of no others; every other answer of the model is unchanged where no dropped word is involved.
    const keep = context.slice(0, 10);
    const extra = names.DRUG.slice(0, 5);
    const pruned = tmp();
    const { manifest: small } = await exportModel({ modelDir: join(out, "model-best"), out: pruned, dtype: "fp32", name: "vectors", version: "1", vectorRows: 10, vectorWords: extra });
    const attr = config.features.attributes[a]!;
    expect(small.featurizer.config.attributes[a]).toMatchObject({ rows: 15, known: [...keep, ...extra].map((w) => valueHash(attr, a, w)).sort((x, y) => x - y) });
    expect(small.source).toMatchObject({ vectorRows: { [a]: 15 } });
    const smallEngine = await loadExportedTagger(async (f) => new Uint8Array(readFileSync(join(pruned, f))), createNodeRunner, { dtype: "fp32" });
    const keptOnly = [`Patient has ${extra[0]} today .`, `We noted ${extra[3]} again .`];
    expectSameEntities(await smallEngine.predict(keptOnly, { documentRules: false }), await engine.predict(keptOnly, { documentRules: false }));
    expect(statSync(join(pruned, "model.onnx")).size).toBeLessThan(statSync(join(exported, "model.onnx")).size);
    // Pruned into the folder of the unpruned fp32 export: the unpruned file is not kept beside the pruned manifest.
    const { manifest: mixed } = await exportModel({ modelDir: join(out, "model-best"), out: exported, dtype: "q8", name: "vectors", vectorRows: 10, vectorWords: extra });
    expect(Object.keys(mixed.files).sort()).toEqual(["model_quantized.onnx", "model_quantized.ort"]);
    best.dispose();
  }, 120_000);
});
