// The CRF layer (`model.crf`): its loss gradient against finite differences, training with it, and the exported
// model's transitions giving the edge the same entities and scores as tfjs.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadExportedTagger, tagNames, transitionConstraints, type Doc } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { initBackend, type BackendInfo } from "../../trainer/backend.ts";
import { readCorpus } from "../../trainer/corpus/index.ts";
import { loadConfig } from "../../trainer/model/config.ts";
import { crfNll } from "../../trainer/model/crf-loss.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { rng } from "../../trainer/model/rng.ts";
import { runTraining } from "../../trainer/run-training.ts";
import { evaluateTagger } from "../../trainer/training-loop.ts";
import { ROOT } from "./cli.ts";
import { exportFp32, expectSameEntities } from "./onnx-parity.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "medner-crf-"));
let backend: BackendInfo;
let docs: Doc[];

beforeAll(async () => {
  backend = await initBackend();
  docs = readCorpus(join(ROOT, "tests/fixtures/corpora/clinical-small.json")).docs;
});

describe("the CRF loss", () => {
  it("has the gradient finite differences give, for logits and transitions, on full and partial annotations", () => {
    const tags = tagNames(["DRUG"], "BILOU");
    const K = tags.length;
    const c = transitionConstraints(tags, "BILOU");
    const random = rng(5);
    const lengths = [4, 3];
    const n = 7;
    const logits = Array.from({ length: n * K }, () => random() * 4 - 2);
    const trans = Array.from({ length: K * K }, () => random() - 0.5);
    // Document 1, fully annotated: O U-DRUG O O (one tag allowed per token). Document 2, partial: any tag but the
    // last token must be O.
    const gold = ["O", "U-DRUG", "O", "O"].map((t) => tags.indexOf(t));
    const allowed = new Uint8Array(n * K);
    gold.forEach((k, t) => (allowed[t * K + k] = 1));
    for (let t = 4; t < 7; t++) for (let k = 0; k < K; k++) allowed[t * K + k] = t < 6 || tags[k] === "O" ? 1 : 0;
    const loss = crfNll(lengths, allowed, c);
    const value = (l: number[], tr: number[]) => tf.tidy(() => loss(tf.tensor2d(l, [n, K]), tf.tensor2d(tr, [K, K])).dataSync()[0]!);
    const [gl, gt] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor2D, b as tf.Tensor2D))([tf.tensor2d(logits, [n, K]), tf.tensor2d(trans, [K, K])]).map((g) => [...g.dataSync()]));
    expect(value(logits, trans)).toBeGreaterThan(0);
    const h = 1e-2;
    const numeric = (v: number[], i: number, f: (w: number[]) => number) => {
      const up = [...v];
      const down = [...v];
      up[i]! += h;
      down[i]! -= h;
      return (f(up) - f(down)) / (2 * h);
    };
    for (const i of [0, 5, 9, 17, 30, 34]) expect(gl![i]).toBeCloseTo(numeric(logits, i, (l) => value(l, trans)), 3);
    // Allowed transitions (O→B, B→I, I→L, L→O, O→U, U→O) and one the scheme forbids (O→I: gradient 0).
    const at = (a: string, b: string) => tags.indexOf(a) * K + tags.indexOf(b);
    for (const i of [at("O", "B-DRUG"), at("B-DRUG", "I-DRUG"), at("I-DRUG", "L-DRUG"), at("O", "U-DRUG"), at("U-DRUG", "O"), at("O", "O")])
      expect(gt![i]).toBeCloseTo(numeric(trans, i, (tr) => value(logits, tr)), 3);
    expect(gt![at("O", "I-DRUG")]).toBe(0);
  });
});

describe("a tagger with a CRF layer", () => {
  it("fits the small corpus; its export carries the transitions and the edge finds the same entities and scores", async () => {
    const out = tmp();
    const config = loadConfig(join(ROOT, "tests/fixtures/tiny-config.json"), ["model.crf=true"]);
    await runTraining({ config, train: docs, dev: docs, out, backend, dataDescription: {} });
    const best = loadTagger(join(out, "model-best"));
    expect(best.config.model.crf).toBe(true);
    expect(evaluateTagger(best, docs).micro.f1).toBeGreaterThanOrEqual(0.95);
    const transitions = best.transitions()!;
    expect(transitions.length).toBe(best.tags.length ** 2);
    expect(transitions.some((v) => Math.abs(v) > 0.01)).toBe(true);

    const { manifest, engine } = await exportFp32(join(out, "model-best"), "crf", docs);
    expect(manifest.transitions).toEqual(Array.from(transitions));
    const texts = ["Pt with HTN and DM2 on metformin 500 mg BID, s/p CABG.", ...docs.slice(0, 4).map((d) => d.text)];
    // The networks and the decoders, without the document rules (which could fill in what one engine missed).
    const fromTfjs = best.predict(texts, { documentRules: false });
    const fromOnnx = await engine.predict(texts, { documentRules: false });
    expect(fromTfjs.flat().length).toBeGreaterThan(3);
    expectSameEntities(fromOnnx, fromTfjs);
    best.dispose();
  }, 120_000);

  it("a manifest whose transitions do not fit its tags is refused at load", async () => {
    const dir = join(ROOT, "tests/fixtures/models/tiny-tagger");
    const read = async (f: string) => {
      const bytes = new Uint8Array(readFileSync(join(dir, f)));
      if (f !== "manifest.json") return bytes;
      return new TextEncoder().encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(bytes)), transitions: [0, 1, 2] }));
    };
    await expect(loadExportedTagger(read, createNodeRunner)).rejects.toThrow(/E401: manifest.json: transitions has 3 values, expected \d+ \(tags × tags\)/);
  });
});
