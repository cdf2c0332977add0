// Hash embedding tables kept in plain Float32Arrays, outside tfjs: lookups sum each attribute's seed rows, and the
// gradient with respect to the looked-up vectors is scattered back and applied with a lazy (sparse) Adam.
// Why by hand: tfjs's wasm backend has no gradient kernel for gather (UnsortedSegmentSum), and the cpu backend's one
// costs ~30 s a step (../shared/PLATFORM.md); touching only the rows a batch uses is also what makes this fast.

export interface AdamSettings {
  lr: number;
  beta1: number;
  beta2: number;
  step: number;
  /** Multiplier from global-norm gradient clipping. */
  scale: number;
}

export class HashEmbed {
  /** Adam moments per table (empty for frozen tables). */
  readonly m: Float32Array[];
  readonly v: Float32Array[];
  /** Slots per token of each attribute, and where each attribute's slots start. */
  private readonly slotStart: number[];
  private readonly perToken: number;
  /** Where each attribute's vector starts in a token's output row, and the row's width. */
  private readonly colStart: number[];
  readonly width: number;

  /**
   * `dims[a]`: the width of attribute `a`'s rows. `bags[a]`: it is an n-gram bag (its rows are averaged over the
   * non-PAD slots) rather than one value hashed `slots[a]` times (its rows are summed). `frozen[a]`: its table is
   * never updated (pretrained word vectors).
   */
  constructor(
    readonly tables: Float32Array[],
    readonly rows: number[],
    readonly dims: number[],
    readonly slots: number[],
    readonly bags: boolean[],
    readonly frozen: boolean[] = tables.map(() => false),
  ) {
    this.m = tables.map((t, a) => new Float32Array(frozen[a] ? 0 : t.length));
    this.v = tables.map((t, a) => new Float32Array(frozen[a] ? 0 : t.length));
    this.slotStart = slots.map((_, a) => slots.slice(0, a).reduce((x, y) => x + y, 0));
    this.perToken = slots.reduce((x, y) => x + y, 0);
    this.colStart = dims.map((_, a) => dims.slice(0, a).reduce((x, y) => x + y, 0));
    this.width = dims.reduce((x, y) => x + y, 0);
  }

  /** Random tables, except where `fixed[a]` gives one (pretrained vectors: frozen). */
  static init(rows: number[], dims: number[], slots: number[], bags: boolean[], random: () => number, fixed: Array<Float32Array | undefined> = []): HashEmbed {
    const tables = rows.map((r, a) => {
      if (fixed[a]) return fixed[a];
      const scale = 1 / Math.sqrt(dims[a]! * (bags[a] ? 1 : slots[a]!));
      return Float32Array.from({ length: r * dims[a]! }, () => (random() * 2 - 1) * scale);
    });
    return new HashEmbed(tables, rows, dims, slots, bags, rows.map((_, a) => fixed[a] !== undefined));
  }

  /** Calls `fn(attribute, row, weight, outputOffset)` for every filled slot of the `n` tokens of `ids`. */
  private forEachSlot(ids: Int32Array, n: number, fn: (a: number, row: number, weight: number, o: number) => void): void {
    const A = this.tables.length;
    for (let t = 0; t < n; t++) {
      for (let a = 0; a < A; a++) {
        const base = t * this.perToken + this.slotStart[a]!;
        const k = this.slots[a]!;
        let count = 0;
        for (let s = 0; s < k; s++) if (ids[base + s]! >= 0) count++;
        if (count === 0) continue;
        const weight = this.bags[a] ? 1 / count : 1;
        for (let s = 0; s < k; s++) {
          const row = ids[base + s]!;
          if (row >= 0) fn(a, row, weight, t * this.width + this.colStart[a]!);
        }
      }
    }
  }

  /** `[n, Σ dims]`: for each token and attribute, the sum (or, for bags, the mean) of its slots' rows. */
  lookup(ids: Int32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.width);
    this.forEachSlot(ids, n, (a, row, w, o) => {
      const table = this.tables[a]!;
      const dim = this.dims[a]!;
      const r = row * dim;
      for (let d = 0; d < dim; d++) out[o + d]! += w * table[r + d]!;
    });
    return out;
  }

  /** Sum of squares of the trainable columns of a lookup gradient `[n, Σ dims]` (for global-norm clipping). */
  gradSquare(grad: Float32Array): number {
    let s = 0;
    const n = grad.length / this.width;
    for (let t = 0; t < n; t++)
      this.dims.forEach((dim, a) => {
        if (this.frozen[a]) return;
        const o = t * this.width + this.colStart[a]!;
        for (let d = 0; d < dim; d++) s += grad[o + d]! * grad[o + d]!;
      });
    return s;
  }

  /** Lazy Adam on the trainable rows `ids` touched, from `grad` `[n, Σ dims]` (the gradient of the lookup output). */
  update(ids: Int32Array, n: number, grad: Float32Array, o: AdamSettings): void {
    // Accumulate per row first, so a row used many times in the batch gets one Adam step with the summed gradient.
    const acc = new Map<number, Float32Array>();
    this.forEachSlot(ids, n, (a, row, w, g) => {
      if (this.frozen[a]) return;
      const dim = this.dims[a]!;
      const key = a * 0x4000000 + row;
      let buf = acc.get(key);
      if (!buf) acc.set(key, (buf = new Float32Array(dim)));
      for (let d = 0; d < dim; d++) buf[d]! += w * grad[g + d]!;
    });
    const c1 = 1 - o.beta1 ** o.step;
    const c2 = 1 - o.beta2 ** o.step;
    for (const [key, g] of acc) {
      const a = Math.floor(key / 0x4000000);
      const dim = this.dims[a]!;
      const r = (key % 0x4000000) * dim;
      const table = this.tables[a]!;
      const m = this.m[a]!;
      const v = this.v[a]!;
      for (let d = 0; d < dim; d++) {
        const gd = g[d]! * o.scale;
        m[r + d] = o.beta1 * m[r + d]! + (1 - o.beta1) * gd;
        v[r + d] = o.beta2 * v[r + d]! + (1 - o.beta2) * gd * gd;
        table[r + d]! -= (o.lr * (m[r + d]! / c1)) / (Math.sqrt(v[r + d]! / c2) + 1e-8);
      }
    }
  }
}
