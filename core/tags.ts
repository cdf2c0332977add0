// Token tags ↔ token spans for BIO and BILOU. Decoding always yields well-formed spans: an `I-X` (or `L-X`) that
// does not continue an open `X` entity begins a new one — the conlleval/seqeval convention — so no tag is lost.
import { MednerError } from "./errors.ts";

export type TagScheme = "BIO" | "BILOU";
export type TagPrefix = "B" | "I" | "L" | "U" | "O";

export interface TokenSpan {
  label: string;
  tokenStart: number;
  tokenEnd: number;
}

/** Parses `O`, `B-X`, `I-X`, `L-X`, `U-X`; BIOES's `E-X`/`S-X` are read as `L-X`/`U-X`. */
export function parseTag(tag: string): { prefix: TagPrefix; label: string } {
  if (tag === "O") return { prefix: "O", label: "" };
  const m = /^([BILUES])-(.+)$/.exec(tag);
  if (!m) throw new MednerError("E110", `invalid tag "${tag}": expected O or B-/I-/L-/U-/E-/S- followed by a label`);
  const p = m[1]!;
  const prefix = (p === "E" ? "L" : p === "S" ? "U" : p) as TagPrefix;
  return { prefix, label: m[2]! };
}

/** Every tag of a scheme over `labels`, "O" first; index order is the model's output order. */
export function tagNames(labels: readonly string[], scheme: TagScheme): string[] {
  const prefixes = scheme === "BIO" ? ["B", "I"] : ["B", "I", "L", "U"];
  return ["O", ...labels.flatMap((l) => prefixes.map((p) => `${p}-${l}`))];
}

/** Tags for `n` tokens from non-overlapping token spans. */
export function encodeTags(n: number, spans: TokenSpan[], scheme: TagScheme): string[] {
  const tags = new Array<string>(n).fill("O");
  for (const s of spans) {
    const len = s.tokenEnd - s.tokenStart;
    for (let i = s.tokenStart; i < s.tokenEnd; i++) {
      if (tags[i] !== "O") throw new MednerError("E102", `spans overlap at token ${i}: resolve overlaps before encoding`);
      const first = i === s.tokenStart;
      const last = i === s.tokenEnd - 1;
      let p: string;
      if (scheme === "BIO") p = first ? "B" : "I";
      else p = len === 1 ? "U" : first ? "B" : last ? "L" : "I";
      tags[i] = `${p}-${s.label}`;
    }
  }
  return tags;
}

/** Token spans from tags of either scheme (the prefixes tell them apart), well-formed by construction. */
export function decodeTags(tags: readonly string[]): TokenSpan[] {
  const out: TokenSpan[] = [];
  let open: TokenSpan | null = null;
  const close = () => {
    if (open) out.push(open);
    open = null;
  };
  tags.forEach((tag, i) => {
    const { prefix, label } = parseTag(tag);
    const continues = open !== null && open.label === label && (prefix === "I" || prefix === "L");
    if (prefix === "O") return close();
    if (continues) open!.tokenEnd = i + 1;
    else {
      close();
      open = { label, tokenStart: i, tokenEnd: i + 1 };
    }
    if (prefix === "L" || prefix === "U") close();
  });
  close();
  return out;
}

/** Whether tag `to` may follow tag `from` (null = sequence start) so that decoding needs no repair. */
export function isAllowedTransition(from: string | null, to: string, scheme: TagScheme): boolean {
  const t = parseTag(to);
  const f = from === null ? null : parseTag(from);
  const continuesSame = f !== null && (f.prefix === "B" || f.prefix === "I") && f.label === t.label;
  if (scheme === "BIO") return t.prefix === "I" ? continuesSame : t.prefix === "O" || t.prefix === "B";
  const inside = f !== null && (f.prefix === "B" || f.prefix === "I");
  if (inside) return (t.prefix === "I" || t.prefix === "L") && continuesSame;
  return t.prefix === "O" || t.prefix === "B" || t.prefix === "U";
}

/** Whether a sequence may end on `tag` (BILOU entities must be closed by L or U). */
export function isAllowedEnd(tag: string, scheme: TagScheme): boolean {
  const { prefix } = parseTag(tag);
  return scheme === "BIO" || (prefix !== "B" && prefix !== "I");
}
