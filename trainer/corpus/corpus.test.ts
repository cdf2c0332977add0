import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Doc } from "../../core/index.ts";
import { detectFormat, readCorpus, toSeedJsonl } from "./index.ts";

const FIX = new URL("../../tests/fixtures/corpora/", import.meta.url).pathname;
const surface = (d: Doc) => d.entities.map((e) => [d.text.slice(e.start, e.end), e.label]);
const tmp = () => mkdtempSync(join(tmpdir(), "medner-corpus-"));
const write = (name: string, content: string) => {
  const p = join(tmp(), name);
  writeFileSync(p, content);
  return p;
};

describe("readers", () => {
  it("seed-style JSON: text/content, entities/annotations, label/tag_name", () => {
    const c = readCorpus(join(FIX, "seed.json"));
    expect(c.format).toBe("json");
    expect(c.docs.map(surface)).toEqual([
      [["HTN", "DISEASE"], ["lisinopril", "MEDICATION"]],
      [["chest pain", "DISEASE"], ["CABG", "TREATMENT"]],
      [],
    ]);
    expect(c.docs.map((d) => d.id)).toEqual(["n1", "1", "2"]);
  });

  it("NER-annotator export: {classes, annotations: [[text, {entities}]]}", () => {
    const c = readCorpus(join(FIX, "ner-annotator.json"));
    expect(c.docs.map(surface)).toEqual([
      [["metformin", "MEDICATION"], ["DM2", "DISEASE"]],
      [["Fever", "DISEASE"], ["cough", "DISEASE"]],
    ]);
  });

  it("spaCy-style JSONL: spans objects, entity tuples and [text, {entities}] lines", () => {
    const c = readCorpus(join(FIX, "spacy.jsonl"));
    expect(c.format).toBe("jsonl");
    expect(c.docs.map(surface)).toEqual([
      [["Aspirin", "MEDICATION"], ["CAD", "DISEASE"]],
      [["HTN", "DISEASE"], ["DM", "DISEASE"], ["insulin", "MEDICATION"]],
      [["Physical therapy", "TREATMENT"]],
    ]);
  });

  it("CoNLL/IOB TSV: text rebuilt with single spaces, one doc per sentence", () => {
    const c = readCorpus(join(FIX, "tiny.tsv"));
    expect(c.format).toBe("conll");
    expect(c.docs.map((d) => d.text)).toEqual(["Selegiline - induced postural hypotension .", "Naloxone reverses hypertension"]);
    expect(c.docs.map(surface)).toEqual([
      [["Selegiline", "Chemical"], ["postural hypotension", "Disease"]],
      [["Naloxone", "Chemical"], ["hypertension", "Disease"]],
    ]);
    expect(c.docs[0]!.id).toMatch(/tiny\.tsv:1$/);
  });

  it("CoNLL with -DOCSTART-: sentences of a document joined by newlines, BILOU tags read", () => {
    const c = readCorpus(join(FIX, "docstart.conll"));
    expect(c.docs.map((d) => d.text)).toEqual(["EU rejects German call\nPeter Blackburn", "BRUSSELS 1996-08-22"]);
    expect(c.docs[0]!.sentences).toEqual([[0, 22], [23, 38]]);
    expect(c.docs.flatMap(surface)).toEqual([["EU", "ORG"], ["German", "MISC"], ["Peter Blackburn", "PER"], ["BRUSSELS", "LOC"]]);
  });

  it("BRAT folder: code-point offsets converted, discontinuous spans reported and skipped, other lines ignored", () => {
    const c = readCorpus(join(FIX, "brat"));
    expect(c.format).toBe("brat");
    expect(c.docs.map((d) => d.id)).toEqual(["note1", "sub/note2"]);
    expect(c.docs.map(surface)).toEqual([
      [["Chest pain", "DISEASE"], ["renal failure", "DISEASE"], ["heparin", "MEDICATION"]],
      [["Metoprolol", "MEDICATION"], ["AFib", "DISEASE"]],
    ]);
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]!.message).toMatch(/note1\.ann:3: T3 DISEASE 17 23;30 37 is discontinuous; skipped/);
  });

  it("a leading byte-order mark is ignored", () => {
    expect(readCorpus(write("bom.tsv", "\uFEFFAspirin\tB-Chemical\n")).docs[0]!.entities).toEqual([{ start: 0, end: 7, label: "Chemical" }]);
    expect(readCorpus(write("bom.json", '\uFEFF[{"text": "HTN", "entities": [[0, 3, "DISEASE"]]}]')).docs).toHaveLength(1);
  });

  it("code-point offsets in JSON when asked", () => {
    const p = write("cp.jsonl", JSON.stringify({ text: "😷 fever", entities: [{ start: 2, end: 7, label: "DISEASE", text: "fever" }] }) + "\n");
    expect(surface(readCorpus(p, { offsets: "codepoint" }).docs[0]!)).toEqual([["fever", "DISEASE"]]);
    expect(() => readCorpus(p)).toThrow(/cp\.jsonl:1: entity 0 says "fever" but the text at 2–7 is " feve"/);
  });
});

