// Training options beyond the basic loop: partially annotated extra corpora (`medner train --partial`, loss
// −log Σ_allowed p), spaCy-style parameter averaging (`training.averaging`) and known-word limits on whole-word
// attributes (`minCount`).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { featurize, PAD, rowFor, tagNames, tokenize, withKnownWords, type Doc, type FeaturizerConfig } from "../../core/index.ts";
import { initBackend, type BackendInfo } from "../../trainer/backend.ts";
import { readCorpus } from "../../trainer/corpus/index.ts";
import { averageDecay, ParamAverages } from "../../trainer/model/averages.ts";
import { loadConfig } from "../../trainer/model/config.ts";
import { HashEmbed } from "../../trainer/model/hash-embed.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { Tagger } from "../../trainer/model/tagger.ts";
import { runTraining } from "../../trainer/run-training.ts";
import { evaluateTagger, corpusLabels, partialNll, toExamples } from "../../trainer/training-loop.ts";
import { medner, ROOT } from "./cli.ts";
import { exportFp32, expectSameEntities } from "./onnx-parity.ts";

const CORPUS = join(ROOT, "tests/fixtures/corpora/clinical-small.json");
const CONFIG = join(ROOT, "tests/fixtures/tiny-config.json");
const tmp = () => mkdtempSync(join(tmpdir(), "medner-partial-"));

let backend: BackendInfo;
let docs: Doc[];
let stripped: Doc[];
const DROPPED = "MEDICATION";

beforeAll(async () => {
  backend = await initBackend();
  docs = readCorpus(CORPUS).docs;
  // The same notes annotated for every label but one, as NCBI-disease is annotated for diseases only.
  stripped = docs.map((d) => ({ ...d, entities: d.entities.filter((e) => e.label !== DROPPED) }));
});

const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));

describe("partial annotation", () => {
  it("the loss is −log Σ_allowed softmax, and plain cross-entropy when one tag is allowed", () => {
    const logits = [
      [1, 2, 0],
      [0.5, -1, 3],
    ];
    const allowed = [
      [1, 0, 0],
      [1, 1, 0],
    ];
    const got = tf.tidy(() => partialNll(tf.tensor2d(logits), tf.tensor2d(allowed.map((r) => r.map((m) => (m ? 0 : -1e9)))))).dataSync()[0]!;
    const want = ((lse(logits[0]!) - 1) + (lse(logits[1]!) - lse([0.5, -1]))) / 2;
    expect(got).toBeCloseTo(want, 5);
  });

  it("unlabelled tokens of a partial corpus may take O or any tag of a label it does not annotate", () => {
    expect(corpusLabels(docs)).toContain(DROPPED);
    const tagger = Tagger.create(loadConfig(CONFIG), corpusLabels(docs));
    const K = tagger.tags.length;
    const annotated = corpusLabels(stripped);
    const { examples } = toExamples(stripped, tagger, annotated);
    const full = toExamples(docs, tagger).examples;
    expect(full.map((e) => e.allowed)).toEqual(docs.map(() => undefined));
    const open = new Set(["O", ...tagNames([DROPPED], "BILOU")]);
    let openTokens = 0;
    examples.forEach((ex, d) => {
      ex.tags.forEach((tag, i) => {
        const allowed = tagger.tags.filter((_, k) => ex.allowed![i * K + k] === 1);
        if (tagger.tags[tag] === "O") {
          expect(new Set(allowed)).toEqual(open);
          openTokens++;
        } else expect(allowed).toEqual([tagger.tags[tag]]);
        // Where the full corpus has the dropped label, the partial corpus allows it.
        const fullTag = tagger.tags[full[d]!.tags[i]!]!;
        expect(allowed).toContain(fullTag);
      });
    });
    expect(openTokens).toBeGreaterThan(100);
    tagger.dispose();
  });

  it("a partial corpus does not teach that its unlabelled entities are O (unlike the same notes as full data)", async () => {
    const config = loadConfig(CONFIG, ["training.maxSteps=150"]);
    const recall = async (asPartial: boolean) => {
      const out = tmp();
      // Two copies without the label outweigh the one copy with it when they are (wrongly) taken as full annotation.
      const extra = [...stripped, ...stripped];
      await runTraining({
        config,
        train: asPartial ? docs : [...docs, ...extra],
        ...(asPartial ? { partial: [{ docs: extra, labels: corpusLabels(stripped) }] } : {}),
        dev: docs,
        out,
        backend,
        dataDescription: {},
      });
      const tagger = loadTagger(join(out, "model-last"));
      const r = evaluateTagger(tagger, docs).labels[DROPPED]!.recall;
      tagger.dispose();
      return r;
    };
    const partial = await recall(true);
    const full = await recall(false);
    expect(partial).toBeGreaterThanOrEqual(0.9);
    expect(full).toBeLessThan(partial - 0.3);
  }, 120_000);
  it("medner train --partial reads the corpus, names the labels it annotates, and records it in metrics.json", () => {
    const dir = tmp();
    const partialPath = join(dir, "no-medications.json");
    writeFileSync(partialPath, JSON.stringify(stripped.map((d) => ({ text: d.text, entities: d.entities.map((e) => ({ start: e.start, end: e.end, label: e.label })) }))));
    const r = medner("train", "--data", CORPUS, "--dev", CORPUS, "--partial", partialPath, "--config", CONFIG, "--set", "training.maxSteps=20", "--set", "training.evalEvery=10", "--out", join(dir, "out"));
    expect(r.stderr).toContain(`+ ${stripped.length} from ${partialPath} (annotates ${corpusLabels(stripped).join(", ")})`);
    expect(r.code).toBe(0);
    const metrics = JSON.parse(readFileSync(join(dir, "out", "metrics.json"), "utf8"));
    expect(metrics.data.partial).toBe(partialPath);
    expect(metrics.history).toHaveLength(2);
  }, 60_000);
});

