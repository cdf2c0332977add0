// Python tools (BRAT, spaCy, most annotators) count offsets in code points; medner counts UTF-16 code units, as
// `String.prototype.slice` does. They differ only after an astral character (emoji, 𝔸), so convert exactly.

/** A function mapping a code-point offset in `text` to its UTF-16 offset. */
export function codePointToUtf16(text: string): (offset: number) => number {
  if (!/[\uD800-\uDFFF]/.test(text)) return (o) => o;
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  // Past the end stays past the end, so range checks still catch it.
  return (o) => (o < map.length ? map[o]! : u + (o - map.length + 1));
}
