// `npm run bench -- windows`: what the Worker's 256-token transformer windows change against the model's full 512, on
// long notes (1,000 and 3,000 tokens of the clinical notes): per-token label agreement (argmax of the merged logits)
// and entity agreement (same span and label), for q8 on the native runtime (the graph is the same; only the windows
// differ). With the generated model's random weights a fifth of the tokens are near-ties (docs/benchmarks.md), so the
// agreement on clearly decided tokens (top two logits ≥ 1 apart at 512) is reported too; and, as a baseline, the same
// comparison between two placements of 512-token windows (overlap 128 against 32): what moving a token's window alone
// changes in this model.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTransformer, type TransformerEngine } from "../../core/transformer/index.ts";
import { createNativeTransformerRunner } from "../../functions/adapters/ort-native-node.ts";
import { noteOfTokens } from "./transformer-notes.ts";

const load = (dir: string, windowTokens: number, windowOverlap?: number): Promise<TransformerEngine> =>
  loadTransformer(async (f) => new Uint8Array(readFileSync(join(dir, f))), createNativeTransformerRunner, { dtype: "q8", windowTokens, ...(windowOverlap ? { windowOverlap } : {}) });

const argmax = (row: Float32Array) => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);

/** Per-token label and entity agreement of two engines on one note. */
async function agreement(a: TransformerEngine, b: TransformerEngine, text: string) {
  const L = a.manifest.labels.length;
  const [sa, sb] = [(await a.score([text]))[0]!, (await b.score([text]))[0]!];
  let same = 0;
  let clear = 0;
  let clearSame = 0;
  for (let t = 0; t < sa.tokens.length; t++) {
    const ra = sa.logits.subarray(t * L, (t + 1) * L);
    const rb = sb.logits.subarray(t * L, (t + 1) * L);
    const sorted = [...ra].sort((x, y) => y - x);
    const agree = argmax(ra) === argmax(rb);
    same += Number(agree);
    if (sorted[0]! - sorted[1]! >= 1) {
      clear++;
      clearSame += Number(agree);
    }
  }
  const key = (e: { start: number; end: number; label: string }) => `${e.start}:${e.end}:${e.label}`;
  const [ea, eb] = [(await a.predict([text], { aggregation: "first" }))[0]!, (await b.predict([text], { aggregation: "first" }))[0]!];
  const inB = new Set(eb.map(key));
  return { tokenAgreement: same / sa.tokens.length, clearTokens: clear / sa.tokens.length, clearTokenAgreement: clearSame / clear, entitiesA: ea.length, entitiesB: eb.length, entityAgreement: ea.filter((e) => inB.has(key(e))).length / Math.max(1, ea.length) };
}

export async function benchWindows(dir: string) {
  const [full, short, shifted] = [await load(dir, 512), await load(dir, 256), await load(dir, 512, 32)];
  const rows = [];
  for (const tokens of [1000, 3000]) {
    const text = noteOfTokens(full.tokenizer, tokens);
    rows.push({ tokens, compare: "256 against 512", ...(await agreement(full, short, text)) });
    rows.push({ tokens, compare: "512 placed otherwise (overlap 32 against 128)", ...(await agreement(full, shifted, text)) });
  }
  for (const e of [full, short, shifted]) await e.release();
  return { model: dir, rows };
}

export function windowsTable(r: Awaited<ReturnType<typeof benchWindows>>): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return [
    `Transformer windows on long notes, ${r.model} (q8, native onnxruntime, aggregation first)`,
    "| note | windows compared | tokens agreeing | clear tokens | clear tokens agreeing | entities (first / second) | first's entities found by the second |",
    "|---|---|--:|--:|--:|--:|--:|",
    ...r.rows.map((x) => `| ${x.tokens} tokens | ${x.compare} | ${pct(x.tokenAgreement)} | ${pct(x.clearTokens)} | ${pct(x.clearTokenAgreement)} | ${x.entitiesA} / ${x.entitiesB} | ${pct(x.entityAgreement)} |`),
  ].join("\n");
}
