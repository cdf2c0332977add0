// The medication-attribute gold set (data/sigs, issue #21): the committed JSON is what its hand-marked sources build,
// every span is where it claims to be (checked here from the JSON alone), and the held-out test split is large and varied
// enough to measure an extractor on. It never runs an extractor.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tokenize } from "../../core/tokenizer.ts";
import { ATTRIBUTE_TYPES, buildSigDoc, buildSigs, parseValue, serializeSigs, sigDocSchema, type SigDoc } from "../../scripts/build-sigs.ts";
import { ROOT } from "./cli.ts";

const DIR = `${ROOT}data/sigs/`;
const read = (split: "test" | "dev"): SigDoc[] => z.array(sigDocSchema).parse(JSON.parse(readFileSync(`${DIR}${split}.json`, "utf8")));
const meds = (doc: SigDoc) => doc.entities.flatMap((e) => (e.label === "MEDICATION" ? [e] : []));

/** What is wrong with one document's offsets, as readable strings; [] when nothing is. */
function spanProblems(doc: SigDoc): string[] {
  const problems: string[] = [];
  const starts = new Set(tokenize(doc.text).map((t) => t.start));
  const ends = new Set(tokenize(doc.text).map((t) => t.end));
  const diseases = doc.entities.filter((e) => e.label === "DISEASE");
  const spans = meds(doc).flatMap((m) => [{ ...m, what: "MEDICATION" }, ...m.attributes.map((a) => ({ ...a, what: a.type }))]);
  for (const s of spans) {
    const text = doc.text.slice(s.start, s.end);
    if (!(s.start < s.end && s.end <= doc.text.length)) problems.push(`${s.what} [${s.start}, ${s.end}) outside the text`);
    else if (!starts.has(s.start) || !ends.has(s.end) || text.includes("\n")) problems.push(`${s.what} "${text}" off token boundaries or across lines`);
  }
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  sorted.slice(1).forEach((s, i) => {
    if (s.start < sorted[i]!.end) problems.push(`${s.what} at ${s.start} overlaps ${sorted[i]!.what}`);
  });
  const linked = meds(doc).flatMap((m) => m.attributes.flatMap((a) => (a.type === "REASON" && a.value ? [a] : [])));
  for (const r of linked) {
    if (r.value!.condition.start !== r.start || r.value!.condition.end !== r.end) problems.push(`REASON at ${r.start} links elsewhere`);
    if (!diseases.some((d) => d.start === r.start && d.end === r.end)) problems.push(`REASON at ${r.start} has no DISEASE`);
  }
  if (diseases.length !== linked.length) problems.push(`${diseases.length} DISEASE entities for ${linked.length} linked REASONs`);
  return problems;
}

describe("data/sigs", () => {
  it("test.json and dev.json are exactly what the sources build (run npm run sigs:build after editing)", () => {
    const { test, dev } = buildSigs(DIR);
    expect(readFileSync(`${DIR}test.json`, "utf8")).toBe(serializeSigs(test));
    expect(readFileSync(`${DIR}dev.json`, "utf8")).toBe(serializeSigs(dev));
  });

  it("every span of both splits is on token boundaries, inside one line, overlap-free, and every REASON's DISEASE exists", () => {
    for (const doc of [...read("test"), ...read("dev")]) expect({ id: doc.id, problems: spanProblems(doc) }).toEqual({ id: doc.id, problems: [] });
  });

  it("the test split has ≥ 300 lines, every attribute type ≥ 15 times, some drugs without attributes, and no line of dev", () => {
    const test = read("test");
    const dev = read("dev");
    expect(test.length).toBeGreaterThanOrEqual(300);
    expect(dev.length).toBeGreaterThanOrEqual(90);
    const counts = (docs: SigDoc[]) => {
      const n = Object.fromEntries(ATTRIBUTE_TYPES.map((t) => [t, 0]));
      for (const a of docs.flatMap(meds).flatMap((m) => m.attributes)) n[a.type]!++;
      return n;
    };
    for (const [type, n] of Object.entries(counts(test))) expect({ type, enough: n >= 15 }).toEqual({ type, enough: true });
    for (const [type, n] of Object.entries(counts(dev))) expect({ type, present: n > 0 }).toEqual({ type, present: true });
    const bare = test.filter((d) => meds(d).some((m) => m.attributes.length === 0)).length / test.length;
    expect(bare).toBeGreaterThan(0.05);
    expect(bare).toBeLessThan(0.15);
    const testTexts = new Set(test.map((d) => d.text));
    expect(dev.filter((d) => testTexts.has(d.text)).map((d) => d.id)).toEqual([]);
  });
});

