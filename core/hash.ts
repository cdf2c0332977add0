// 32-bit hashing for hash embeddings: MurmurHash3 (x86, 32-bit) over UTF-16 code units, plus the murmur finalizer to
// derive several independent row ids from one hash (spaCy's MultiHashEmbed uses several seeds per feature the same way).
// Hand-written: a few lines, and it must give identical numbers in Node, workerd and the ONNX feature pipeline.

export function murmur3(text: string, seed = 0): number {
  let h = seed >>> 0;
  const n = text.length;
  let i = 0;
  // Two UTF-16 code units per 32-bit block.
  for (; i + 1 < n; i += 2) {
    let k = (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)) >>> 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n * 2;
  return fmix32(h);
}

export function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The `k`-th of several row ids for one hash, in `[0, rows)`. */
export function rowFor(hash: number, k: number, rows: number): number {
  return fmix32(hash ^ Math.imul(k + 1, 0x9e3779b9)) % rows;
}
