import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { medner, SHARED_DATA } from "./cli.ts";

const BC5CDR = join(SHARED_DATA, "bc5cdr/train.tsv");
const hasShared = existsSync(BC5CDR);
if (!hasShared) console.warn(`skipping the BC5CDR CLI test: ${BC5CDR} is absent (../shared/data is not part of the product)`);

describe("medner CLI", () => {
  it.each(["explore", "convert", "info"])("%s --help", (cmd) => {
    const r = medner(cmd, "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: medner ${cmd}`);
    expect(r.stdout).toContain("--json");
  });

  it("info --json names the backend it would train with", () => {
    const r = medner("info", "--json");
    expect(r.code).toBe(0);
    expect(["tensorflow", "wasm", "cpu"]).toContain(JSON.parse(r.stdout).backend);
  });

  it("explore --json prints the report shape on stdout and nothing else", () => {
    const r = medner("explore", "--data", "tests/fixtures/corpora/brat", "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      documents: 2,
      sentences: 3,
      entities: { DISEASE: 3, MEDICATION: 2 },
      problems: { misaligned: 0, overlapping: 0, empty: 0, discontinuous: 1 },
    });
  });

  it("explore without --json writes a table for people to stderr", () => {
    const r = medner("explore", "--data", "tests/fixtures/corpora/tiny.tsv");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/Chemical\s+2/);
  });

  it.skipIf(!hasShared)("explore reports 5203 Chemical and 4182 Disease mentions on BC5CDR train", () => {
    const r = medner("explore", "--data", BC5CDR, "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.entities).toEqual({ Chemical: 5203, Disease: 4182 });
    expect(report.problems).toMatchObject({ misaligned: 0, overlapping: 0, empty: 0 });
  });

  it("convert writes seed JSON lines that explore reads back with the same counts", () => {
    const out = join(mkdtempSync(join(tmpdir(), "medner-cli-")), "out.jsonl");
    const r = medner("convert", "--data", "tests/fixtures/corpora/spacy.jsonl", "--out", out, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "jsonl", documents: 3, entities: 6 });
    const first = JSON.parse(readFileSync(out, "utf8").split("\n")[0]!);
    expect(first).toEqual({ id: "L1", text: "Aspirin 81 mg for CAD.", entities: [{ start: 0, end: 7, label: "MEDICATION" }, { start: 18, end: 21, label: "DISEASE" }] });
    expect(JSON.parse(medner("explore", "--data", out, "--json").stdout).entities).toEqual({ MEDICATION: 2, DISEASE: 3, TREATMENT: 1 });
  });

  it.each([
    [["explore", "--data", "/no/such/file.json"], /^medner: E203: \/no\/such\/file\.json: no such file or folder\n$/],
    [["explore", "--data", "BAD", "--format", "conll"], /^medner: E201: .*bad\.tsv:2: expected "token<TAB>tag", got "no-tag-here"\n$/],
    [["explore", "--data", "tests/fixtures/corpora/tiny.tsv", "--format", "xml"], /argument 'xml' is invalid/],
    [["explore"], /required option '--data <path>' not specified/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ])("bad input %j: a clear message and a non-zero exit", (args, message) => {
    const argv = args.map((a) => {
      if (a !== "BAD") return a;
      const p = join(mkdtempSync(join(tmpdir(), "medner-cli-")), "bad.tsv");
      writeFileSync(p, "Aspirin\tB-Chemical\nno-tag-here\n");
      return p;
    });
    const r = medner(...argv);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
