// The bundled corpus: generated JSON matches its marked-up sources, and it is clean enough to train on.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CANONICAL_LABELS } from "../../core/index.ts";
import { buildClinicalNotes, parseMarkedLine, parseSourceFile, serialize } from "../../scripts/build-clinical-notes.ts";
import { readCorpus } from "../../trainer/corpus/index.ts";
import { explore } from "../../trainer/explore.ts";
import { ROOT } from "./cli.ts";

const DIR = `${ROOT}data/clinical-notes/`;

describe("data/clinical-notes", () => {
  it("train.json and dev.json are exactly what the sources build (run npm run data:build after editing)", () => {
    const { train, dev } = buildClinicalNotes(DIR);
    expect(readFileSync(`${DIR}train.json`, "utf8")).toBe(serialize(train));
    expect(readFileSync(`${DIR}dev.json`, "utf8")).toBe(serialize(dev));
  });

  it("has ≥ 400 sentences, all three labels, no alignment problems, and no note in both splits", () => {
    const train = explore(readCorpus(`${DIR}train.json`));
    const dev = explore(readCorpus(`${DIR}dev.json`));
    expect(train.sentences + dev.sentences).toBeGreaterThanOrEqual(400);
    for (const r of [train, dev]) {
      expect(Object.keys(r.entities).sort()).toEqual([...CANONICAL_LABELS].sort());
      expect(r.problems).toEqual({ misaligned: 0, overlapping: 0, empty: 0, blankSpans: 0, discontinuous: 0, rejected: 0 });
    }
    const ids = (p: string) => new Set(readCorpus(p).docs.map((d) => d.text));
    const trainTexts = ids(`${DIR}train.json`);
    expect([...ids(`${DIR}dev.json`)].filter((t) => trainTexts.has(t))).toEqual([]);
  });

  it("the markup parser records exact offsets and rejects bad markup", () => {
    const { text, spans } = parseMarkedLine("Pt on [[ASA|MED]] for [[CAD|DIS]]/[[HTN|DIS]].", "x:1");
    expect(spans.map((s) => [text.slice(s.start, s.end), s.label])).toEqual([["ASA", "MEDICATION"], ["CAD", "DISEASE"], ["HTN", "DISEASE"]]);
    expect(() => parseMarkedLine("[[ASA|DRUG]]", "x:2")).toThrow(/x:2: unknown label DRUG/);
    expect(() => parseMarkedLine("[[ASA|MED] daily", "x:3")).toThrow(/x:3: unbalanced/);
  });

  it("context traits: a third markup field, sorted, omitted when absent, unknown names rejected with file and line", () => {
    const { text, spans } = parseMarkedLine("FHx: mother w/ [[MI|DIS|historical, family]], denies [[CP|DIS|negated]], [[HTN|DIS]].", "x:1");
    expect(spans.map((s) => [text.slice(s.start, s.end), s.traits])).toEqual([["MI", ["family", "historical"]], ["CP", ["negated"]], ["HTN", undefined]]);
    expect(serialize([{ id: "n", text, entities: spans }])).not.toContain('"traits":[]');
    expect(() => parseMarkedLine("[[CP|DIS|negated,negated]]", "x:2")).toThrow(/x:2: trait negated given twice/);
    expect(() => parseMarkedLine("[[CP|DIS|]]", "x:3")).toThrow(/x:3: unknown trait ""/);
    const bad = "## note: progress-note\nS: no complaints.\nDenies [[CP|DIS|denied]].\n";
    expect(() => parseSourceFile(bad, "bad.txt")).toThrow(/^bad\.txt:3: unknown trait "denied" \(expected negated, uncertain, historical, hypothetical, family\)$/);
  });

  it("the corpus carries its annotated traits through to the JSON", () => {
    const { train } = buildClinicalNotes(DIR);
    const doc = train.find((d) => d.id === "discharge-and-referral-018")!;
    const traitsOf = (surface: string) => doc.entities.find((e) => doc.text.slice(e.start, e.end) === surface)?.traits;
    expect(traitsOf("dysphagia")).toEqual(["negated"]);
    expect(traitsOf("papillary thyroid cancer")).toEqual(["family"]);
    expect(traitsOf("total thyroidectomy")).toEqual(["family", "historical"]);
    expect(traitsOf("thyroid nodule")).toBeUndefined();
  });
});
