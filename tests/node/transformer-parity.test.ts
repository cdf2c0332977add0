// Parity of medner's transformer path with its references, on tiny generated folders: transformers.js 4.3's
// token-classification pipeline on the very same files, onnxruntime-web against onnxruntime-node, and the engine's
// padded batches against a plain unpadded session.run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoTokenizer, env, pipeline, Tensor, TokenClassificationPipeline } from "@huggingface/transformers";
import * as ort from "onnxruntime-web";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dtypeFile, type Dtype } from "../../core/manifest.ts";
import { loadTransformer, parseTransformerManifest, planWindows, TransformerEngine, WordPieceTokenizer, type GroupEntity, type TokenEntity } from "../../core/transformer/index.ts";
import { createNodeTransformerRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createNativeTransformerRunner } from "../../functions/adapters/ort-native-node.ts";
import { generateTransformer } from "../../scripts/generate-transformer.ts";

/** Punctuation, words cut into pieces, accents, and characters outside the vocabulary ([UNK]: ☃, 🫀). */
const NOTES = [
  "Pt with HTN and DM2 on metformin 500 mg BID; s/p CABG 2019. Denies chest pain.",
  "Hypercholesterolemia, tachycardia (HR 112) and hyperkalemia: K+ 6.1 mmol/L!",
  "Café-au-lait spots, naïve to insulin ☃ started glargine 10 units qHS.",
  "Echo 🫀 EF 55%; pt's daughter at bedside.",
];
const DEV_NOTES = (JSON.parse(readFileSync(new URL("../../data/clinical-notes/dev.json", import.meta.url), "utf8")) as Array<{ text: string }>).map((d) => d.text);

/** What transformers.js returns per token (it has no start/end: "TODO: Add support for start and end"). */
type TjsToken = { entity: string; score: number; index: number; word: string };
type TjsGroup = { entity_group: string; score: number; word: string };

