// Seed averages of taggers (`medner average-seeds`): the members' mean log-probabilities and transitions, decoded once; the same
// from the exported ONNX graph, where shared word vectors are stored once; and members that cannot be combined refused.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Doc } from "../../core/index.ts";
import { initBackend, type BackendInfo } from "../../trainer/backend.ts";
import { readCorpus } from "../../trainer/corpus/index.ts";
import { loadConfig, type TaggerConfig } from "../../trainer/model/config.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { SeedAverageTagger } from "../../trainer/model/seed-average.ts";
import { runTraining } from "../../trainer/run-training.ts";
import { medner, ROOT } from "./cli.ts";
import { exportFp32, expectSameEntities } from "./onnx-parity.ts";
import { tempDir, tempFile } from "./temp.ts";

const CORPUS = join(ROOT, "tests/fixtures/corpora/clinical-small.json");
const CONFIG = join(ROOT, "tests/fixtures/tiny-config.json");
const tmp = () => tempDir("seed-average");

let backend: BackendInfo;
let docs: Doc[];
const members: string[] = [];
let averaged: string;
let vectorsConfig: TaggerConfig;

beforeAll(async () => {
  backend = await initBackend();
  docs = readCorpus(CORPUS).docs;
  // A CRF layer (transitions to average) and word vectors (a frozen table the members share).
  const vectors = tempFile("seed-average", "vectors.txt", "aspirin 1 0 0 1\nmetformin 0 1 1 0\nhypertension 1 1 0 0\ndiabetes 0 0 1 1\npain 1 0 1 0\n");
  vectorsConfig = loadConfig(CONFIG, ["model.crf=true", "training.maxSteps=60", "training.evalEvery=30"]);
  vectorsConfig.features.attributes.push({ type: "vectors", path: vectors, rows: 5, dim: 4 });
  for (const seed of [3, 4]) {
    const out = tmp();
    await runTraining({ config: { ...vectorsConfig, seed }, train: docs, dev: docs, out, backend, dataDescription: { train: CORPUS } });
    members.push(join(out, "model-best"));
  }
  averaged = join(tmp(), "averaged");
  const r = medner("average-seeds", "--out", averaged, ...members, "--json");
  if (r.code !== 0) throw new Error(r.stderr);
  expect(JSON.parse(r.stdout)).toEqual({ out: averaged, members, labels: ["DISEASE", "MEDICATION", "TREATMENT"] });
}, 180_000);

