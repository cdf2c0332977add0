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

  it("BRAT: a byte-order mark is dropped from the .ann, and kept in the .txt, whose offsets count it", () => {
    const dir = tmp();
    writeFileSync(join(dir, "a.txt"), "\uFEFFAspirin daily.");
    writeFileSync(join(dir, "a.ann"), "\uFEFFT1\tMED 1 8\tAspirin\n");
    expect(readCorpus(dir).docs.map(surface)).toEqual([[["Aspirin", "MED"]]]);
    writeFileSync(join(dir, "a.ann"), "\uFEFFT1\tMED 0 7\tAspirin\n");
    expect(() => readCorpus(dir)).toThrow(/a\.ann:1: T1: its text differs from the text at 0–7/);
  });

  it("code-point offsets in JSON when asked", () => {
    const p = write("cp.jsonl", JSON.stringify({ text: "😷 fever", entities: [{ start: 2, end: 7, label: "DISEASE", text: "fever" }] }) + "\n");
    expect(surface(readCorpus(p, { offsets: "codepoint" }).docs[0]!)).toEqual([["fever", "DISEASE"]]);
    const message = errorOf(() => readCorpus(p));
    expect(message).toMatch(/cp\.jsonl:1: entity 0 \(DISEASE 2–7\): its "text" differs from the text at these offsets \(code-point offsets\? pass --offsets codepoint\)/);
    expect(message).not.toMatch(/fever|feve/);
  });

  it('Prodigy records answered "reject" or "ignore" are skipped and counted, not read as gold', () => {
    const lines = [
      { text: "Aspirin daily.", spans: [{ start: 0, end: 7, label: "MED" }], answer: "accept" },
      { text: "Heparin drip.", spans: [{ start: 0, end: 7, label: "DIS" }], answer: "reject" },
      { text: "No meds.", spans: [], answer: "ignore" },
      { text: "Warfarin.", spans: [{ start: 0, end: 8, label: "MED" }] },
    ];
    const c = readCorpus(write("prodigy.jsonl", lines.map((l) => JSON.stringify(l)).join("\n")));
    expect(c.docs.map((d) => d.text)).toEqual(["Aspirin daily.", "Warfarin."]);
    expect(c.problems).toEqual([
      { kind: "rejected", where: expect.stringMatching(/prodigy\.jsonl:2$/), message: expect.stringMatching(/prodigy\.jsonl:2: answer "reject"; skipped$/) },
      { kind: "rejected", where: expect.stringMatching(/prodigy\.jsonl:3$/), message: expect.stringMatching(/prodigy\.jsonl:3: answer "ignore"; skipped$/) },
    ]);
    const json = readCorpus(write("prodigy.json", JSON.stringify(lines)));
    expect(json.docs).toHaveLength(2);
    expect(json.problems.map((p) => p.where)).toEqual([expect.stringMatching(/prodigy\.json: record 1$/), expect.stringMatching(/prodigy\.json: record 2$/)]);
    expect(() => readCorpus(write("odd.jsonl", JSON.stringify({ text: "x", spans: [], answer: "maybe" })))).toThrow(/odd\.jsonl:1 at answer: /);
  });
});

