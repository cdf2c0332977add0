import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { medner, SHARED_DATA } from "./cli.ts";

const BC5CDR = join(SHARED_DATA, "bc5cdr/train.tsv");
const BRAT = "tests/fixtures/corpora/brat";
const SPACY = "tests/fixtures/corpora/spacy.jsonl";
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
    [["explore", "--data", "BAD", "--format", "conll"], /^medner: E201: .*bad\.tsv:2: expected "token<TAB>tag", got one column\n$/],
    // Usage errors: one line, pointing at the help rather than printing it.
    [["explore", "--data", "tests/fixtures/corpora/tiny.tsv", "--format", "xml"], /^medner: option '--format <format>' argument 'xml' is invalid\. .* \(run medner explore --help for usage\)\n$/],
    [["explore"], /^medner: required option '--data <path>' not specified \(run medner explore --help for usage\)\n$/],
    [["explore", "--data", "x", "--dat"], /^medner: unknown option '--dat' \(Did you mean --data\?\) \(run medner explore --help for usage\)\n$/],
    [["convert", "--data", "tests/fixtures/corpora/tiny.tsv", "--out", "/nonexistent-dir/x.jsonl"], /^medner: E404: cannot write \/nonexistent-dir\/x\.jsonl \(ENOENT\)\n$/],
    [["frobnicate"], /^medner: unknown command 'frobnicate' \(run medner --help for usage\)\n$/],
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

  it("every command that reads a corpus says what the reader skipped, in one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "medner-cli-"));
    const bad = join(dir, "bad.tsv");
    writeFileSync(bad, "Aspirin\tB-Chemical\nno-tag-here\n");
    const line = /^tests\/fixtures\/corpora\/brat: 1 discontinuous span skipped \(BRAT fragments cannot be one span\), first at tests\/fixtures\/corpora\/brat\/note1\.ann:3$/m;
    const convert = medner("convert", "--data", BRAT, "--out", join(dir, "out.jsonl"));
    expect(convert.code).toBe(0);
    expect(convert.stderr).toMatch(line);
    expect(convert.stderr.match(/skipped/g)).toHaveLength(1);
    // train, evaluate and export read --data first; the failures after it keep these runs short.
    for (const args of [
      ["train", "--data", BRAT, "--dev", bad, "--out", join(dir, "model")],
      ["train", "--data", SPACY, "--dev", BRAT, "--partial", bad, "--out", join(dir, "model")],
      ["evaluate", "--data", BRAT, "--model", join(dir, "no-model")],
      ["export", "--data", BRAT, "--model", join(dir, "no-model"), "--out", join(dir, "export")],
    ]) {
      const r = medner(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(line);
    }
  });

  it('convert reports Prodigy records answered "reject" or "ignore" as skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), "medner-cli-"));
    const data = join(dir, "prodigy.jsonl");
    writeFileSync(data, ["accept", "reject", "ignore", "reject"].map((answer) => JSON.stringify({ text: "Aspirin daily.", spans: [{ start: 0, end: 7, label: "MED" }], answer })).join("\n"));
    const r = medner("convert", "--data", data, "--out", join(dir, "out.jsonl"), "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ documents: 1, skipped: 3 });
    expect(r.stderr).toMatch(/prodigy\.jsonl: 3 records skipped \(answer "reject" or "ignore"\), first at \S+prodigy\.jsonl:2\n/);
    expect(r.stderr).not.toContain("Aspirin");
  });

  it("train takes --offsets for --data (code-point JSON lines read directly)", () => {
    const dir = mkdtempSync(join(tmpdir(), "medner-cli-"));
    const data = join(dir, "cp.jsonl");
    writeFileSync(data, JSON.stringify({ text: "😷 fever", spans: [{ start: 2, end: 7, label: "DISEASE", text: "fever" }] }));
    const bad = join(dir, "bad.tsv");
    writeFileSync(bad, "Aspirin\tB-Chemical\nno-tag-here\n");
    // Without --offsets, --data is misread; with it, --data reads and the run stops at the broken --dev.
    expect(medner("train", "--data", data, "--dev", bad, "--out", join(dir, "m")).stderr).toMatch(/^medner: E201: .*cp\.jsonl:1: entity 0 /m);
    expect(medner("train", "--data", data, "--offsets", "codepoint", "--dev", bad, "--out", join(dir, "m")).stderr).toMatch(/^medner: E201: .*bad\.tsv:2: /m);
  });
});
