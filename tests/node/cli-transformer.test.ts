// `medner predict` and `evaluate` on a transformer folder, as a user runs them after `models:import`: the tiny
// generated transformer, checked against transformers.js's pipeline on the very same files.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { tinyTransformerFixture } from "../fixtures/tiny-transformer.ts";
import { medner } from "./cli.ts";

describe("the CLI on a transformer folder", async () => {
  const tiny = await tinyTransformerFixture();
  const dir = mkdtempSync(join(tmpdir(), "medner-cli-transformer-"));
  for (const [f, b64] of Object.entries(tiny.files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), Buffer.from(b64, "base64"));
  }
  const text = tiny.texts[0]!;

  it("predict --aggregation none gives each piece's B-/I- tag and index as the pipeline does", () => {
    const r = medner("predict", "--model", dir, "--text", text, "--aggregation", "none", "--json", "--no-context");
    expect(r.code).toBe(0);
    const ours = JSON.parse(r.stdout).entities as Array<{ tag: string; index: number; score: number; start: number; end: number; text: string }>;
    const theirs = tiny.reference.none[0]!.filter((t) => t.entity !== "O");
    expect(theirs.length).toBeGreaterThan(5);
    expect(ours.map((e) => [e.tag, e.index])).toEqual(theirs.map((t) => [t.entity, t.index]));
    ours.forEach((e, k) => expect(e.score).toBeCloseTo(theirs[k]!.score, 4));
    for (const e of ours) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it("predict groups with --aggregation simple, and names a wrong strategy in one line", () => {
    const r = medner("predict", "--model", dir, "--text", text, "--aggregation", "simple", "--json", "--no-context");
    const theirs = tiny.reference.simple[0]!.filter((g) => g.entity_group !== "O");
    expect(JSON.parse(r.stdout).entities.length).toBe(theirs.length);
    const bad = medner("predict", "--model", dir, "--text", text, "--aggregation", "mean");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^medner: .*--aggregation.*mean/)]);
  });

  it("evaluate scores it on a corpus, with window options", () => {
    const r = medner("evaluate", "--model", dir, "--data", "data/clinical-notes/dev.json", "--json", "--window-tokens", "64", "--window-overlap", "8");
    expect(r.code).toBe(0);
    const scores = JSON.parse(r.stdout);
    // Random weights: the numbers mean nothing, but they are numbers over the corpus's labels.
    expect(Object.keys(scores.labels).sort()).toEqual(["DISEASE", "MEDICATION", "TREATMENT"]);
    expect(scores.micro.f1).toBeGreaterThanOrEqual(0);
    expect(medner("evaluate", "--model", dir, "--data", "data/clinical-notes/dev.json", "--window-tokens", "1").code).toBe(1);
  });
});
