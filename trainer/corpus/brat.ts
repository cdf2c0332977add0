// BRAT standoff: pairs of NAME.txt and NAME.ann. Text-bound annotations ("T1<TAB>Label 0 5<TAB>text") become spans;
// discontinuous ones ("0 5;9 12") cannot be one span, so they are reported and skipped. Offsets are code points.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { MednerError, type Doc, type Span } from "../../core/index.ts";
import { readText } from "./files.ts";
import { codePointToUtf16 } from "./offsets.ts";
import type { ReadProblem } from "./types.ts";

/** Other standoff lines (relations, events, attributes, normalizations, notes, equivalences) carry no spans. */
const IGNORED = /^[REAMN#*]/;

export function parseBratPair(text: string, ann: string, annFile: string, id: string): { doc: Doc; problems: ReadProblem[] } {
  const entities: Span[] = [];
  const problems: ReadProblem[] = [];
  const toUtf16 = codePointToUtf16(text);
  const seen = new Map<string, number>();
  ann.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const where = `${annFile}:${i + 1}`;
    if (!line.trim() || IGNORED.test(line)) return;
    // Messages name the file, line, T-id and offsets, never the annotated text: it is patient text.
    const m = /^(T\d+)\t(\S+) ([^\t]*)\t(.*)$/.exec(line);
    if (!m) throw new MednerError("E201", `${where}: expected "T<n><TAB><label> <start> <end><TAB><text>"`);
    const [, tid, label, ranges, quoted] = m as unknown as [string, string, string, string, string];
    const fragments = ranges.split(";").map((f) => /^(\d+) (\d+)$/.exec(f));
    if (!fragments.every((f) => f))
      throw new MednerError("E201", `${where}: ${tid}: offsets must be "<start> <end>", two whole numbers, with ";" between the fragments of a discontinuous span`);
    const first = seen.get(tid);
    if (first !== undefined) throw new MednerError("E201", `${where}: ${tid} is already defined at line ${first}`);
    seen.set(tid, i + 1);
    if (fragments.length > 1) {
      problems.push({ kind: "discontinuous", where, message: `${where}: ${tid} ${label} ${ranges} is discontinuous; skipped` });
      return;
    }
    const [s, e] = [Number(fragments[0]![1]), Number(fragments[0]![2])];
    const start = toUtf16(s);
    const end = toUtf16(e);
    if (!(start < end && end <= text.length))
      throw new MednerError("E201", `${where}: ${tid} ${s}–${e} is empty or outside the text (length ${text.length})`);
    if (text.slice(start, end) !== quoted)
      throw new MednerError("E201", `${where}: ${tid}: its text differs from the text at ${s}–${e} (offsets count code points)`);
    entities.push({ start, end, label });
  });
  return { doc: { id, text, entities }, problems };
}

function filesEndingIn(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesEndingIn(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : []))
    .sort();
}

/** A BRAT folder (searched recursively), or one .ann/.txt file of a pair. */
export function readBrat(path: string): { docs: Doc[]; problems: ReadProblem[] } {
  const isDir = statSync(path).isDirectory();
  if (!isDir && !/\.(ann|txt)$/.test(path)) throw new MednerError("E201", `${path}: not a .txt/.ann pair (BRAT needs a folder, or NAME.txt or NAME.ann)`);
  const anns = isDir ? filesEndingIn(path, ".ann") : [path.replace(/\.txt$/, ".ann")];
  if (anns.length === 0) throw new MednerError("E201", `${path}: no .ann files found`);
  // A note without its annotations would otherwise be left out of the corpus unnoticed.
  const txts = isDir ? filesEndingIn(path, ".txt") : [];
  for (const txt of txts) {
    const ann = txt.replace(/\.txt$/, ".ann");
    if (!existsSync(ann)) throw new MednerError("E201", `${ann}: missing (every .txt needs its .ann)`);
  }
  const docs: Doc[] = [];
  const problems: ReadProblem[] = [];
  for (const ann of anns) {
    const txt = ann.replace(/\.ann$/, ".txt");
    if (!existsSync(ann)) throw new MednerError("E201", `${ann}: missing (every .txt needs its .ann)`);
    if (!existsSync(txt)) throw new MednerError("E201", `${txt}: missing (every .ann needs its .txt)`);
    const id = isDir ? relative(path, txt).replace(/\.txt$/, "") : basename(txt, ".txt");
    // The .ann loses a byte-order mark; the .txt keeps it, since BRAT counts it in the offsets.
    const r = parseBratPair(readFileSync(txt, "utf8"), readText(ann), ann, id);
    docs.push(r.doc);
    problems.push(...r.problems);
  }
  return { docs, problems };
}
