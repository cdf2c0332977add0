// Adam for the dense tfjs parameters, with the learning rate and the clipping scale given per step (warm-up, decay).
import * as tf from "@tensorflow/tfjs";
import type { AdamSettings } from "./hash-embed.ts";
import type { Params } from "./network.ts";

export class DenseAdam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(private readonly params: Params) {
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  apply(grads: Map<string, tf.Tensor>, o: AdamSettings): void {
    const c1 = 1 - o.beta1 ** o.step;
    const c2 = 1 - o.beta2 ** o.step;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name)!.mul(o.scale);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(m.mul(o.beta1).add(g.mul(1 - o.beta1)));
        v.assign(v.mul(o.beta2).add(g.square().mul(1 - o.beta2)));
        p.assign(p.sub(m.div(c1).div(v.div(c2).sqrt().add(1e-8)).mul(o.lr)));
      }
    });
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
