// Lexicons (the `lexicon` feature, a gazetteer): reading lexicon files, the featurizer's matching shared with the
// edge, and what a lexicon is for — labelling names training never saw because the lexicon lists them.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { featurize, lexiconTags, loadExportedTagger, PAD, tokenize, type Attribute, type Doc, type FeaturizerConfig } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { initBackend, type BackendInfo } from "../../trainer/backend.ts";
import { loadConfig } from "../../trainer/model/config.ts";
import { loadTagger } from "../../trainer/model/io.ts";
import { checkLexiconFiles, loadLexicon, prepareLexicons } from "../../trainer/model/lexicon.ts";
import { lemmasBelow, licenceOf, parseNouns, parseSenses } from "../../trainer/model/wordnet.ts";
import { rng } from "../../trainer/model/rng.ts";
import { Tagger } from "../../trainer/model/tagger.ts";
import { runTraining } from "../../trainer/run-training.ts";
import { evaluateTagger } from "../../trainer/training-loop.ts";
import { medner, ROOT } from "./cli.ts";
import { exportFp32, expectSameEntities } from "./onnx-parity.ts";
import { tempDir, tempFile } from "./temp.ts";

const tmp = () => tempDir("lexicon");
const write = (text: string) => tempFile("lexicon", "lexicon.tsv", text);

describe("reading lexicon files", () => {
  it("cuts phrases into core's lowercased tokens, skips comments and blank lines, and keeps both classes of a phrase listed twice", () => {
    const path = write("# a comment\nBeta-blocker\tchemical\n\nrenal  failure\tdisease\nCOLD\tdisease\ncold\tchemical\n");
    expect(loadLexicon(path).entries).toEqual(["chemical\tbeta-blocker", "chemical+disease\tcold", "disease\trenal failure"]);
  });

  it("fails with file and line on a malformed line, and names the fetch command for a missing file", () => {
    const bad = write("aspirin\tchemical\nheparin\n");
    expect(() => loadLexicon(bad)).toThrow(`E304: ${bad}:2: expected "phrase<TAB>class", the class a letter then letters, digits, "_" or "-"`);
    expect(() => loadLexicon(write("aspirin\tdrug class\n"))).toThrow(/E304: .*:1: expected "phrase<TAB>class"/);
    expect(() => loadLexicon(write("# only a comment\n"))).toThrow(/E304: .*: the lexicon has no phrases/);
    expect(() => loadLexicon("/nonexistent/lexicon.tsv")).toThrow(/^E304: \/nonexistent\/lexicon.tsv: cannot read the lexicon .*; `npm run lexicon:fetch` writes models\/lexicons\/wordnet-chemical-disease.tsv$/);
  });

  it("the default config's committed WordNet lexicon is found from any working directory, and carries WordNet's licence", () => {
    const path = loadConfig(undefined).features.attributes.find((a): a is Extract<Attribute, { type: "lexicon" }> => a.type === "lexicon")?.path;
    expect(path).toBe("models/lexicons/wordnet-chemical-disease.tsv");
    const cwd = process.cwd();
    try {
      process.chdir(tmp());
      checkLexiconFiles(loadConfig(undefined).features);
      const lexicon = loadLexicon(path!);
      expect(lexicon.entries.length).toBeGreaterThan(7000);
      expect(lexicon.notice).toMatch(/WordNet 3\.1 Copyright 2011 by Princeton University\.  All rights reserved\.[\s\S]*THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS"/);
    } finally {
      process.chdir(cwd);
    }
  });

  it("medner train fails with one line before training starts when the lexicon is not there", () => {
    const config = join(tmp(), "config.json");
    const tiny = loadConfig(join(ROOT, "tests/fixtures/tiny-config.json"));
    tiny.features.attributes.push({ type: "lexicon", path: "lexicons/not-fetched.tsv", rows: 64 });
    writeFileSync(config, JSON.stringify(tiny));
    const r = medner("train", "--data", "tests/fixtures/corpora/clinical-small.json", "--out", join(tmp(), "out"), "--config", config);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^medner: E304: lexicons\/not-fetched.tsv: cannot read the lexicon \(ENOENT.*\); `npm run lexicon:fetch` writes models\/lexicons\/wordnet-chemical-disease.tsv$/);
  });
});