describe("malformed inputs: one clear error naming the file and the line or record", () => {
  it.each([
    ["bad.json", '[{"text": "a b", "entities": []},\n {"text": "x", "entities": [\n', /bad\.json:2: invalid JSON/],
    ["norec.json", '[{"text": "ok", "entities": []}, {"body": "x"}]', /norec\.json: record 1: a record needs "text"/],
    ["range.json", '[{"text": "abc", "entities": [{"start": 1, "end": 9, "label": "X"}]}]', /range\.json: record 0: entity 0 \(X 1–9\) is empty or outside the text/],
    ["nolabel.json", '[{"text": "abc", "entities": [{"start": 0, "end": 1}]}]', /nolabel\.json: record 0 at entities\.0: an entity needs a label/],
    ["quoted.json", '[{"text": "abc", "entities": [{"start": 0, "end": 2, "label": "X", "text": "abc"}]}]', /entity 0 says "abc" but the text at 0–2 is "ab"/],
    ["neg.json", '[{"text": "abc", "entities": [[-1, 2, "X"]]}]', /neg\.json: record 0 at entities\.0\.0/],
    ["bad.jsonl", '{"text": "a", "spans": []}\n{"text": "b", "spans": [}\n', /bad\.jsonl:2: invalid JSON line/],
    ["shape.jsonl", '{"text": "a", "spans": []}\n{"text": 5}\n', /shape\.jsonl:2/],
    ["bad.tsv", "Aspirin\tB-Chemical\nworks\tO\nbadline\n", /bad\.tsv:3: expected "token<TAB>tag"/],
    ["badtag.tsv", "Aspirin\tB-Chemical\nworks\tX-Thing\n", /badtag\.tsv:2: invalid tag "X-Thing"/],
  ])("%s", (name, content, message) => {
    const p = write(name, content);
    expect(() => readCorpus(p)).toThrow(message);
  });

  it("BRAT: a malformed T line, a text mismatch and a missing .txt", () => {
    const dir = tmp();
    writeFileSync(join(dir, "a.txt"), "Aspirin daily.");
    writeFileSync(join(dir, "a.ann"), "T1\tMEDICATION 0 7\tAspirin\nT2 MEDICATION 0 7 Aspirin\n");
    expect(() => readCorpus(dir)).toThrow(/a\.ann:2: expected "T<n><TAB><label> <start> <end><TAB><text>"/);
    writeFileSync(join(dir, "a.ann"), "T1\tMEDICATION 0 6\tAspirin\n");
    expect(() => readCorpus(dir)).toThrow(/a\.ann:1: T1 says "Aspirin" but the text at 0–6 is "Aspiri"/);
    mkdirSync(join(dir, "more"));
    writeFileSync(join(dir, "more", "b.ann"), "");
    writeFileSync(join(dir, "a.ann"), "T1\tMEDICATION 0 7\tAspirin\n");
    expect(() => readCorpus(dir)).toThrow(/b\.txt: missing/);
  });

  it("unknown content, and a missing path", () => {
    expect(() => readCorpus(write("notes.txt", "just some prose\nwith lines\n"))).toThrow(/E202: .*cannot tell the format/);
    expect(() => readCorpus("/nonexistent/corpus.json")).toThrow(/E203: \/nonexistent\/corpus\.json: no such file/);
  });
});

describe("detectFormat and convert", () => {
  it("detects every fixture's format by content", () => {
    expect(["seed.json", "ner-annotator.json", "spacy.jsonl", "tiny.tsv", "docstart.conll", "brat"].map((f) => detectFormat(join(FIX, f)))).toEqual([
      "json",
      "json",
      "jsonl",
      "conll",
      "conll",
      "brat",
    ]);
    // Content wins over the extension.
    const p = write("data.txt", "Aspirin\tB-Chemical\n");
    expect(detectFormat(p)).toBe("conll");
  });

  it.each(["seed.json", "ner-annotator.json", "spacy.jsonl", "tiny.tsv", "docstart.conll", "brat"])(
    "%s → seed JSONL → read back: identical texts and spans",
    (f) => {
      const before = readCorpus(join(FIX, f)).docs;
      const after = readCorpus(write("out.jsonl", toSeedJsonl(before))).docs;
      expect(after.map((d) => [d.id, d.text, d.entities])).toEqual(before.map((d) => [d.id, d.text, d.entities]));
    },
  );
});
