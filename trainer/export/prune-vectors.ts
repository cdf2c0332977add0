// Fewer word vectors for the edge: keep the rows of the `keep` most frequent words of each `vectors` attribute's file
// (such files list words most frequent first), of the model's lexicon phrases and of `extraWords` (the training
// corpus's, say), and drop the others from the table and from `known`, so a dropped word gets no vector, as any word
// outside the file does. This changes answers; docs/workers.md has what it costs on BC5CDR devel.
import { MednerError, valueHash } from "../../core/index.ts";
import type { Tagger } from "../model/tagger.ts";
import { readVectors } from "../model/vectors.ts";

/** Prunes `tagger` in place (a tagger loaded for one export) and its seed-average members; returns rows kept per attribute. */
export function keepFrequentVectors(taggers: readonly Tagger[], keep: number, extraWords: Iterable<string> = [], read = readVectors): Record<number, number> {
  if (!Number.isInteger(keep) || keep < 1) throw new MednerError("E301", `--vector-rows must be a positive whole number, not ${keep}`);
  const kept: Record<number, number> = {};
  const first = taggers[0]!;
  const lexiconWords = first.config.features.attributes.flatMap((attr) => (attr.type === "lexicon" ? (attr.entries ?? []).flatMap((e) => e.split("\t")[1]!.split(" ")) : []));
  const extra = [...extraWords, ...lexiconWords];
  first.config.features.attributes.forEach((attr, a) => {
    if (attr.type !== "vectors" || !attr.known || attr.known.length <= keep) return;
    const frequent = new Set([...read(attr.path, keep).words, ...extra].map((w) => valueHash(attr, a, w)));
    const rows = attr.known.flatMap((h, r) => (frequent.has(h) ? [r] : []));
    const known = rows.map((r) => attr.known![r]!);
    const dim = attr.dim;
    for (const t of taggers) {
      const full = t.embed.tables[a]!;
      const table = new Float32Array(rows.length * dim);
      rows.forEach((r, i) => table.set(full.subarray(r * dim, (r + 1) * dim), i * dim));
      t.embed.tables[a] = table;
      t.embed.rows[a] = rows.length;
      t.config.features.attributes[a] = { ...attr, rows: rows.length, known };
    }
    kept[a] = rows.length;
  });
  return kept;
}