describe("the WordNet lexicon builder (npm run lexicon:fetch)", () => {
  // data.noun and index.noun lines in WordNet's format (wndb(5)): a disease tree with a hyponym reached through an
  // instance link, a word whose disease sense is not its first, and a two-letter symbol.
  const data = [
    "  1 This software and database is being provided to you, the LICENSEE, by Princeton University  ",
    "00000001 26 n 01 disease 0 002 ~ 00000002 n 0000 ~ 00000004 n 0000 | an impairment of health",
    "00000002 26 n 02 flu 0 influenza 0 002 @ 00000001 n 0000 ~ 00000003 n 0000 | an acute viral infection",
    "00000003 26 n 01 Avian_Influenza 0 001 @i 00000002 n 0000 | a flu of birds",
    "00000004 26 n 02 effect 0 Hg 0 001 @ 00000001 n 0000 | a symptom caused by an illness",
    "00000005 11 n 01 effect 0 000 | a phenomenon that follows and is caused by some previous phenomenon",
  ].join("\n");
  const index = ["  1 This software and database is being provided", "avian_influenza n 1 1 @ 1 0 00000003", "disease n 1 2 ~ @ 1 1 00000001", "effect n 2 1 @ 2 2 00000005 00000004", "flu n 1 1 @ 1 1 00000002", "hg n 1 1 @ 1 0 00000004", "influenza n 1 1 @ 1 1 00000002"].join("\n");

  it("collects the lemmas below a root through hypernym and instance links, only in their first sense and of 3 characters or more", () => {
    const below = lemmasBelow(parseNouns(data), parseSenses(index), [["00000001", "disease"]], "fixture");
    expect([...below].sort()).toEqual(["avian influenza", "disease", "flu", "influenza"]);
    expect(parseSenses(index).get("effect")).toEqual(["00000005", "00000004"]);
    // The licence header, whose notice must travel with the lexicon built from it.
    expect(licenceOf(data)).toEqual(["This software and database is being provided to you, the LICENSEE, by Princeton University"]);
  });

  it("refuses a root whose synset does not hold the lemma it should (a different WordNet version)", () => {
    expect(() => lemmasBelow(parseNouns(data), parseSenses(index), [["00000002", "disease"]], "fixture")).toThrow('fixture: synset 00000002 is not "disease"');
  });
});

describe("lexicon matching in the featurizer", () => {
  const entries = loadLexicon(write("heart failure\tdisease\nacute heart failure\tdisease\nheart\tanatomy\nfailure\tdisease\nbeta-blocker\tchemical\nnitric oxide\tchemical\n")).entries;
  const tags = (text: string) => lexiconTags(tokenize(text), entries);

  it("tags the longest leftmost phrase with B/I/L/U and its class, without overlaps, whatever the case and the whitespace between tokens", () => {
    expect(tags("Acute heart failure on a Beta-blocker and NITRIC\n  oxide")).toEqual(["B-disease", "I-disease", "L-disease", null, null, "U-chemical", null, "B-chemical", "L-chemical"]);
    expect(tags("heart failure, heart; failure")).toEqual(["B-disease", "L-disease", null, "U-anatomy", null, "U-disease"]);
    // A longer phrase that fails on its last token falls back to the longest one that matches.
    expect(tags("acute heart attack")).toEqual([null, "U-anatomy", null]);
    // Whole tokens only: core's tokenizer keeps "beta-blockers" one token, which the lexicon does not list.
    expect(tags("beta-blockers")).toEqual([null]);
    expect(tags("")).toEqual([]);
  });

  it("featurize gives matched tokens the rows of their tag and the others none; an unprepared config matches nothing", () => {
    const config: FeaturizerConfig = { attributes: [{ type: "shape", rows: 50 }, { type: "lexicon", path: "x.tsv", rows: 64 }], seeds: 2 };
    const prepared = prepareLexicons(config, () => ({ entries, notice: "" }));
    const ids = featurize(tokenize("heart failure and failure of the heart"), prepared);
    const lex = (t: number) => [ids[t * 4 + 2], ids[t * 4 + 3]];
    expect(lex(2)).toEqual([PAD, PAD]);
    expect(lex(0)).not.toEqual(lex(1)); // B-disease and L-disease
    expect(lex(3)).not.toEqual([PAD, PAD]); // U-disease
    expect(lex(6)).not.toEqual(lex(3)); // U-anatomy and U-disease
    for (const r of [...lex(0), ...lex(1), ...lex(3), ...lex(6)]) expect(r).toBeGreaterThanOrEqual(0), expect(r).toBeLessThan(64);
    expect([...featurize(tokenize("heart failure"), config)].filter((_, i) => i % 4 >= 2)).toEqual([PAD, PAD, PAD, PAD]);
  });
});