/** The message of what `f` throws. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
}

describe("malformed inputs: one clear error naming the file and the line or record", () => {
  // The last column is patient text that the message must not quote.
  it.each([
    ["bad.json", '[{"text": "a b", "entities": []},\n {"text": "Mary Jones" "entities": [\n', /bad\.json:2:24: invalid JSON \(Expected ',' or '}' after property value\)$/, "Mary"],
    ["token.json", '[{"text": "Mary Jones has HIV", "entities": [[15, 18, DIS]]}]', /token\.json:1:55: invalid JSON \(Unexpected character\)$/, "Mary"],
    ["norec.json", '[{"text": "ok", "entities": []}, {"body": "x"}]', /norec\.json: record 1: a record needs "text"/, "ok"],
    ["range.json", '[{"text": "abc", "entities": [{"start": 1, "end": 9, "label": "X"}]}]', /range\.json: record 0: entity 0 \(X 1–9\) is empty or outside the text/, "abc"],
    ["nolabel.json", '[{"text": "abc", "entities": [{"start": 0, "end": 1}]}]', /nolabel\.json: record 0 at entities\.0: an entity needs a label/, "abc"],
    ["quoted.json", '[{"text": "abc", "entities": [{"start": 0, "end": 2, "label": "X", "text": "abc"}]}]', /quoted\.json: record 0: entity 0 \(X 0–2\): its "text" differs from the text at these offsets$/, "ab"],
    ["neg.json", '[{"text": "abc", "entities": [[-1, 2, "X"]]}]', /neg\.json: record 0 at entities\.0\.0/, "abc"],
    ["bad.jsonl", '{"text": "a", "spans": []}\n{"text": "Mary Jones SSN 123", spans: []}\n', /bad\.jsonl:2:32: invalid JSON line \(Expected double-quoted property name\)$/, "Mary"],
    ["token.jsonl", '{"text": "Mary Jones has HIV", "spans": [[15, 18, DIS]]}\n', /token\.jsonl:1:51: invalid JSON line \(Unexpected character\)$/, "Mary"],
    ["shape.jsonl", '{"text": "a", "spans": []}\n{"text": 98765}\n', /shape\.jsonl:2 at text: /, "98765"],
    ["bad.tsv", "Aspirin\tB-Chemical\nworks\tO\nbadline\n", /bad\.tsv:3: expected "token<TAB>tag", got one column$/, "badline"],
    ["badtag.tsv", "Aspirin\tB-Chemical\nworks\tX-Thing\n", /badtag\.tsv:2: invalid tag in column 2 \(/, "X-Thing"],
    ["words.tsv", "John Smith has HIV\n", /words\.tsv:1: invalid tag in column 4 \(/, "HIV"],
  ])("%s", (name, content, message, secret) => {
    const p = write(name, content);
    const error = errorOf(() => readCorpus(p));
    expect(error).toMatch(message);
    expect(error.replace(p, "")).not.toContain(secret);
  });

  it("an empty or blank file is an error, not an empty corpus", () => {
    for (const name of ["empty.jsonl", "empty.json", "empty.tsv"]) expect(errorOf(() => readCorpus(write(name, "\n \n")))).toMatch(new RegExp(`E201: .*${name.replace(".", "\\.")}: empty file$`));
  });

  it("BRAT: a malformed T line, a text mismatch and a missing .txt, without quoting the text", () => {
    const dir = tmp();
    writeFileSync(join(dir, "a.txt"), "Aspirin daily.");
    writeFileSync(join(dir, "a.ann"), "T1\tMEDICATION 0 7\tAspirin\nT2 MEDICATION 0 7 Aspirin\n");
    let error = errorOf(() => readCorpus(dir));
    expect(error).toMatch(/a\.ann:2: expected "T<n><TAB><label> <start> <end><TAB><text>"$/);
    expect(error).not.toContain("Aspirin");
    writeFileSync(join(dir, "a.ann"), "T1\tMEDICATION 0 6\tAspirin\n");
    error = errorOf(() => readCorpus(dir));
    expect(error).toMatch(/a\.ann:1: T1: its text differs from the text at 0–6 \(offsets count code points\)$/);
    expect(error).not.toMatch(/Aspiri/);
    mkdirSync(join(dir, "more"));
    writeFileSync(join(dir, "more", "b.ann"), "");
    writeFileSync(join(dir, "a.ann"), "T1\tMEDICATION 0 7\tAspirin\n");
    expect(() => readCorpus(dir)).toThrow(/b\.txt: missing/);
  });

  it("BRAT: a .txt without its .ann fails as in single-file mode, naming the file", () => {
    const dir = tmp();
    writeFileSync(join(dir, "a.txt"), "Aspirin daily.");
    writeFileSync(join(dir, "a.ann"), "T1\tMEDICATION 0 7\tAspirin\n");
    mkdirSync(join(dir, "more"));
    writeFileSync(join(dir, "more", "b.txt"), "Another note.");
    expect(() => readCorpus(dir)).toThrow(/E201: .*more\/b\.ann: missing \(every \.txt needs its \.ann\)$/);
    expect(() => readCorpus(join(dir, "more", "b.txt"), { format: "brat" })).toThrow(/E201: .*more\/b\.ann: missing \(every \.txt needs its \.ann\)$/);
  });

  it.each([
    ["T1\tMED 0 7 9\tAspirin", /a\.ann:1: T1: offsets must be "<start> <end>"/],
    ["T1\tMED 0  7\tAspirin", /a\.ann:1: T1: offsets must be "<start> <end>"/],
    ["T1\tMED 0 7;\tAspirin", /a\.ann:1: T1: offsets must be "<start> <end>"/],
    ["T1\tMED 0 3;4\tAspirin", /a\.ann:1: T1: offsets must be "<start> <end>"/],
    ["T1\tMED -1 7\tAspirin", /a\.ann:1: T1: offsets must be "<start> <end>"/],
    ["T1\tMED 0 7\tAspirin\nT1\tMED 8 13\tdaily", /a\.ann:2: T1 is already defined at line 1$/],
    ["T1\tMED 0 7\tAspirin\nT1\tMED 0 3;4 7\tAspirin", /a\.ann:2: T1 is already defined at line 1$/],
  ])("BRAT: offsets and ids read strictly: %j", (ann, message) => {
    const dir = tmp();
    writeFileSync(join(dir, "a.txt"), "Aspirin daily.");
    writeFileSync(join(dir, "a.ann"), ann);
    const error = errorOf(() => readCorpus(dir));
    expect(error).toMatch(message);
    expect(error).not.toMatch(/Aspirin|daily/);
  });

  it("BRAT: --format brat on a file that is not .txt or .ann", () => {
    const p = write("notes.tsv", "Aspirin\tB-Chemical\n");
    expect(() => readCorpus(p, { format: "brat" })).toThrow(/E201: .*notes\.tsv: not a \.txt\/\.ann pair/);
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
    // .txt says nothing: the content decides.
    const p = write("data.txt", "Aspirin\tB-Chemical\n");
    expect(detectFormat(p)).toBe("conll");
  });

  it("an extension that names a format decides; content decides for the rest", () => {
    // A CoNLL file whose first token is "[" or "{".
    for (const name of ["brackets.tsv", "brackets.conll", "brackets.iob", "brackets.bio", "brackets.txt", "brackets"])
      expect(detectFormat(write(name, "[\tO\n1\tO\n]\tO\nAspirin\tB-Chem\n")), name).toBe("conll");
    expect(detectFormat(write("braces.txt", "{ O\nAspirin B-Chem\n"))).toBe("conll");
    // A broken pretty-printed .json object is JSON, and its error names the broken line, not line 1.
    const broken = write("broken.json", '{\n  "annotations": [\n    {"text": "ok", "entities": []},\n    {"text": "bad" "entities": []}\n  ]\n}\n');
    expect(detectFormat(broken)).toBe("json");
    expect(() => readCorpus(broken)).toThrow(/broken\.json:4:20: invalid JSON \(Expected ',' or '}' after property value\)$/);
    // JSON lines in a .json file are still read as JSON lines.
    expect(detectFormat(write("lines.json", '{"text": "a", "spans": []}\n{"text": "b", "spans": []}\n'))).toBe("jsonl");
    expect(detectFormat(write("one.jsonl", '[{"text": "a", "spans": []}]'))).toBe("jsonl");
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
