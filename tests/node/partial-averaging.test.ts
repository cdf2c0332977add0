// Two training options: partially annotated extra corpora (`medner train --partial`, loss −log Σ_allowed p) and
// spaCy-style parameter averaging (`training.averaging`).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { tagNames, type Doc } from "../../core/index.ts";
import { initBackend, type BackendInfo } from "../../trainer/backend.ts";
import { readCorpus } from "../../trainer/corpus/index.ts";
import { averageDecay, ParamAverages } from "../../trainer/model/averages.ts";
import { loadConfig } from "../../trainer/model/config.ts";
import { HashEmbed } from "../../trainer/model/hash-embed.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { Tagger } from "../../trainer/model/tagger.ts";
import { runTraining } from "../../trainer/run-training.ts";
import { evaluateTagger, labelsOf, partialNll, toExamples } from "../../trainer/train.ts";
import { ROOT } from "./cli.ts";

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
    expect(labelsOf(docs)).toContain(DROPPED);
    const tagger = Tagger.create(loadConfig(CONFIG), labelsOf(docs));
    const K = tagger.tags.length;
    const annotated = labelsOf(stripped);
    const { examples } = toExamples(stripped, tagger, annotated);
    const full = toExamples(docs, tagger).examples;
    expect(full.every((e) => e.allowed === undefined)).toBe(true);
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
        ...(asPartial ? { partial: [{ docs: extra, labels: labelsOf(stripped) }] } : {}),
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
    const embed = new HashEmbed([Float32Array.from([1, -1])], [1], 2, [1], [false]);
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

  it("a model trained with averaging fits the small corpus, and what it saved is the averaged weights", async () => {
    const out = tmp();
    const config = loadConfig(CONFIG, ["training.averaging=true"]);
    await runTraining({ config, train: docs, dev: docs, out, backend, dataDescription: {} });
    const best = loadTagger(join(out, "model-best"));
    expect(best.config.training.averaging).toBe(true);
    expect(evaluateTagger(best, docs).micro.f1).toBeGreaterThanOrEqual(0.95);
    best.dispose();
  }, 120_000);
});
