// The custom tagger end to end on a small fixture corpus: it fits, saves, loads, evaluates and survives interruption.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Doc } from "../../core/index.ts";
import { initBackend, type BackendInfo } from "../../trainer/backend.ts";
import { readCorpus } from "../../trainer/corpus/index.ts";
import { loadConfig } from "../../trainer/model/config.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { runTraining } from "../../trainer/run-training.ts";
import { evaluateTagger } from "../../trainer/training-loop.ts";
import { medner, ROOT } from "./cli.ts";

const CORPUS = join(ROOT, "tests/fixtures/corpora/clinical-small.json");
const CONFIG = join(ROOT, "tests/fixtures/tiny-config.json");
const tmp = () => mkdtempSync(join(tmpdir(), "medner-tagger-"));

let backend: BackendInfo;
let docs: Doc[];
let out: string;

beforeAll(async () => {
  backend = await initBackend();
  docs = readCorpus(CORPUS).docs;
  out = tmp();
  await runTraining({ config: loadConfig(CONFIG), train: docs, dev: docs, out, backend, dataDescription: { train: CORPUS, dev: CORPUS } });
}, 120_000);

describe("custom tagger", () => {
  it("fits a small corpus (F1 ≥ 0.95 on its own training set)", () => {
    const tagger = loadTagger(join(out, "model-best"));
    expect(evaluateTagger(tagger, docs).micro.f1).toBeGreaterThanOrEqual(0.95);
    tagger.dispose();
  });

  it("writes model-best, model-last, metrics.json with the history, and a training-curve picture", () => {
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(metrics.backend).toBe(backend.name);
    expect(metrics.history.length).toBeGreaterThan(0);
    expect(metrics.history[0]).toMatchObject({ step: 50, f1: expect.any(Number), loss: expect.any(Number) });
    expect(metrics.best.f1).toBe(Math.max(...metrics.history.map((h: { f1: number }) => h.f1)));
    const svg = readFileSync(join(out, "training-curve.svg"), "utf8");
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    const info = JSON.parse(readFileSync(join(out, "model-best/model.json"), "utf8"));
    expect(info.training).toMatchObject({ backend: backend.name, seed: 3, trainDataSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(existsSync(join(out, "model-last/weights.bin"))).toBe(true);
    // model-best is the best evaluation's model, not whatever model-last became after it (it is made of hard links
    // to the model-last files of that evaluation).
    const lastInfo = JSON.parse(readFileSync(join(out, "model-last/model.json"), "utf8"));
    expect(info.training.step).toBe(metrics.best.step);
    expect(lastInfo.training.step).toBe(metrics.history.at(-1).step);
    if (info.training.step !== lastInfo.training.step) expect(info.weights.sha256).not.toBe(lastInfo.weights.sha256);
  });

  it("save → load gives identical predictions, and the config round-trips", () => {
    const a = loadTagger(join(out, "model-best"));
    const b = loadTagger(join(out, "model-best"));
    const texts = docs.map((d) => d.text);
    const before = a.predict(texts);
    expect(before.flat().length).toBeGreaterThan(10);
    expect(b.predict(texts)).toEqual(before);
    expect(a.config).toEqual(loadConfig(CONFIG));
    a.dispose();
    b.dispose();
  });

  it("is reproducible: the same data, config and seed give the same weights on the same backend", async () => {
    const config = { ...loadConfig(CONFIG), training: { ...loadConfig(CONFIG).training, maxSteps: 20, evalEvery: 20 } };
    const [x, y] = [tmp(), tmp()];
    for (const dir of [x, y]) await runTraining({ config, train: docs, dev: docs, out: dir, backend, dataDescription: {} });
    expect(readFileSync(join(x, "model-best/weights.bin")).equals(readFileSync(join(y, "model-best/weights.bin")))).toBe(true);
  }, 60_000);

  it("an incomplete or corrupt model directory fails with a clear error naming what is wrong", () => {
    const dir = tmp();
    expect(() => loadTagger(join(dir, "nope"))).toThrow(/E302: .*nope: no such model directory/);
    expect(() => loadTagger(dir)).toThrow(/E302: .*model\.json is missing/);
    const copy = (name: string, content: string | Buffer) => writeFileSync(join(dir, name), content);
    copy("model.json", readFileSync(join(out, "model-best/model.json")));
    expect(() => loadTagger(dir)).toThrow(/E302: .*weights\.bin is missing/);
    const weights = readFileSync(join(out, "model-best/weights.bin"));
    copy("weights.bin", weights.subarray(0, weights.length - 8));
    expect(() => loadTagger(dir)).toThrow(/E302: .*weights\.bin: sha256 mismatch .*truncated or modified/);
    const tampered = Buffer.from(weights);
    tampered[100]! ^= 0xff;
    copy("weights.bin", tampered);
    expect(() => loadTagger(dir)).toThrow(/sha256 mismatch/);
    const info = JSON.parse(readFileSync(join(out, "model-best/model.json"), "utf8"));
    copy("weights.bin", weights);
    copy("model.json", JSON.stringify({ ...info, config: { ...info.config, model: { ...info.config.model, width: "wide" } } }));
    expect(() => loadTagger(dir)).toThrow(/E301: .*model\.json: model\.width: /);
  });

  it("a run that ends between evaluations still evaluates its last steps, so model-best exists", async () => {
    const config = { ...loadConfig(CONFIG), training: { ...loadConfig(CONFIG).training, maxEpochs: 1, evalEvery: 1000 } };
    const dir = tmp();
    await runTraining({ config, train: docs, dev: docs, out: dir, backend, dataDescription: {} });
    expect(existsSync(join(dir, "model-best/model.json"))).toBe(true);
  });

  it("on interruption or an exception, model-last is still written", async () => {
    const config = { ...loadConfig(CONFIG), training: { ...loadConfig(CONFIG).training, evalEvery: 1000 } };
    const controller = new AbortController();
    const stopped = tmp();
    const r = await runTraining({ config, train: docs, dev: docs, out: stopped, backend, dataDescription: {}, signal: controller.signal, onEvent: (e) => e.step === 3 && controller.abort() });
    expect(r).toMatchObject({ interrupted: true, steps: 3 });
    expect(JSON.parse(readFileSync(join(stopped, "model-last/model.json"), "utf8")).training.step).toBe(3);
    expect(existsSync(join(stopped, "model-best"))).toBe(false);

    const crashed = tmp();
    await expect(
      runTraining({ config, train: docs, dev: docs, out: crashed, backend, dataDescription: {}, onEvent: (e) => { if (e.step === 2) throw new Error("disk full"); } }),
    ).rejects.toThrow("disk full");
    expect(loadTagger(join(crashed, "model-last")).labels).toEqual(["DISEASE", "MEDICATION", "TREATMENT"]);
  });
});

describe("medner train (CLI)", () => {
  it("Ctrl-C stops after the current step and still writes model-last", async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ["--import", "tsx", "trainer/cli/main.ts", "train", "--data", CORPUS, "--out", dir, "--config", CONFIG, "--set", "training.maxSteps=100000", "--set", "training.evalEvery=100000", "--set", "training.maxEpochs=100000"], { cwd: ROOT });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    // Wait until the progress bar (it reports every 10 s when stderr is not a terminal) shows steps were taken.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (!/step [1-9]\d*\//.test(stderr)) return;
        clearInterval(poll);
        resolve();
      }, 100);
    });
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toContain("interrupted: finishing the current step");
    expect(code).toBe(0);
    const info = JSON.parse(readFileSync(join(dir, "model-last/model.json"), "utf8"));
    expect(info.training.step).toBeGreaterThan(0);
  }, 60_000);
});

