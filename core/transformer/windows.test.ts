// Window planning and the token-level merge: hand-computed plans and owners, and generated plans' coverage.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeWindows, planWindows, windowOwners } from "./windows.ts";

describe("planWindows", () => {
  it("uses one window when the note fits and none for an empty note", () => {
    expect(planWindows(0, 510, 128)).toEqual([]);
    expect(planWindows(510, 510, 128)).toEqual([{ start: 0, end: 510 }]);
  });

  it("steps by size − overlap and pulls the last window back to the note's end", () => {
    // Step 382: starts 0 and 382; 764 + 510 would pass 1000, so the last window is [490, 1000).
    expect(planWindows(1000, 510, 128)).toEqual([{ start: 0, end: 510 }, { start: 382, end: 892 }, { start: 490, end: 1000 }]);
    expect(planWindows(11, 4, 0)).toEqual([{ start: 0, end: 4 }, { start: 4, end: 8 }, { start: 7, end: 11 }]);
  });

  it("rejects sizes and overlaps that cannot make progress", () => {
    expect(() => planWindows(10, 0, 0)).toThrow(/size/);
    expect(() => planWindows(10, 4, 4)).toThrow(/overlap/);
    expect(() => planWindows(10, 4, -1)).toThrow(/overlap/);
  });

  it("covers every token, within size, with at least the overlap between neighbours", () => {
    const arb = fc.integer({ min: 1, max: 64 }).chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: 0, max: 1500 })));
    fc.assert(
      fc.property(arb, ([size, overlap, n]) => {
        const ws = planWindows(n, size, overlap);
        const covered = new Uint8Array(n);
        const bad = ws.filter((w, k) => {
          covered.fill(1, w.start, w.end);
          const prev = ws[k - 1];
          return w.end - w.start > size || w.start < 0 || w.end > n || (prev !== undefined && (w.start <= prev.start || prev.end - w.start < overlap));
        });
        expect(bad).toEqual([]);
        expect(covered.indexOf(0)).toBe(-1);
      }),
      { numRuns: 500 },
    );
  });
});

describe("windowOwners / mergeWindows", () => {
  const ws = planWindows(1000, 510, 128);

  it("gives each token the window where it is farthest from an inner edge", () => {
    const owner = windowOwners(1000, ws);
    // Windows 0 and 1 share [382, 510): distances 509 − t and t − 382 cross between 445 and 446.
    expect([owner[0], owner[381], owner[445], owner[446], owner[509]]).toEqual([0, 0, 0, 1, 1]);
    // Windows 1 and 2 share [490, 892): min(t − 382, 891 − t) against t − 490 (the note's end is no edge).
    expect([owner[690], owner[691], owner[891], owner[999]]).toEqual([1, 2, 2, 2]);
  });

  it("copies each token's row from its owner", () => {
    const small = planWindows(11, 4, 2); // [0,4) [2,6) [4,8) [6,10) [7,11)
    const width = 2;
    // Row values encode (window, token) so the merge's choice is visible.
    const rows = small.map((w, k) => Float32Array.from({ length: (w.end - w.start) * width }, (_, i) => k * 100 + w.start + Math.floor(i / width)));
    const merged = mergeWindows(11, small, rows, width);
    const owner = windowOwners(11, small);
    for (let t = 0; t < 11; t++) expect([merged[t * width], merged[t * width + 1]]).toEqual([owner[t]! * 100 + t, owner[t]! * 100 + t]);
    // Token 3: window 0 (distance 0 from its end) or 1 (distance 1 from its start) → 1.
    expect(owner[3]).toBe(1);
  });

  it("refuses windows that leave a token uncovered", () => {
    expect(() => windowOwners(5, [{ start: 0, end: 2 }, { start: 3, end: 5 }])).toThrow(/token 2/);
  });
});
