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

  it("medication attributes: on the nearest drug to the left, else the first to the right, or on the drug a key names", () => {
    const { text, spans } = parseMarkedLine(
      "{{IV|ROUTE|intravenous}} [[furosemide|MED]] {{80 mg|STR|80 mg}}, then {{PO|ROUTE>t|oral}} [[torsemide|MED=t]] {{prn|PRN|true}} [[edema|DIS/REASON|hypothetical]] or {{SOB > 2|REASON|null}}; [[ASA|MED]]",
      "x:1",
    );
    const of = (surface: string) => spans.find((s) => text.slice(s.start, s.end) === surface)?.attributes?.map((a) => [a.type, text.slice(a.start, a.end), a.value]);
    expect(text).toBe("IV furosemide 80 mg, then PO torsemide prn edema or SOB > 2; ASA");
    expect(of("furosemide")).toEqual([["ROUTE", "IV", { name: "intravenous" }], ["STRENGTH", "80 mg", { value: 80, unit: "mg" }]]);
    const edema = text.indexOf("edema");
    expect(of("torsemide")).toEqual([
      ["ROUTE", "PO", { name: "oral" }], ["AS_NEEDED", "prn", { asNeeded: true }],
      ["REASON", "edema", { condition: { start: edema, end: edema + 5 } }], ["REASON", "SOB > 2", null],
    ]);
    expect(of("ASA")).toEqual([]);
    expect(spans.find((s) => s.label === "DISEASE")).toEqual({ start: edema, end: edema + 5, label: "DISEASE", traits: ["hypothetical"] });
  });

  it.each([
    ["[[ASA|MED]] {{81 mg|STR|81 mg}", /^bad\.txt:3: unbalanced or malformed \[\[\.\.\.\]\] or \{\{\.\.\.\}\} markup$/],
    ["[[ASA|MED]] {{81 mg|STR|81 mgs}}", /^bad\.txt:3: STRENGTH "81 mg": unit must be one of /],
    ["[[ASA|MED]] {{81 mg|STRENGTH|81 mg}}", /^bad\.txt:3: unknown attribute code STRENGTH/],
    ["[[ASA|MED]] {{daily|FREQ|daily}}", /^bad\.txt:3: FREQUENCY "daily": timing "daily" is not/],
    ["Take {{81 mg|STR|81 mg}} daily.", /^bad\.txt:3: STRENGTH "81 mg" has no medication on its line$/],
    ["[[ASA|MED=a]] {{81 mg|STR>b|81 mg}}", /^bad\.txt:3: STRENGTH "81 mg" has no medication keyed b$/],
    ["[[ASA|MED]] 8{{1 mg|STR|1 mg}}", /^bad\.txt:3: STRENGTH "1 mg" does not start and end on token boundaries$/],
    ["[[ASA|MED]] {{81 mg|STR|0 mg}}", /^bad\.txt:3: STRENGTH "81 mg": Too small/],
    ["[[ASA|MED]] for {{CAD|REASON|DIS}}", /^bad\.txt:3: REASON "CAD": a condition that is a DISEASE entity is marked \[\[CAD\|DIS\/REASON\]\]$/],
    ["[[ASA|DIS=a]] daily", /^bad\.txt:3: DIS=a: only a MED takes =key, only a DIS can be a \/REASON$/],
  ])("a malformed attribute stops the build with file and line: %s", (line, error) => {
    expect(() => parseSourceFile(`## note: medication-list\nMeds:\n${line}\n`, "bad.txt")).toThrow(error);
  });

  it("the corpus gives a discharge summary's drugs their attributes, offsets and normalized values", () => {
    const { train } = buildClinicalNotes(DIR);
    const doc = train.find((d) => d.id === "discharge-and-referral-001")!;
    const drug = (surface: string, from = 0) => doc.entities.find((e) => e.start >= from && doc.text.slice(e.start, e.end) === surface)!;
    const at = (surface: string, from: number) => doc.text.indexOf(surface, from);
    const line = doc.text.indexOf("Hospital course:");
    const furosemide = drug("furosemide");
    expect(furosemide.attributes).toEqual([
      { type: "ROUTE", start: at("IV", line), end: at("IV", line) + 2, value: { name: "intravenous" } },
      { type: "STRENGTH", start: at("80 mg", line), end: at("80 mg", line) + 5, value: { value: 80, unit: "mg" } },
      { type: "FREQUENCY", start: at("BID", line), end: at("BID", line) + 3, value: { frequency: 2, period: 1, periodUnit: "d" } },
    ]);
    // "transitioned to PO torsemide": the route is torsemide's, though furosemide is the nearest drug on its left.
    expect(drug("torsemide").attributes).toEqual([{ type: "ROUTE", start: at("PO torsemide", line), end: at("PO torsemide", line) + 2, value: { name: "oral" } }]);
    const list = doc.text.indexOf("2. Sacubitril-valsartan");
    expect(drug("Sacubitril-valsartan", list).attributes!.map((a) => [a.type, doc.text.slice(a.start, a.end)])).toEqual([["ROUTE", "PO"], ["FREQUENCY", "BID"]]);
    expect(drug("Lisinopril").attributes).toEqual([]);
    for (const e of doc.entities) expect(e.attributes !== undefined).toBe(e.label === "MEDICATION");
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