describe("medner evaluate and predict", () => {
  it("evaluate --json matches hand-computed numbers", () => {
    // Precondition: the model reproduces the fixture exactly, so every difference below is one we made by hand.
    // The tagger alone: the document rules have their own tests (core/document-rules.test.ts, and below).
    const exact = JSON.parse(medner("evaluate", "--model", join(out, "model-best"), "--data", CORPUS, "--json", "--no-document-rules").stdout);
    if (exact.micro.f1 !== 1) return expect.soft(exact.micro.f1, "fixture model no longer fits its corpus exactly").toBe(1);
    const edited = structuredClone(readCorpus(CORPUS).docs);
    const counts = { DISEASE: 0, MEDICATION: 0, TREATMENT: 0 } as Record<string, number>;
    for (const d of edited) for (const e of d.entities) counts[e.label]!++;
    // 1. drop one gold MEDICATION → the model's prediction becomes a MEDICATION false positive;
    const med = edited[0]!.entities.findIndex((e) => e.label === "MEDICATION");
    edited[0]!.entities.splice(med, 1);
    // 2. relabel one gold DISEASE as TREATMENT → DISEASE FP (predicted) + TREATMENT FN (gold);
    const dis = edited[1]!.entities.find((e) => e.label === "DISEASE")!;
    dis.label = "TREATMENT";
    // 3. add a gold TREATMENT over a token the model leaves alone → TREATMENT FN.
    const text = edited[2]!.text;
    const at = text.indexOf(" ") + 1;
    const end = text.indexOf(" ", at);
    edited[2]!.entities.push({ start: at, end, label: "TREATMENT" });
    const path = join(tmp(), "edited.jsonl");
    writeFileSync(path, edited.map((d) => JSON.stringify(d)).join("\n"));
    const r = medner("evaluate", "--model", join(out, "model-best"), "--data", path, "--json", "--no-document-rules");
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    const prf = (tp: number, fp: number, fn: number) => ({ precision: tp / (tp + fp), recall: tp / (tp + fn), f1: (2 * tp) / (2 * tp + fp + fn) });
    const M = counts.MEDICATION!;
    const D = counts.DISEASE!;
    const T = counts.TREATMENT!;
    const want = {
      MEDICATION: { ...prf(M - 1, 1, 0), support: M - 1 },
      DISEASE: { ...prf(D - 1, 1, 0), support: D - 1 },
      TREATMENT: { ...prf(T, 0, 2), support: T + 2 },
    };
    for (const [label, w] of Object.entries(want)) for (const [k, v] of Object.entries(w)) expect(got.labels[label][k]).toBeCloseTo(v, 10);
    const tp = M - 1 + D - 1 + T;
    expect(got.micro.precision).toBeCloseTo(tp / (tp + 2), 10);
    expect(got.micro.recall).toBeCloseTo(tp / (tp + 2), 10);
  });

  it("evaluate reads an IOB file without -DOCSTART- as sentences of one text: a definition reaches the sentences after it", () => {
    const sentences = [
      ["Pt", "O", "on", "O", "lisinopril", "B-MEDICATION", "(", "O", "LSN", "B-MEDICATION", ")", "O", "daily", "O", ".", "O"],
      ["LSN", "B-MEDICATION", "was", "O", "held", "O", "."],
    ];
    const iob = (docstart: boolean) =>
      (docstart ? "-DOCSTART-\tO\n\n" : "") +
      sentences.map((t) => t.map((x, i) => (i % 2 ? "" : `${x}\t${t[i + 1] ?? "O"}\n`)).join("")).join(docstart ? "\n-DOCSTART-\tO\n\n" : "\n");
    const stream = join(tmp(), "stream.tsv");
    writeFileSync(stream, iob(false));
    const evaluate = (...args: string[]) => JSON.parse(medner("evaluate", "--model", join(out, "model-best"), "--data", stream, "--json", ...args).stdout).micro;
    // Precondition: the tagger alone finds lisinopril, and neither LSN.
    expect(evaluate("--no-document-rules")).toMatchObject({ precision: 1, recall: 1 / 3 });
    expect(evaluate("--sentence-context", "0")).toMatchObject({ precision: 1, recall: 2 / 3 }); // the LSN in the parentheses
    expect(evaluate()).toMatchObject({ precision: 1, recall: 1 }); // the next sentence's LSN too
    // With -DOCSTART- lines the file holds its documents, and each is its own context.
    writeFileSync(stream, iob(true));
    expect(evaluate()).toMatchObject({ precision: 1, recall: 2 / 3 });
    expect(medner("evaluate", "--model", join(out, "model-best"), "--data", stream, "--sentence-context", "two")).toMatchObject({ code: 1, stderr: expect.stringMatching(/--sentence-context <n>.*a whole number of sentences/) });
  });

  it("train ends with model-best's dev F1 with the document rules, the number evaluate gives, also in metrics.json", () => {
    const dir = tmp();
    const stream = join(dir, "dev.tsv");
    writeFileSync(stream, "Pt\tO\non\tO\nlisinopril\tB-MEDICATION\n(\tO\nLSN\tB-MEDICATION\n)\tO\ndaily\tO\n\nLSN\tB-MEDICATION\nwas\tO\nheld\tO\n");
    const r = medner("train", "--data", CORPUS, "--dev", stream, "--config", CONFIG, "--set", "training.maxSteps=20", "--set", "training.evalEvery=10", "--out", join(dir, "out"), "--json");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    const metrics = JSON.parse(readFileSync(join(dir, "out", "metrics.json"), "utf8"));
    expect(metrics.withDocumentRules).toEqual(summary.withDocumentRules);
    expect(summary.withDocumentRules.context).toBe(20);
    const evaluated = JSON.parse(medner("evaluate", "--model", join(dir, "out", "model-best"), "--data", stream, "--json").stdout);
    expect(summary.withDocumentRules.micro).toEqual(evaluated.micro);
    expect(r.stderr).toContain(`model-best with the document rules, each dev sentence with the 20 before it: dev F1 ${evaluated.micro.f1.toFixed(4)}`);
  }, 60_000);

  it("predict --json gives entities whose offsets slice out their text", () => {
    const text = "Pt with HTN and COPD, started on lisinopril. Denies chest pain.";
    const r = medner("predict", "--model", join(out, "model-best"), "--text", text, "--json");
    expect(r.code).toBe(0);
    const { entities } = JSON.parse(r.stdout) as { entities: Array<{ start: number; end: number; text: string; label: string; score: number }> };
    // Marked by hand (data/clinical-notes/GUIDELINES.md), and found by a model that fits the small corpus.
    expect(entities.map((e) => [e.text, e.label])).toEqual(expect.arrayContaining([["HTN", "DISEASE"], ["COPD", "DISEASE"], ["lisinopril", "MEDICATION"]]));
    for (const e of entities) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(e.score).toBeGreaterThan(0);
      expect(e.score).toBeLessThanOrEqual(1);
    }
  });

  it("train --set with an unknown key, and a missing model, fail with one line", () => {
    expect(medner("train", "--out", tmp(), "--set", "model.colour=blue")).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E301: --set model\.colour=blue: unknown key "model\.colour"\n$/) });
    expect(medner("predict", "--model", "/nope", "--text", "x")).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E302: \/nope: no such model directory\n$/) });
  });
});