describe("a tagger with a lexicon", () => {
  // Made-up names of random letters: their spelling says nothing about their class, so a name training never saw can
  // only be labelled because the lexicon lists it — as a lexicon of drug and disease names does for real notes.
  const random = rng(5);
  const name = () => Array.from({ length: 7 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join("");
  const names = { DRUG: Array.from({ length: 55 }, name), DISEASE: Array.from({ length: 55 }, name) };
  // The same templates for both classes: the context does not tell the class either.
  const templates = ["Patient has {} today .", "We noted {} again .", "No sign of {} ."];
  const docsFor = (from: number, to: number): Doc[] =>
    (["DRUG", "DISEASE"] as const).flatMap((label) =>
      names[label].slice(from, to).map((n, i) => {
        const t = templates[i % templates.length]!;
        const start = t.indexOf("{}");
        return { id: `${label}-${from + i}`, text: t.replace("{}", n), entities: [{ start, end: start + n.length, label }] };
      }),
    );
  const train = docsFor(0, 30);
  const dev = docsFor(30, 40);
  const test = docsFor(40, 55);
  let backend: BackendInfo;
  const base = () => loadConfig(join(ROOT, "tests/fixtures/tiny-config.json"), ["training.maxSteps=150", "training.evalEvery=25", "training.patience=6"]);

  beforeAll(async () => {
    backend = await initBackend();
  });

  it("labels names it never saw when the lexicon lists them (and cannot without it); the edge's ONNX path finds the same entities", async () => {
    const outPlain = tmp();
    await runTraining({ config: base(), train, dev, out: outPlain, backend, dataDescription: {} });
    const withoutLexicon = evaluateTagger(loadTagger(join(outPlain, "model-best")), test).micro.f1;

    // The lexicon lists every name, in lowercase classes of its own ("drug", "illness"), not the corpus's labels.
    const path = write(["# Made-up names.", "# Licence: none needed.", "", ...names.DRUG.map((n) => `${n}\tdrug`), ...names.DISEASE.map((n) => `${n}\tillness`)].join("\n"));
    const config = base();
    config.features.attributes.push({ type: "lexicon", path, rows: 64 });
    const out = tmp();
    await runTraining({ config, train, dev, out, backend, dataDescription: {} });
    const best = loadTagger(join(out, "model-best"));
    expect(evaluateTagger(best, test).micro.f1).toBeGreaterThanOrEqual(0.9);
    expect(withoutLexicon).toBeLessThan(0.75);

    const { dir: exported, manifest, engine } = await exportFp32(join(out, "model-best"), "lexicon", dev);
    const a = config.features.attributes.length - 1;
    expect(manifest.featurizer.config.attributes[a].entries).toEqual(loadLexicon(path).entries);
    // The file's leading comment (where a licence goes) travels with the phrases.
    expect(manifest.featurizer.config.attributes[a].notice).toBe("Made-up names.\nLicence: none needed.");
    // Unseen names, a name in capitals, and a word the lexicon does not list.
    const texts = [...test.slice(0, 6).map((d) => d.text), `Patient has ${names.DISEASE[50]!.toUpperCase()} today .`, "We noted qqqqqq again ."];
    const fromTfjs = best.predict(texts, { documentRules: false });
    expect(fromTfjs.flat().length).toBeGreaterThan(4);
    expectSameEntities(await engine.predict(texts, { documentRules: false }), fromTfjs);
    // A manifest without its phrases, or with a malformed one, is refused at load, not served without the feature.
    for (const entries of [undefined, [], ["drug no tab"]]) {
      const broken = structuredClone(manifest);
      broken.featurizer.config.attributes[a].entries = entries;
      const read = async (f: string) => (f === "manifest.json" ? new TextEncoder().encode(JSON.stringify(broken)) : new Uint8Array(readFileSync(join(exported, f))));
      await expect(loadExportedTagger(read, createNodeRunner, { dtype: "fp32" })).rejects.toThrow(entries?.length ? /^E401: .*class<TAB>token/ : /^E401: manifest.json: featurizer attribute 5 \(lexicon\) has no entries$/);
    }
    // Nor does the trainer build a tagger from a config whose lexicon was never read.
    expect(() => Tagger.create(config, ["DRUG", "DISEASE"])).toThrow(/^E301: features.attributes\[5\]: the lexicon .* is not loaded \(prepareLexicons\)$/);
    best.dispose();
  }, 120_000);
});
