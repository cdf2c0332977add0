// The reference models inside workerd, through the Worker's onnxruntime-web adapter: imported with `models:import`
// from a local hub when vitest starts (vitest.config.ts, tests/fixtures/reference/hub.ts) and compared with what
// Hugging Face's Python answered, by the same measures and bounds as tests/node/reference-parity.test.ts.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadTransformer } from "../../core/transformer/index.ts";
import { createWorkerdTransformerRunner } from "../../functions/adapters/ort-workerd.ts";
import { entityParity, FP32_TOLERANCE, maxLogitDiff, Q8_BOUNDS, q8Agreement, STRATEGIES, type ReferenceFixture } from "../fixtures/reference/reference.ts";

interface Binding {
  texts: Array<{ id: string; text: string }>;
  models: Record<string, { files: Record<string, string>; fixture: ReferenceFixture; logits: string }>;
}
const reference = (env as unknown as { REFERENCE_TRANSFORMERS: Binding }).REFERENCE_TRANSFORMERS;
const texts = new Map(reference.texts.map((t) => [t.id, t.text]));
const textOf = (id: string) => texts.get(id)!;
const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

describe.each(Object.keys(reference.models))("the %s reference model in workerd", (model) => {
  const { files, fixture } = reference.models[model]!;
  const logits = new Float32Array(decode(reference.models[model]!.logits).buffer);
  const read = async (f: string) => (files[f] ? decode(files[f]) : null);

  it("fp32: every piece's logits within 1e-4 of torch's, every strategy's entities the pipeline's", async () => {
    const engine = await loadTransformer(read, createWorkerdTransformerRunner, { dtype: "fp32" });
    expect(await maxLogitDiff(engine, fixture, logits, textOf)).toBeLessThan(FP32_TOLERANCE);
    const { mismatches, maxScoreDiff } = await entityParity(engine, fixture, textOf);
    expect(mismatches).toEqual([]);
    expect(maxScoreDiff).toBeLessThan(FP32_TOLERANCE);
    await engine.release();
  });

  it("q8 from the streamed ORT-format file the Worker serves: argmax and entities within the measured bounds", async () => {
    const open = async (f: string) => (files[f] ? { size: decode(files[f]).byteLength, body: new Blob([decode(files[f])]).stream() } : null);
    const engine = await loadTransformer(read, createWorkerdTransformerRunner, { dtype: "q8", open });
    const q8 = await q8Agreement(engine, fixture, logits, textOf);
    expect(q8.argmax).toBeGreaterThanOrEqual(Q8_BOUNDS.medner.argmax);
    expect(q8.flippedMargin).toBeLessThan(Q8_BOUNDS.medner.flipsBelowMargin);
    for (const strategy of STRATEGIES) expect(q8.entities[strategy], strategy).toBeGreaterThanOrEqual(Q8_BOUNDS.medner.entities);
    await engine.release();
  });
});
