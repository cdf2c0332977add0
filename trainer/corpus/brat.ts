// BRAT standoff: pairs of NAME.txt and NAME.ann. Text-bound annotations ("T1<TAB>Label 0 5<TAB>text") become spans;
// discontinuous ones ("0 5;9 12") cannot be one span, so they are reported and skipped. Offsets are code points.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { MednerError, type Doc, type Span } from "../../core/index.ts";
import { codePointToUtf16 } from "./offsets.ts";
import type { ReadProblem } from "./types.ts";

/** Other standoff lines (relations, events, attributes, normalizations, notes, equivalences) carry no spans. */
const IGNORED = /^[REAMN#*]/;

export function parseBratPair(text: string, ann: string, annFile: string, id: string): { doc: Doc; problems: ReadProblem[] } {
  const entities: Span[] = [];
  const problems: ReadProblem[] = [];
  const toUtf16 = codePointToUtf16(text);
  ann.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const where = `${annFile}:${i + 1}`;
    if (!line.trim() || IGNORED.test(line)) return;
    const m = /^(T\d+)\t(\S+) ([\d ;]+)\t(.*)$/.exec(line);
    if (!m) throw new MednerError("E201", `${where}: expected "T<n><TAB><label> <start> <end><TAB><text>", got ${JSON.stringify(line.slice(0, 60))}`);
    const [, tid, label, ranges, quoted] = m as unknown as [string, string, string, string, string];
    if (ranges.includes(";")) {
      problems.push({ kind: "discontinuous", where, message: `${where}: ${tid} ${label} ${ranges} is discontinuous; skipped` });
      return;
    }
    const [s, e] = ranges.trim().split(" ").map(Number) as [number, number];
    const start = toUtf16(s);
    const end = toUtf16(e);
    if (!(start < end && end <= text.length))
      throw new MednerError("E201", `${where}: ${tid} ${s}–${e} is empty or outside the text (length ${text.length})`);
    if (text.slice(start, end) !== quoted)
      throw new MednerError("E201", `${where}: ${tid} says ${JSON.stringify(quoted)} but the text at ${s}–${e} is ${JSON.stringify(text.slice(start, end))}`);
    entities.push({ start, end, label });
  });
  return { doc: { id, text, entities }, problems };
}

function annFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? annFiles(join(dir, e.name)) : e.name.endsWith(".ann") ? [join(dir, e.name)] : []))
    .sort();
}

/** A BRAT folder (searched recursively), or one .ann/.txt file of a pair. */
export function readBrat(path: string): { docs: Doc[]; problems: ReadProblem[] } {
  const isDir = statSync(path).isDirectory();
  const anns = isDir ? annFiles(path) : [path.replace(/\.txt$/, ".ann")];
  if (anns.length === 0) throw new MednerError("E201", `${path}: no .ann files found`);
  const docs: Doc[] = [];
  const problems: ReadProblem[] = [];
  for (const ann of anns) {
    const txt = ann.replace(/\.ann$/, ".txt");
    if (!existsSync(ann)) throw new MednerError("E201", `${ann}: missing (every .txt needs its .ann)`);
    if (!existsSync(txt)) throw new MednerError("E201", `${txt}: missing (every .ann needs its .txt)`);
    const id = isDir ? relative(path, txt).replace(/\.txt$/, "") : basename(txt, ".txt");
    const r = parseBratPair(readFileSync(txt, "utf8"), readFileSync(ann, "utf8"), ann, id);
    docs.push(r.doc);
    problems.push(...r.problems);
  }
  return { docs, problems };
}
