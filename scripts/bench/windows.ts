// `npm run bench -- windows`: what the Worker's 256-token transformer windows change against the model's full 512, on
// long notes (1,000 and 3,000 tokens of the clinical notes): per-token label agreement (argmax of the merged logits)
// and entity agreement (same span and label), for q8 on the native runtime (the graph is the same; only the windows
// differ). With the generated model's random weights a fifth of the tokens are near-ties (docs/benchmarks.md), so the
// agreement on clearly decided tokens (top two logits ≥ 1 apart at 512) is reported too.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTransformer, type TransformerEngine } from "../../core/transformer/index.ts";
import { createNativeTransformerRunner } from "../../functions/adapters/ort-native.ts";
import { noteOfTokens } from "./transformer-notes.ts";

const load = (dir: string, windowTokens: number): Promise<TransformerEngine> =>
  loadTransformer(async (f) => new Uint8Array(readFileSync(join(dir, f))), createNativeTransformerRunner, { dtype: "q8", windowTokens });

const argmax = (row: Float32Array) => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);

export async function benchWindows(dir: string) {
  const [full, short] = [await load(dir, 512), await load(dir, 256)];
  const L = full.manifest.labels.length;
  const rows = [];
  for (const tokens of [1000, 3000]) {
    const text = noteOfTokens(full.tokenizer, tokens);
    const [a, b] = [(await full.score([text]))[0]!, (await short.score([text]))[0]!];
    let same = 0;
    let clear = 0;
    let clearSame = 0;
    for (let t = 0; t < a.tokens.length; t++) {
      const ra = a.logits.subarray(t * L, (t + 1) * L);
      const rb = b.logits.subarray(t * L, (t + 1) * L);
      const sorted = [...ra].sort((x, y) => y - x);
      const agree = argmax(ra) === argmax(rb);
      same += Number(agree);
      if (sorted[0]! - sorted[1]! >= 1) {
        clear++;
        clearSame += Number(agree);
      }
    }
    const key = (e: { start: number; end: number; label: string }) => `${e.start}:${e.end}:${e.label}`;
    const [ea, eb] = [(await full.predict([text], { aggregation: "first" }))[0]!, (await short.predict([text], { aggregation: "first" }))[0]!];
    const inB = new Set(eb.map(key));
    rows.push({ tokens, pieces: a.tokens.length, tokenAgreement: same / a.tokens.length, clearTokens: clear / a.tokens.length, clearTokenAgreement: clearSame / clear, entities512: ea.length, entities256: eb.length, entityAgreement: ea.filter((e) => inB.has(key(e))).length / Math.max(1, ea.length) });
  }
  await full.release();
  await short.release();
  return { model: dir, rows };
}

export function windowsTable(r: Awaited<ReturnType<typeof benchWindows>>): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return [
    `256- against 512-token windows, ${r.model} (q8, native onnxruntime, aggregation first)`,
    "| note | tokens agreeing | clear tokens | clear tokens agreeing | entities (512 / 256) | 512's entities found at 256 |",
    "|---|--:|--:|--:|--:|--:|",
    ...r.rows.map((x) => `| ${x.tokens} tokens | ${pct(x.tokenAgreement)} | ${pct(x.clearTokens)} | ${pct(x.clearTokenAgreement)} | ${x.entities512} / ${x.entities256} | ${pct(x.entityAgreement)} |`),
  ].join("\n");
}
