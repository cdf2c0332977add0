// Long notes in pieces: each run keeps part of a note and sees the model's receptive field of context on both sides,
// which gives exactly the answer of the whole note at a fraction of the activation memory (the Worker's budget).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifest, planPieces, TaggerEngine } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { ROOT } from "./cli.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");

describe("planPieces", () => {
  it.each([
    { n: 10, size: 16, context: 2, pieces: [[0, 10, 0, 10]] },
    { n: 40, size: 16, context: 2, pieces: [[0, 14, 0, 12], [10, 26, 12, 24], [22, 38, 24, 36], [34, 40, 36, 40]] },
    { n: 36, size: 16, context: 2, pieces: [[0, 14, 0, 12], [10, 26, 12, 24], [22, 36, 24, 36]] },
    { n: 40, size: 16, context: undefined, pieces: [[0, 40, 0, 40]] },
    { n: 40, size: 4, context: 2, pieces: [[0, 40, 0, 40]] },
    { n: 0, size: 16, context: 2, pieces: [[0, 0, 0, 0]] },
  ])("$n tokens in runs of $size with context $context", ({ n, size, context, pieces }) => {
    expect(planPieces(0, n, size, context).map((p) => [p.from, p.to, p.start, p.end])).toEqual(pieces);
  });

  it("keeps every token exactly once, each with its context or the note's own edge, in runs no longer than the budget", () => {
    for (let n = 1; n < 300; n += 7)
      for (const [size, context] of [[16, 2], [64, 4], [9, 4], [257, 8]] as const) {
        const pieces = planPieces(3, n, size, context);
        expect(pieces.map((p) => [p.start, p.end]).flat()).toEqual([0, ...pieces.slice(1).flatMap((p) => [p.start, p.start]), n]);
        for (const p of pieces) {
          expect(p.to - p.from).toBeLessThanOrEqual(Math.max(size, n <= size ? n : 0));
          expect(p.from).toBe(Math.max(0, p.start - context));
          expect(p.to).toBe(Math.min(n, p.end + context));
        }
      }
  });
});

describe("a long note in pieces", async () => {
  const raw = JSON.parse(readFileSync(join(FIXTURE, "manifest.json"), "utf8"));
  const runner = await createNodeRunner(new Uint8Array(readFileSync(join(FIXTURE, "model_quantized.onnx"))));
  const sentences = TAGGER_NOTES;
  const note = Array.from({ length: 12 }, (_, i) => sentences[i % sentences.length]).join(" ");
  // The tiny config's encoder: depth 2, window 1.
  const engine = (receptiveField: number, maxBatchTokens: number) => new TaggerEngine(parseManifest({ ...raw, receptiveField }, "manifest.json"), runner, { maxBatchTokens });

  it("finds exactly what the whole note finds, with the receptive field as context", async () => {
    const whole = await engine(2, 8192).predict([note, sentences[0]!], { documentRules: false });
    expect(whole[0]!.length).toBeGreaterThan(10);
    for (const budget of [8, 24, 100]) {
      const pieces = await engine(2, budget).predict([note, sentences[0]!], { documentRules: false });
      expect(pieces.map((es) => es.map(({ score, ...e }) => e))).toEqual(whole.map((es) => es.map(({ score, ...e }) => e)));
      pieces.flat().forEach((e, i) => expect(e.score).toBeCloseTo(whole.flat()[i]!.score, 5));
    }
  });

  it("and not with less context than the model sees (the check above can fail)", async () => {
    const whole = await engine(2, 8192).predict([note], { documentRules: false });
    const short = await engine(0, 8).predict([note], { documentRules: false });
    expect(short).not.toEqual(whole);
  });
});