describe("medner average-seeds", () => {
  it("averages the members' log-probabilities (renormalized per token) and transitions, and decodes the mean", () => {
    const e = loadTagger(averaged);
    expect(e).toBeInstanceOf(SeedAverageTagger);
    const [a, b] = members.map(loadTagger);
    const feats = docs.slice(0, 5).map((d) => a!.featurize(d.text));
    const [la, lb, le] = [a!.logProbs(feats), b!.logProbs(feats), e.logProbs(feats)];
    expect(Array.from(la).some((v, i) => Math.abs(v - lb[i]!) > 1e-3)).toBe(true); // the members differ
    const K = a!.tags.length;
    for (let t = 0; t < le.length / K; t++) {
      const mean = Array.from({ length: K }, (_, k) => (la[t * K + k]! + lb[t * K + k]!) / 2);
      const norm = Math.log(mean.reduce((acc, v) => acc + Math.exp(v), 0));
      mean.forEach((v, k) => expect(le[t * K + k]).toBeCloseTo(v - norm, 5));
    }
    const [ta, tb, te] = [a!.transitions()!, b!.transitions()!, e.transitions()!];
    te.forEach((v, i) => expect(v).toBeCloseTo((ta[i]! + tb[i]!) / 2, 5));
    // Decoding is the first member's Viterbi on the mean.
    const texts = docs.slice(0, 5).map((d) => d.text);
    const want = feats.map((f, i) => a!.decode(f, texts[i]!, le.subarray(feats.slice(0, i).reduce((n, x) => n + x.tokens.length, 0) * a!.tags.length).subarray(0, f.tokens.length * a!.tags.length), te));
    expect(e.predict(texts, { documentRules: false })).toEqual(want);
    for (const t of [a!, b!, e]) t.dispose();
  });

  it("evaluate and predict take the seed-average folder", () => {
    const r = medner("evaluate", "--model", averaged, "--data", CORPUS, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).micro.f1).toBeGreaterThan(0.5);
    const p = medner("predict", "--model", averaged, "--text", "Pt with HTN on aspirin.", "--json");
    expect(p.code).toBe(0);
  });

  it("exports one ONNX graph that finds what the tfjs seed average finds, with the shared vectors stored once", async () => {
    const { dir, manifest, engine } = await exportFp32(averaged, "ens", docs);
    const tfjs = loadTagger(averaged);
    const texts = docs.map((d) => d.text);
    expectSameEntities(await engine.predict(texts, { documentRules: false }), tfjs.predict(texts, { documentRules: false }));
    expect(manifest.transitions).toEqual(Array.from(tfjs.transitions()!));
    expect(manifest.source).toMatchObject({ members: 2, seed: [3, 4] });
    tfjs.dispose();
    // Every member has its own tables, but the vector table (attribute 5) is the first member's constant.
    const graph = readFileSync(join(dir, "model.onnx"));
    expect(graph.includes(Buffer.from("m1.embed.5"))).toBe(false);
    expect(graph.includes(Buffer.from("m1.embed.0"))).toBe(true);
  });

  it('writes format "medner-seed-average" and still reads folders written as "medner-ensemble"', () => {
    const json = JSON.parse(readFileSync(join(averaged, "model.json"), "utf8")) as { format: string };
    expect(json.format).toBe("medner-seed-average");
    const legacy = join(tmp(), "legacy");
    cpSync(averaged, legacy, { recursive: true });
    writeFileSync(join(legacy, "model.json"), JSON.stringify({ ...json, format: "medner-ensemble" }));
    const e = loadTagger(legacy);
    expect(e).toBeInstanceOf(SeedAverageTagger);
    expect((e as SeedAverageTagger).members).toHaveLength(2);
    e.dispose();
  });

  it("refuses a member that is not the one it was made of", () => {
    const copy = join(tmp(), "averaged");
    cpSync(averaged, copy, { recursive: true });
    cpSync(members[0]!, join(copy, "members", "1"), { recursive: true });
    expect(() => loadTagger(copy)).toThrow(/^E302: .*members\/1: not the member this seed average was made of/);
    expect(medner("evaluate", "--model", copy, "--data", CORPUS)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E302: .*not the member this seed average was made of/) });
  });

  it("refuses one model, a seed average as a member, a model twice, and an --out that would replace a member, with one line", () => {
    expect(medner("average-seeds", "--out", tmp(), members[0]!, members[0]!)).toMatchObject({ code: 1, stderr: expect.stringMatching(/is the same model as an earlier member/) });
    expect(medner("average-seeds", "--out", join(members[0]!, ".."), ...members)).toMatchObject({ code: 1, stderr: expect.stringMatching(/would replace the model/) });
    expect(readFileSync(join(members[0]!, "model.json"), "utf8")).toContain('"medner-tagger"');
    expect(medner("average-seeds", "--out", tmp(), members[0]!)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E301: a seed average needs at least 2 models, got 1\n$/) });
    expect(medner("average-seeds", "--out", tmp(), averaged, members[0]!)).toMatchObject({ code: 1, stderr: expect.stringMatching(/is a seed average itself/) });
    expect(medner("average-seeds", "--out", tmp(), members[0]!, "/nope")).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E302: \/nope: no such model directory\n$/) });
  });

  it("refuses members trained on different data", async () => {
    const out = tmp();
    await runTraining({ config: { ...vectorsConfig, training: { ...vectorsConfig.training, maxSteps: 2, evalEvery: 2 } }, train: docs.slice(0, 6), dev: docs.slice(0, 6), out, backend, dataDescription: {} });
    const r = medner("average-seeds", "--out", tmp(), members[0]!, join(out, "model-best"));
    expect(r).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E301: .* were trained on different data/) });
  }, 60_000);

  it("refuses members whose features differ", async () => {
    const out = tmp();
    const other = { ...vectorsConfig, features: { ...vectorsConfig.features, dim: 16 }, training: { ...vectorsConfig.training, maxSteps: 2, evalEvery: 2 } };
    await runTraining({ config: other, train: docs, dev: docs.slice(0, 4), out, backend, dataDescription: {} });
    const r = medner("average-seeds", "--out", tmp(), members[0]!, join(out, "model-best"));
    expect(r).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E301: .* featurize differently/) });
  }, 60_000);
});
