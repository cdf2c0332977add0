// CoNLL/IOB: one token per line with its tag in the last column, a blank line between sentences, optional
// -DOCSTART- lines between documents. The text is rebuilt by joining tokens with single spaces (sentences of one
// document with "\n"), since token files lose the original spacing. Error messages name the file, line and column,
// never a token: tokens are patient text.
import { decodeTags, MednerError, parseTag, type Doc, type Span } from "../../core/index.ts";

/** Whether an IOB file marks its documents; without -DOCSTART- lines, each sentence becomes a doc of its own. */
export const marksDocuments = (content: string): boolean => /^-DOCSTART-/m.test(content);

export function parseConllCorpus(content: string, file: string): Doc[] {
  const docs: Doc[] = [];
  const hasDocStart = marksDocuments(content);
  let doc: { id: string; text: string; entities: Span[]; sentences: Array<[number, number]> } | null = null;
  let sentence: { tokens: string[]; tags: string[]; line: number } | null = null;

  const flushDoc = () => {
    if (doc && doc.sentences.length) docs.push(doc);
    doc = null;
  };
  const flushSentence = () => {
    if (!sentence) return;
    if (!doc || !hasDocStart) {
      flushDoc();
      doc = { id: `${file}:${sentence.line}`, text: "", entities: [], sentences: [] };
    }
    const d: { text: string; entities: Span[]; sentences: Array<[number, number]> } = doc;
    if (d.text) d.text += "\n";
    const base = d.text.length;
    const starts: number[] = [];
    let pos = base;
    for (const tok of sentence.tokens) {
      starts.push(pos);
      pos += tok.length + 1;
    }
    d.text += sentence.tokens.join(" ");
    for (const s of decodeTags(sentence.tags)) {
      const end = starts[s.tokenEnd - 1]! + sentence.tokens[s.tokenEnd - 1]!.length;
      d.entities.push({ start: starts[s.tokenStart]!, end, label: s.label });
    }
    d.sentences.push([base, d.text.length]);
    sentence = null;
  };

  content.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const n = i + 1;
    if (!line.trim()) return flushSentence();
    if (line.startsWith("-DOCSTART-")) {
      flushSentence();
      flushDoc();
      doc = { id: `${file}:${n}`, text: "", entities: [], sentences: [] };
      return;
    }
    const cols = line.includes("\t") ? line.split("\t") : line.trim().split(/\s+/);
    if (cols.length < 2 || !cols[0])
      throw new MednerError("E201", `${file}:${n}: expected "token<TAB>tag", ${cols.length < 2 ? "got one column" : "got an empty token"}`);
    const tag = cols[cols.length - 1]!.trim();
    try {
      parseTag(tag);
    } catch {
      // Not quoted: on a malformed line the last column may be a word of the note.
      throw new MednerError("E201", `${file}:${n}: invalid tag in column ${cols.length} (expected O, B-X, I-X, E-X, S-X, L-X or U-X)`);
    }
    if (/\s/u.test(cols[0])) throw new MednerError("E201", `${file}:${n}: token contains whitespace`);
    sentence ??= { tokens: [], tags: [], line: n };
    sentence.tokens.push(cols[0]);
    sentence.tags.push(tag);
  });
  flushSentence();
  flushDoc();
  return docs;
}