let root: string;
const folder = (variant: string) => join(root, variant);
const reader = (dir: string) => async (file: string) => new Uint8Array(readFileSync(join(dir, file)));
const load = (variant: string, dtype: Dtype, createRunner = createNodeTransformerRunner) => loadTransformer(reader(folder(variant)), createRunner, { dtype });
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "medner-transformer-parity-"));
  await generateTransformer({ size: "tiny", variant: "medner", out: folder("medner"), seed: 11 });
  env.allowRemoteModels = false;
  env.localModelPath = `${root}/`;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("the notes exercise punctuation, WordPiece splits, accents and [UNK]", async () => {
  const { tokenizer } = await load("medner", "fp32");
  const tokens = NOTES.flatMap((n) => tokenizer.tokenize(n).map((t) => ({ ...t, text: n.slice(t.start, t.end) })));
  expect(tokens.some((t) => /^\p{P}$/u.test(t.token))).toBe(true);
  expect(tokens.some((t) => t.isSubword)).toBe(true);
  expect(tokens.some((t) => t.id !== tokenizer.unkId && t.text.toLowerCase() !== t.token.replace(/^##/, ""))).toBe(true); // é → e
  expect(tokens.filter((t) => t.id === tokenizer.unkId).map((t) => t.text)).toEqual(["☃", "🫀"]);
});

// Both sides run one note at a time, as Python's pipeline does: in q8 the activations are quantized with one scale per
// tensor, so padding and the other notes of a batch shift every logit (see the last describe).
describe.each([
  ["medner", "fp32"],
  ["medner", "q8"],
] as const)("transformers.js and the engine on the %s folder, %s", (variant, dtype) => {
  test("aggregation none: same label and score for every token", async () => {
    const tjs = await pipeline("token-classification", variant, { dtype });
    const engine = await load(variant, dtype);
    try {
      for (const note of NOTES) {
        const theirs = (await tjs(note, { ignore_labels: [] })) as TjsToken[];
        const ours = (await engine.predict([note], { aggregation: "none", ignoreLabels: [] }))[0] as TokenEntity[];
        const pieces = engine.tokenizer.tokenize(note);
        expect(ours.map((e) => e.index)).toEqual(pieces.map((_, i) => i + 1));
        // transformers.js decodes each id with skip_special_tokens and drops empty words, so [UNK] pieces vanish from
        // its output; Python keeps them with the original text as `word`, and so does the engine.
        const unk = new Set(pieces.flatMap((p, i) => (p.id === engine.tokenizer.unkId ? [i + 1] : [])));
        expect(theirs.map((t) => t.index)).toEqual(ours.map((e) => e.index).filter((i) => !unk.has(i)));
        for (const t of theirs) {
          const e = ours[t.index - 1]!;
          expect([e.entity, e.word]).toEqual([t.entity, t.word]);
          expect(Math.abs(e.score - t.score)).toBeLessThan(1e-4);
        }
      }
    } finally {
      await tjs.dispose();
    }
  });

  // transformers.js 4.3 has its own "simple": adjacent tokens of one type form a group unless a B- opens a new one (plus
  // BIOES rules that BIO labels never reach). With ignore_labels [] nothing is filtered before grouping, so it is
  // Python's rule; notes without [UNK] (which it drops, see above) must then give the same groups.
  test("aggregation simple, ignoring nothing: the same groups", async () => {
    const tjs = await pipeline("token-classification", variant, { dtype });
    const engine = await load(variant, dtype);
    try {
      expect(engine.manifest.labels.every((l) => /^(O|[BI]-.+)$/.test(l))).toBe(true);
      const notes = DEV_NOTES.slice(0, 4);
      let multiToken = 0;
      for (const note of notes) {
        const pieces = engine.tokenizer.tokenize(note);
        expect(pieces.length).toBeLessThanOrEqual(engine.manifest.maxLength - 2); // transformers.js truncates
        expect(pieces.some((p) => p.id === engine.tokenizer.unkId)).toBe(false);
        const theirs = (await tjs(note, { ignore_labels: [], aggregation_strategy: "simple" })) as TjsGroup[];
        const ours = (await engine.predict([note], { aggregation: "simple", ignoreLabels: [] }))[0] as GroupEntity[];
        expect(ours.map((g) => [g.entity_group, g.word])).toEqual(theirs.map((g) => [g.entity_group, g.word]));
        expect(maxDiff(ours.map((g) => g.score), theirs.map((g) => g.score))).toBeLessThan(1e-4);
        multiToken += ours.filter((g) => pieces.filter((p) => p.start >= g.start && p.end <= g.end).length > 1).length;
      }
      expect(multiToken).toBeGreaterThan(0); // some groups really are grouped
    } finally {
      await tjs.dispose();
    }
  });
});

/** Fixed, uneven noise for every label, and a clear winner `tags[p - 1]` at token index p ([CLS] is 0). */
function craftedLogits(tags: readonly string[], labels: readonly string[], batch: number, seq: number): Float32Array {
  const L = labels.length;
  const out = new Float32Array(batch * seq * L);
  for (let b = 0; b < batch; b++)
    for (let p = 0; p < seq; p++)
      for (let j = 0; j < L; j++) out[(b * seq + p) * L + j] = ((p * 31 + j * 17) % 23) / 10 + (tags[p - 1] === labels[j] ? 4 : 0);
  return out;
}

// Grouping itself, with logits chosen by hand so the tag patterns are known rather than whatever random weights give.
describe("simple grouping on crafted logits", () => {
  const note = "Pt with HTN and DM2 on metformin 500 mg BID; s/p CABG 2019.";
  const X = "Disease_disorder";
  const Y = "Medication";
  const run = async (tags: string[], ignore?: string[]) => {
    const dir = folder("medner");
    const manifest = parseTransformerManifest(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
    const tokenizer = new WordPieceTokenizer(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")), JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")));
    const pieces = tokenizer.tokenize(note);
    const padded = [...tags, ...Array<string>(pieces.length - tags.length).fill("O")];
    const engine = new TransformerEngine(manifest, tokenizer, { run: async (_ids, _mask, batch, seq) => craftedLogits(padded, manifest.labels, batch, seq) });
    const model = Object.assign(
      async ({ input_ids }: { input_ids: Tensor }) => {
        const [batch, seq] = input_ids.dims as [number, number];
        if (seq !== pieces.length + 2) throw new Error(`transformers.js tokenized into ${seq} ids, the engine into ${pieces.length} + 2`);
        return { logits: new Tensor("float32", craftedLogits(padded, manifest.labels, batch, seq), [batch, seq, manifest.labels.length]) };
      },
      { config: { id2label: Object.fromEntries(manifest.labels.map((l, i) => [i, l])) }, dispose: async () => [] },
    );
    const tjs = new TokenClassificationPipeline({ task: "token-classification", model: model as never, tokenizer: await AutoTokenizer.from_pretrained("medner") });
    const theirs = (await tjs(note, { aggregation_strategy: "simple", ...(ignore ? { ignore_labels: ignore } : {}) })) as TjsGroup[];
    const ours = (await engine.predict([note], { aggregation: "simple", ...(ignore ? { ignoreLabels: ignore } : {}) }))[0] as GroupEntity[];
    /** Group → [type, first piece, last piece + 1]. */
    const span = (g: GroupEntity) => [g.entity_group, pieces.findIndex((p) => p.start === g.start), pieces.findIndex((p) => p.end === g.end) + 1];
    return { theirs, ours, span };
  };

  test("runs, a B- inside a run, a change of type, I- after O: Python's groups, and transformers.js agrees", async () => {
    const tags = [`B-${X}`, `I-${X}`, `I-${X}`, "O", `B-${Y}`, `I-${Y}`, `B-${Y}`, `I-${X}`, `I-${X}`, "O", "O", `I-${Y}`];
    for (const ignore of [undefined, []]) {
      const { theirs, ours, span } = await run(tags, ignore);
      const entities = ours.filter((g) => g.entity_group !== "O").map(span);
      expect(entities).toEqual([[X, 0, 3], [Y, 4, 6], [Y, 6, 7], [X, 7, 9], [Y, 11, 12]]);
      expect(ours.map((g) => [g.entity_group, g.word])).toEqual(theirs.map((g) => [g.entity_group, g.word]));
      expect(maxDiff(ours.map((g) => g.score), theirs.map((g) => g.score))).toBeLessThan(1e-6);
    }
  });

  // Python groups with "O" in place and drops it afterwards, so B-X O I-X is two entities. transformers.js drops the
  // ignored labels before grouping and glues them into one; medner follows Python.
  test("B-X O I-X: two entities as in Python; transformers.js (default ignore_labels) merges them", async () => {
    const { theirs, ours, span } = await run([`B-${X}`, "O", `I-${X}`]);
    expect(ours.map(span)).toEqual([[X, 0, 1], [X, 2, 3]]);
    expect(theirs.map((g) => g.entity_group)).toEqual([X]);
    expect(theirs[0]!.word).toBe(`${ours[0]!.word} ${ours[1]!.word}`);
    const all = await run([`B-${X}`, "O", `I-${X}`], []);
    expect(all.ours.map((g) => [g.entity_group, g.word])).toEqual(all.theirs.map((g) => [g.entity_group, g.word]));
  });
});

/** Dev notes joined until the note has at least 3,000 pieces: several windows of the 510-piece model. */
function longNote(tokenize: (text: string) => unknown[]): string {
  let note = "";
  for (let i = 0; tokenize(note).length < 3000; i++) note += `${DEV_NOTES[i % DEV_NOTES.length]}\n`;
  return note;
}

describe.each(["q8", "fp32"] as const)("onnxruntime-web and onnxruntime-node on the medner folder, %s", (dtype) => {
  test("same logits and entities, long note included; entities are exact, disjoint slices", async () => {
    const web = await load("medner", dtype);
    const native = await load("medner", dtype, createNativeTransformerRunner);
    const long = longNote((t) => web.tokenizer.tokenize(t));
    const pieces = web.tokenizer.tokenize(long).length;
    expect(pieces).toBeLessThan(3600);
    expect(planWindows(pieces, web.manifest.maxLength - 2, 128).length).toBeGreaterThanOrEqual(7);
    const notes = [...NOTES, long];
    const [a, b] = [await web.score(notes), await native.score(notes)];
    // Logits here are ~10 in size (the decisive classifier); the two builds' int8 GEMM and fused attention kernels sum
    // in different orders, measured up to 1.5e-3 apart with MultiHeadAttention: 5e-3 is still 1/2000 of a logit.
    a.forEach((n, i) => expect(maxDiff(n.logits, b[i]!.logits)).toBeLessThan(5e-3));
    const [ea, eb] = [await web.predict(notes, { aggregation: "first" }), await native.predict(notes, { aggregation: "first" })];
    notes.forEach((note, i) => {
      const [x, y] = [ea[i] as GroupEntity[], eb[i] as GroupEntity[]];
      expect(x.map(({ score: _, ...e }) => e)).toEqual(y.map(({ score: _, ...e }) => e));
      expect(maxDiff(x.map((e) => e.score), y.map((e) => e.score))).toBeLessThan(1e-3);
      for (const e of x) expect(e.text).toBe(note.slice(e.start, e.end));
      x.forEach((e, k) => {
        expect(e.end).toBeGreaterThan(e.start);
        if (k > 0) expect(e.start).toBeGreaterThanOrEqual(x[k - 1]!.end); // ordered, disjoint, so none twice
      });
    });
    expect(ea.at(-1)!.length).toBeGreaterThan(100);
  });
});

describe("the engine's merged logits against a direct session.run", () => {
  const short = "Pt with HTN and DM2 on metformin 500 mg BID.";
  const direct = async (variant: string, dtype: Dtype, ids: number[]) => {
    const session = await ort.InferenceSession.create(readFileSync(join(folder(variant), dtypeFile("transformer", dtype))));
    const shape = [1, ids.length];
    const out = await session.run({ input_ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), shape), attention_mask: new ort.Tensor("int64", new BigInt64Array(ids.length).fill(1n), shape) });
    await session.release();
    const L = out.logits!.dims[2]!;
    return (out.logits!.data as Float32Array).slice(L, L * (ids.length - 1)); // without [CLS] and [SEP]
  };
  const idsOf = (engine: TransformerEngine, text: string) => [engine.tokenizer.clsId, ...engine.tokenizer.tokenize(text).map((t) => t.id), engine.tokenizer.sepId];

  test("fp32: a short note padded in a batch with a longer one gives its unpadded logits", async () => {
    const calls: Array<[number, number]> = [];
    const engine = await loadTransformer(reader(folder("medner")), async (onnx) => {
      const runner = await createNodeTransformerRunner(onnx);
      return { run: (ids, mask, batch, seq) => (calls.push([batch, seq]), runner.run(ids, mask, batch, seq)) };
    }, { dtype: "fp32" });
    calls.length = 0;
    const ids = idsOf(engine, short);
    const [scored] = await engine.score([short, DEV_NOTES[0]!]);
    expect(calls).toEqual([[2, engine.tokenizer.tokenize(DEV_NOTES[0]!).length + 2]]);
    expect(calls[0]![1]).toBeGreaterThan(ids.length); // the short note was padded
    expect(maxDiff(scored!.logits, await direct("medner", "fp32", ids))).toBeLessThan(1e-4);
  });

  // In q8 the graph quantizes activations with one scale per tensor (DynamicQuantizeLinear / DynamicQuantizeMatMul), so
  // a note's logits depend on what else shares its batch; only a note scored alone can match an unpadded run.
  test("q8: a note scored alone gives the unpadded logits", async () => {
    const engine = await load("medner", "q8");
    const [scored] = await engine.score([short]);
    expect(maxDiff(scored!.logits, await direct("medner", "q8", idsOf(engine, short)))).toBeLessThan(1e-4);
  });
});
