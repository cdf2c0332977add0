// Long notes: cut a tokenized note into overlapping windows that fit the model, and merge the windows' outputs back
// into one row per token, so aggregation runs once over the whole note (no duplicates, nothing cut at an edge).
// Python's pipeline instead aggregates each chunk and then drops overlapping entities; merging tokens first keeps
// words and entities that straddle a window edge whole under every aggregation strategy.

/** Token range `[start, end)` of the note, [CLS]/[SEP] not counted. */
export interface TokenWindow {
  start: number;
  end: number;
}

/**
 * Windows of at most `size` tokens covering all `tokenCount` tokens, consecutive ones sharing at least `overlap`.
 * The last window is pulled back to end at the note's end, so it is full length (more context, never a stub).
 */
export function planWindows(tokenCount: number, size: number, overlap: number): TokenWindow[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`window size must be a positive integer, got ${size}`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size) throw new Error(`window overlap must be an integer in [0, ${size}), got ${overlap}`);
  if (tokenCount === 0) return [];
  if (tokenCount <= size) return [{ start: 0, end: tokenCount }];
  const step = size - overlap;
  const windows: TokenWindow[] = [];
  let start = 0;
  for (; start + size < tokenCount; start += step) windows.push({ start, end: start + size });
  windows.push({ start: tokenCount - size, end: tokenCount });
  return windows;
}

/**
 * For each token, the window whose scores it takes: the one where it sits farthest from a window edge, so it saw the
 * most context on its nearer side. The note's own start and end are not edges (no context is missing there).
 * Ties go to the earlier window.
 */
export function windowOwners(tokenCount: number, windows: readonly TokenWindow[]): Int32Array {
  const owner = new Int32Array(tokenCount).fill(-1);
  const best = new Float64Array(tokenCount).fill(-1);
  windows.forEach((w, k) => {
    for (let t = w.start; t < w.end; t++) {
      const left = w.start > 0 ? t - w.start : Infinity;
      const right = w.end < tokenCount ? w.end - 1 - t : Infinity;
      const d = Math.min(left, right);
      if (d > best[t]!) {
        best[t] = d;
        owner[t] = k;
      }
    }
  });
  const missing = owner.indexOf(-1);
  if (missing >= 0) throw new Error(`windows leave token ${missing} of ${tokenCount} uncovered`);
  return owner;
}

/** `rows[k]` holds window k's `(end - start) × width` outputs; returns `tokenCount × width`, each row from its owner. */
export function mergeWindows(tokenCount: number, windows: readonly TokenWindow[], rows: readonly Float32Array[], width: number): Float32Array {
  const owner = windowOwners(tokenCount, windows);
  const out = new Float32Array(tokenCount * width);
  for (let t = 0; t < tokenCount; t++) {
    const k = owner[t]!;
    const from = (t - windows[k]!.start) * width;
    out.set(rows[k]!.subarray(from, from + width), t * width);
  }
  return out;
}