describe("sigs markup", () => {
  it("records exact offsets and the drug each attribute belongs to", () => {
    const doc = buildSigDoc("x", ["[[lisinopril|MED=a]] [[10 mg|STR>a|10 mg]] and [[metoprolol|MED=b]] [[25 mg|STR>b|25 mg]] [[BID|FREQ>b|2/1d]] [[prn|PRN>b|true]] [[pain|REASON>b|DIS]]"]);
    const [lisinopril, metoprolol] = meds(doc);
    const show = (m: typeof lisinopril) => m!.attributes.map((a) => `${a.type} ${doc.text.slice(a.start, a.end)}`);
    expect(show(lisinopril)).toEqual(["STRENGTH 10 mg"]);
    expect(show(metoprolol)).toEqual(["STRENGTH 25 mg", "FREQUENCY BID", "AS_NEEDED prn", "REASON pain"]);
    expect(doc.text).toBe("lisinopril 10 mg and metoprolol 25 mg BID prn pain");
    expect(doc.entities.find((e) => e.label === "DISEASE")).toEqual({ start: 46, end: 50, label: "DISEASE" });
    expect(metoprolol!.attributes.at(-1)!.value).toEqual({ condition: { start: 46, end: 50 } });
  });

  it.each([
    ["STRENGTH", "500 mg", { value: 500, unit: "mg" }],
    ["DOSE", "1-2 {tablet}", { low: 1, high: 2, unit: "{tablet}" }],
    ["FREQUENCY", "1/4-6h", { frequency: 1, period: 4, periodMax: 6, periodUnit: "h" }],
    ["FREQUENCY", "3/1d@AC", { frequency: 3, period: 1, periodUnit: "d", when: ["AC"] }],
    ["FREQUENCY", "1-2/1d", { frequency: 1, frequencyMax: 2, period: 1, periodUnit: "d" }],
    ["FREQUENCY", "1/5min#3", { frequency: 1, period: 5, periodUnit: "min", count: 3 }],
    ["FREQUENCY", "#1", { count: 1 }],
    ["FREQUENCY", "@AC,HS", { when: ["AC", "HS"] }],
    ["REASON", "null", null],
  ] as const)("reads the %s notation %s", (type, raw, value) => {
    expect(parseValue(type, raw)).toEqual(value);
  });

  it.each([
    ["[[metformin|DRUG]]", /unknown code DRUG/],
    ["[[ASA|MED=a]] [[81 mg|STR|81 mg]] and [[Plavix|MED=b]]", /name it with >key/],
    ["[[ASA|MED]] [[81 mg|STR>z|81 mg]]", /no medication z/],
    ["[[ASA|MED]] [[81 mg|STR|81 mgs]]", /unit must be one of/],
    ["[[ASA|MED]] [[81 m|STR|81 mg]]g", /not on token boundaries/],
    ["[[ASA|MED]] [[daily|FREQ|daily]]", /timing "daily"/],
    ["[[ASA|MED]] [[daily|FREQ|@QAM]]", /timing|when/],
    ["[[ASA|MED]] [[CAD|REASON|yes]]", /REASON value/],
    ["[[ASA|MED]] [[81 mg|STR|81 mg]", /unbalanced/],
    ["[[ASA|MED>a]]", /named with =key/],
    ["daily", /without a medication/],
  ])("rejects %s", (line, error) => {
    expect(() => buildSigDoc("x", [line])).toThrow(error);
  });

  it("keeps an attribute on its medication's line", () => {
    expect(() => buildSigDoc("x", ["[[ASA|MED=a]]", "[[daily|FREQ>a|1/1d]]"])).toThrow(/not on its medication's line/);
  });
});
