import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";

describe("initBackend", () => {
  it("falls back to a backend that works and says which, and why others were skipped", async () => {
    const info = await initBackend();
    expect(["tensorflow", "wasm", "cpu"]).toContain(info.name);
    expect(tf.getBackend()).toBe(info.name);
    if (info.name !== "tensorflow") expect(info.skipped[0]).toMatch(/^tensorflow: /);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(await y.data()).toEqual(new Float32Array([11]));
  });

  it("honours a preferred backend", async () => {
    expect((await initBackend("cpu")).name).toBe("cpu");
    expect((await initBackend("wasm")).name).toBe("wasm");
  });
});