describe("parameter averaging", () => {
  it("decays as thinc's: (1 + step) / (10 + step), capped at 0.9999", () => {
    expect(averageDecay(0)).toBeCloseTo(0.1, 10);
    expect(averageDecay(90)).toBeCloseTo(0.91, 10);
    expect(averageDecay(1e6)).toBe(0.9999);
  });

  it("tracks a moving average of dense and embedding weights, and swaps it in and out", () => {
    const w = tf.variable(tf.tensor2d([[1, 2]]));
    const params = new Map([["w", w]]);
    const embed = new HashEmbed([Float32Array.from([1, -1])], [1], [2], [1], [false]);
    const avg = new ParamAverages(params, embed);
    w.assign(tf.tensor2d([[3, 6]]));
    embed.tables[0]!.set([5, 3]);
    avg.update(1); // k = 1 − 2/11 = 9/11
    const k = 9 / 11;
    avg.swap();
    expect([...w.dataSync()].map((x) => +x.toFixed(5))).toEqual([1 + 2 * k, 2 + 4 * k].map((x) => +x.toFixed(5)));
    expect([...embed.tables[0]!].map((x) => +x.toFixed(5))).toEqual([1 + 4 * k, -1 + 4 * k].map((x) => +x.toFixed(5)));
    expect(avg.swapped).toBe(true);
    avg.swap();
    expect([...w.dataSync()]).toEqual([3, 6]);
    expect([...embed.tables[0]!]).toEqual([5, 3]);
    avg.dispose();
    w.dispose();
  });

});

describe("known words", () => {
  const config: FeaturizerConfig = {
    attributes: [
      { type: "norm", rows: 1000, minCount: 2 },
      { type: "suffix", length: 3, rows: 500 },
    ],
    seeds: 2,
  };
  const tokens = tokenize("Aspirin and aspirin, then heparin.");

  it("keeps rows only for whole words seen minCount times; other attributes are untouched", () => {
    const known = withKnownWords(config, tokens.map((t) => t.text));
    // "aspirin" twice (norm folds case); "and", "then", "heparin", "," and "." once.
    expect(known.attributes[0]).toMatchObject({ minCount: 2, known: [expect.any(Number)] });
    expect(known.attributes[1]).toEqual(config.attributes[1]);
    const ids = featurize(tokenize("aspirin heparin warfarin"), known);
    const norm = (t: number) => [...ids.subarray(t * 4, t * 4 + 2)];
    const suffix = (t: number) => [...ids.subarray(t * 4 + 2, t * 4 + 4)];
    expect(norm(0)).toEqual([...featurize(tokenize("aspirin"), config).subarray(0, 2)]);
    expect(norm(0)).not.toContain(PAD);
    expect(norm(1)).toEqual([PAD, PAD]);
    expect(norm(2)).toEqual([PAD, PAD]);
    // Suffixes keep their rows, known word or not.
    ["aspirin", "heparin", "warfarin"].forEach((w, t) => expect(suffix(t)).toEqual([...featurize(tokenize(w), config).subarray(2, 4)]));
    expect(suffix(2)).not.toContain(PAD);
    // Without minCount nothing changes.
    expect(withKnownWords({ ...config, attributes: [config.attributes[1]!] }, ["x"])).toEqual({ ...config, attributes: [config.attributes[1]!] });
  });
});

describe("a model with averaging and known words", () => {
  it("fits the small corpus, and its ONNX export (where unknown words read the zero row) predicts what tfjs does", async () => {
    const out = tmp();
    const config = loadConfig(CONFIG, ["training.averaging=true"]);
    config.features.attributes[0] = { type: "norm", rows: 3000, minCount: 1 };
    await runTraining({ config, train: docs, dev: docs, out, backend, dataDescription: {} });
    const best = loadTagger(join(out, "model-best"));
    expect(best.config.training.averaging).toBe(true);
    const norm = best.config.features.attributes[0]!;
    if (norm.type !== "norm") throw new Error("the first attribute is norm");
    expect(norm.known?.length).toBeGreaterThan(300);
    expect(evaluateTagger(best, docs).micro.f1).toBeGreaterThanOrEqual(0.95);

    const { dir, manifest, engine } = await exportFp32(join(out, "model-best"), "clinical", docs);
    expect(manifest.featurizer.config.attributes[0].known).toEqual(norm.known);
    // The graph keeps only the rows known words reach (each word's `seeds` rows, plus the zero row), behind a row map.
    const initializers = onnxProto.onnx.ModelProto.decode(readFileSync(join(dir, "model.onnx"))).graph!.initializer!;
    const table = initializers.find((t) => t.name === "embed.0")!;
    const reachable = new Set(norm.known!.flatMap((h) => Array.from({ length: config.features.seeds }, (_, k) => rowFor(h, k, 3000))));
    expect(table.dims!.map(Number)).toEqual([reachable.size + 1, config.features.dim]);
    expect(initializers.find((t) => t.name === "embed.0.rowmap")!.dims!.map(Number)).toEqual([3001]);
    // Words the corpus never has (zzyzx, qwertiol) next to ones it has.
    const texts = ["Pt started on qwertiol 5 mg for zzyzx; h/o HTN on lisinopril.", ...docs.slice(0, 3).map((d) => d.text)];
    const fromTfjs = best.predict(texts, { documentRules: false });
    const fromOnnx = await engine.predict(texts, { documentRules: false });
    expect(fromTfjs[0]!.length).toBeGreaterThan(0);
    expectSameEntities(fromOnnx, fromTfjs);
    best.dispose();
  }, 120_000);
});
