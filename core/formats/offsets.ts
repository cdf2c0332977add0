// UTF-16 offsets (what medner and JavaScript count) to Unicode code-point offsets (what Python, and so spaCy and the
// Hugging Face pipeline, count). The two differ after every astral-plane character, e.g. an emoji.

/** `map[i]` = the code-point index of UTF-16 index `i`, for every `i` in 0..text.length. */
export function codePointIndex(text: string): Int32Array {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point: its second unit maps to the same index.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) map[++i] = cp;
    }
    cp++;
  }
  map[text.length] = cp;
  return map;
}

/** A converter for one text; an offset outside it is a bug upstream, and a silent `undefined` would hide it. */
export function codePointOffsets(text: string): (utf16: number) => number {
  const map = codePointIndex(text);
  return (i) => {
    const cp = Number.isInteger(i) ? map[i] : undefined;
    if (cp === undefined) throw new RangeError(`offset ${i} is outside the text (0..${text.length})`);
    return cp;
  };
}
