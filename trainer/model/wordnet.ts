// WordNet's noun files (data.noun, index.noun) as the lexicon builder needs them: synsets with their lemmas and
// hyponyms, and each lemma's senses in frequency order. Parsed by hand: the line format is documented in wndb(5), and
// the npm readers of it (natural, wordpos) look words up one at a time, with no hyponym walk.

export interface Synset {
  lemmas: string[];
  hyponyms: string[];
}

/** index.noun → lemma → its noun synsets' offsets, most frequent sense first. */
export function parseSenses(text: string): Map<string, string[]> {
  const senses = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("  ")) continue;
    // lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…
    const f = line.trim().split(" ");
    senses.set(f[0]!.toLowerCase(), f.slice(6 + Number(f[3])));
  }
  return senses;
}

/** The licence WordNet's files begin with (their lines that start with two spaces and a line number), as plain lines. */
export function licenceOf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("  ")) break;
    out.push(line.replace(/^\s+\d+ ?/, "").trimEnd());
  }
  return out;
}

/** data.noun → offset → lemmas and hyponyms (the reverse of each synset's hypernym pointers "@" and "@i"). */
export function parseNouns(text: string): Map<string, Synset> {
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

/**
 * The lemmas (lowercased, "_" as spaces) of every synset below `roots` ([offset, a lemma it must hold]) through
 * hypernym links, each kept only where that synset is its most frequent noun sense and only when it has at least 3
 * characters. `source` names the files in errors.
 */
export function lemmasBelow(synsets: Map<string, Synset>, senses: Map<string, string[]>, roots: Array<[string, string]>, source: string): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = roots.map(([offset, lemma]) => {
    if (!synsets.get(offset)?.lemmas.some((l) => l.toLowerCase() === lemma)) throw new Error(`${source}: synset ${offset} is not "${lemma}"`);
    return offset;
  });
  while (stack.length) {
    const o = stack.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    const s = synsets.get(o)!;
    // Lemmas spell spaces as "_"; adjective markers such as "(p)" never occur on nouns.
    for (const l of s.lemmas) if (l.length >= 3 && senses.get(l.toLowerCase())?.[0] === o) out.add(l.replace(/_/g, " ").toLowerCase());
    stack.push(...s.hyponyms);
  }
  return out;
}
