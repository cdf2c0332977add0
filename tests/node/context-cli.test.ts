// The CLI's side of context traits: readers keep them, convert writes them, explore counts them, context and
// evaluate-traits answer them, predict prints them — on the bundled notes and small corpora written here.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { medner, ROOT } from "./cli.ts";

const dev = JSON.parse(readFileSync(join(ROOT, "data/clinical-notes/dev.json"), "utf8")) as Array<{ entities: Array<{ traits?: string[] }> }>;
/** Counted straight from the file, without medner's reader. */
const devTraitCounts: Record<string, number> = {};
for (const d of dev) for (const e of d.entities) for (const t of e.traits ?? []) devTraitCounts[t] = (devTraitCounts[t] ?? 0) + 1;

const dir = mkdtempSync(join(tmpdir(), "medner-context-cli-"));
const note = "Pt denies chest pain. Mother had breast cancer. History of MI.";
const at = (w: string) => ({ start: note.indexOf(w), end: note.indexOf(w) + w.length });
const small = join(dir, "small.json");
writeFileSync(
  small,
  JSON.stringify([
    {
      id: "n1",
      text: note,
      entities: [
        { ...at("chest pain"), label: "DISEASE", traits: ["negated"] },
        { ...at("breast cancer"), label: "DISEASE", traits: ["family"] },
        // Deliberately wrong gold: "History of MI" is historical, so evaluate-traits must count a miss and a false positive.
        { ...at("MI"), label: "DISEASE", traits: ["uncertain"] },
      ],
    },
  ]),
);

describe("context traits in the CLI", () => {
  it("explore counts each trait as the corpus file holds them", () => {
    const r = medner("explore", "--data", "data/clinical-notes/dev.json", "--json");
    expect(r.code).toBe(0);
    expect(Object.keys(devTraitCounts).length).toBe(5);
    expect(JSON.parse(r.stdout).traits).toEqual(devTraitCounts);
  });

  it("convert keeps traits", () => {
    const out = join(dir, "small.jsonl");
    expect(medner("convert", "--data", small, "--out", out).code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8").trim()).entities.map((e: { traits?: string[] }) => e.traits)).toEqual([["negated"], ["family"], ["uncertain"]]);
  });

  it("evaluate-traits scores the rules' traits against the gold ones", () => {
    const r = medner("evaluate-traits", "--data", small, "--json");
    expect(r.code).toBe(0);
    const { traits, spans } = JSON.parse(r.stdout);
    expect(spans).toBe(3);
    expect(traits.negated).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(traits.family).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(traits.uncertain).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(traits.historical).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it("evaluate-traits refuses a corpus without traits, in one line", () => {
    const plain = join(dir, "plain.json");
    writeFileSync(plain, JSON.stringify([{ text: note, entities: [{ ...at("MI"), label: "DISEASE" }] }]));
    const r = medner("evaluate-traits", "--data", plain);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^medner: E201: .*no entity carries "traits"/)]);
  });

  it("context writes each entity with its traits, section and cue", () => {
    const r = medner("context", "--data", small);
    expect(r.code).toBe(0);
    const [doc] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(doc.entities.map((e: { traits: string[] }) => e.traits)).toEqual([["negated"], ["family"], ["historical"]]);
    expect(note.slice(doc.entities[0].cues[0].start, doc.entities[0].cues[0].end)).toBe("Pt denies");
  });

  it("predict prints traits, and --no-context leaves them out", () => {
    const on = medner("predict", "--model", "models/custom/default", "--text", note, "--json");
    const off = medner("predict", "--model", "models/custom/default", "--text", note, "--json", "--no-context");
    const names = (r: { stdout: string }) => JSON.parse(r.stdout).entities.map((e: { text: string; traits?: Array<{ name: string }> }) => [e.text, e.traits?.map((t) => t.name)]);
    // The shipped model finds these two (it misses "MI" here); the traits come from the context rules.
    expect(names(on).slice(0, 2)).toEqual([["chest pain", ["negated"]], ["breast cancer", ["family"]]]);
    expect(names(off).map(([text, traits]: [string, unknown]) => [text, traits])).toEqual(names(on).map(([text]: [string]) => [text, undefined]));
  });
});
