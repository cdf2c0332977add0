// Parameter averaging, as spaCy trains (thinc's Adam with `use_averages`): a moving average of every weight is kept
// beside the weights, and evaluation and saving use the averages. The decay warms up as thinc's does:
// min((1 + step) / (10 + step), 0.9999).
import * as tf from "@tensorflow/tfjs";
import type { HashEmbed } from "./hash-embed.ts";
import type { Params } from "./network.ts";

export const averageDecay = (step: number) => Math.min((1 + step) / (10 + step), 0.9999);

export class ParamAverages {
  private readonly dense = new Map<string, tf.Variable>();
  /** Averages of the trainable tables (null for frozen ones, which never change). */
  private readonly tables: Array<Float32Array | null>;
  /** True while the averages are in the model (and the raw weights are here). */
  swapped = false;

  constructor(
    private readonly params: Params,
    private readonly embed: HashEmbed,
  ) {
    for (const [name, p] of params) this.dense.set(name, tf.variable(p.clone(), false));
    this.tables = embed.tables.map((t, i) => (embed.frozen[i] ? null : t.slice()));
  }

  /** Moves the averages towards the current weights after optimizer step `step`. */
  update(step: number): void {
    if (this.swapped) throw new Error("ParamAverages.update while the averages are swapped in");
    const k = 1 - averageDecay(step);
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const a = this.dense.get(name)!;
        a.assign(a.add(p.sub(a).mul(k)));
      }
    });
    this.embed.tables.forEach((w, i) => {
      const a = this.tables[i];
      if (!a) return;
      for (let j = 0; j < a.length; j++) a[j]! += (w[j]! - a[j]!) * k;
    });
  }

  /** Exchanges the model's weights and the averages (call twice to restore). */
  swap(): void {
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const a = this.dense.get(name)!;
        const raw = p.clone();
        p.assign(a);
        a.assign(raw);
      }
    });
    this.embed.tables.forEach((w, i) => {
      const a = this.tables[i];
      if (!a) return;
      const raw = w.slice();
      w.set(a);
      a.set(raw);
    });
    this.swapped = !this.swapped;
  }

  dispose(): void {
    for (const v of this.dense.values()) v.dispose();
  }
}
