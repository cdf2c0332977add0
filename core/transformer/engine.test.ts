// The engine with a fake model whose labels are known per token and which, like a real one, goes wrong near window
// edges that cut context: long notes must still give each planted entity exactly once with exact offsets.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MednerError } from "../errors.ts";
import type { Aggregation, GroupEntity } from "./aggregation.ts";
import { TransformerEngine, type TransformerRunner } from "./engine.ts";
import type { TransformerManifest } from "./manifest.ts";
import { planWindows } from "./windows.ts";
import { WordPieceTokenizer } from "./wordpiece.ts";

const dir = "tests/fixtures/tokenizers/bert-uncased";
const tokenizer = new WordPieceTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, "utf8")), JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, "utf8")));
const LABELS = ["O", "B-Medication", "I-Medication", "B-Disease_disorder", "I-Disease_disorder", "B-Sign_symptom", "I-Sign_symptom", "B-Dosage"];
const DOSAGE = LABELS.indexOf("B-Dosage");

const manifest = (maxLength: number): TransformerManifest => ({
  name: "fake",
  version: "1",
  kind: "transformer",
  architecture: "distilbert",
  dtype: "fp32",
  labels: LABELS,
  shape: { layers: 1, hidden: 8, heads: 1, ffn: 8, vocab: 300, maxPositions: maxLength },
  maxLength,
  files: {},
  source: { kind: "random", seed: 1 },
  createdAt: "2026-01-01T00:00:00Z",
  gitCommit: null,
});

/** The fake model's tag for each piece; everything else is O. */
const TAGS: Record<string, string> = {
  aspirin: "B-Medication", met: "B-Medication", "##form": "I-Medication", "##in": "I-Medication", ib: "B-Medication", "##up": "I-Medication", "##ro": "I-Medication", "##fen": "I-Medication",
  heart: "B-Disease_disorder", failure: "I-Disease_disorder", diabetes: "B-Disease_disorder", hyper: "B-Disease_disorder", "##tension": "I-Disease_disorder",
  chest: "B-Sign_symptom", pain: "I-Sign_symptom", fever: "B-Sign_symptom", cough: "B-Sign_symptom", nausea: "B-Sign_symptom",
};
const idTag = new Map(tokenizer.tokenize("aspirin metformin ibuprofen heart failure diabetes hypertension chest pain fever cough nausea").map((t) => [t.id, LABELS.indexOf(TAGS[t.token]!)]));
const [START_ID, END_ID] = [tokenizer.tokenize("said")[0]!.id, tokenizer.tokenize("ist")[0]!.id];

interface Call {
  batch: number;
  seq: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
}

/**
 * Logits favour each piece's tag, except within `edge` pieces of a window edge that is not the note's own start
 * ("said") or end ("ist"), where the fake model has too little context and says B-Dosage. [CLS], [SEP] and padding
 * get junk (B-Medication), so any leak shows.
 */
function fakeRunner(edge = 0, calls: Call[] = []): TransformerRunner {
  const L = LABELS.length;
  return {
    async run(ids, mask, batch, seq) {
      calls.push({ batch, seq, ids: ids.slice(), mask: mask.slice() });
      const out = new Float32Array(batch * seq * L);
      for (let b = 0; b < batch; b++) {
        const row = b * seq;
        let len = 0;
        while (len < seq && mask[row + len] === 1n) len++;
        const n = len - 2;
        const startsNote = ids[row + 1] === BigInt(START_ID);
        const endsNote = ids[row + n] === BigInt(END_ID);
        for (let p = 0; p < seq; p++) {
          const c = p - 1;
          let label = 1;
          if (c >= 0 && c < n) label = (!startsNote && c < edge) || (!endsNote && c >= n - edge) ? DOSAGE : (idTag.get(Number(ids[row + p])) ?? 0);
          out[(row + p) * L + label] = 5;
        }
      }
      return out;
    },
  };
}

const SENTENCES: [string, [string, string][]][] = [
  ["The patient was started on aspirin daily. ", [["aspirin", "Medication"]]],
  ["History of heart failure and diabetes. ", [["heart failure", "Disease_disorder"], ["diabetes", "Disease_disorder"]]],
  ["Denies chest pain, fever and cough. ", [["chest pain", "Sign_symptom"], ["fever", "Sign_symptom"], ["cough", "Sign_symptom"]]],
  ["Metformin 500 mg twice daily for hypertension. ", [["Metformin", "Medication"], ["hypertension", "Disease_disorder"]]],
  ["Ibuprofen for nausea. ", [["Ibuprofen", "Medication"], ["nausea", "Sign_symptom"]]],
];

/** A note of about `tokens` pieces from the sentences above, with every planted entity's span and type. */
function buildNote(tokens: number): { text: string; planted: { entity_group: string; start: number; end: number; text: string }[] } {
  let text = "said ";
  const planted: { entity_group: string; start: number; end: number; text: string }[] = [];
  for (let i = 0; tokenizer.tokenize(text).length < tokens; i++) {
    const [sentence, mentions] = SENTENCES[(i * 7 + (i >> 2)) % SENTENCES.length]!;
    for (const [m, type] of mentions) {
      const start = text.length + sentence.indexOf(m);
      planted.push({ entity_group: type, start, end: start + m.length, text: m });
    }
    text += sentence;
  }
  return { text: text + "ist", planted };
}

describe("TransformerEngine on a long note", () => {
  const note = buildNote(3000);
  const tokens = tokenizer.tokenize(note.text);

  it.each([
    { maxLength: 512, overlap: 128 },
    { maxLength: 34, overlap: 8 },
  ])("finds each entity once with exact offsets across windows of $maxLength (overlap $overlap), for every aggregation", async ({ maxLength, overlap }) => {
    expect(tokens.length).toBeGreaterThan(3000);
    // The premise: planted entities straddle window edges.
    const edges = planWindows(tokens.length, maxLength - 2, overlap).flatMap((w) => [w.start, w.end]);
    const straddling = note.planted.filter((p) => {
      const inside = tokens.flatMap((t, i) => (t.start >= p.start && t.end <= p.end ? [i] : []));
      return edges.some((e) => e > inside[0]! && e <= inside.at(-1)!);
    });
    expect(straddling.length).toBeGreaterThanOrEqual(3);

    const calls: Call[] = [];
    const engine = new TransformerEngine(manifest(maxLength), tokenizer, fakeRunner(Math.floor(overlap / 4), calls), { windowOverlap: overlap, maxBatchTokens: 4096 });
    for (const aggregation of ["simple", "first", "average", "max"] as Aggregation[]) {
      const [found] = await engine.predict([note.text], { aggregation });
      expect(found!.map((e) => ({ entity_group: (e as GroupEntity).entity_group, start: e.start, end: e.end, text: e.text }))).toEqual(note.planted);
      for (const e of found!) expect(note.text.slice(e.start, e.end)).toBe(e.text);
    }
    const [none] = await engine.predict([note.text], { aggregation: "none" });
    const inPlanted = tokens.filter((t) => note.planted.some((p) => t.start >= p.start && t.end <= p.end));
    expect(none!.map((e) => [e.start, e.end])).toEqual(inPlanted.map((t) => [t.start, t.end]));
    expect(calls.every((c) => c.seq <= maxLength)).toBe(true);
  });

  it("windowTokens picks shorter windows (a Worker's 256), capped at the model's maxLength", async () => {
    for (const [windowTokens, maxLength, longest] of [[34, 512, 34], [1000, 34, 34], [256, 512, 256]] as const) {
      const calls: Call[] = [];
      const engine = new TransformerEngine(manifest(maxLength), tokenizer, fakeRunner(2, calls), { windowTokens, windowOverlap: 8, batchWindows: false });
      const [found] = await engine.predict([note.text], { aggregation: "simple" });
      expect(found!.map((e) => ({ entity_group: (e as GroupEntity).entity_group, start: e.start, end: e.end, text: e.text }))).toEqual(note.planted);
      expect(Math.max(...calls.map((c) => c.seq))).toBe(longest);
    }
  });

  it("without the merge the edges would show: the fake model does corrupt single windows", async () => {
    const engine = new TransformerEngine(manifest(34), tokenizer, fakeRunner(2), { windowOverlap: 8 });
    const middle = "the patient " + note.text.slice(5, 200);
    const [found] = await engine.predict([middle], { aggregation: "simple" });
    expect(found!.some((e) => (e as GroupEntity).entity_group === "Dosage")).toBe(true);
  });
});

describe("TransformerEngine batching", () => {
  const texts = ["", "fever", "Denies chest pain, fever and cough.", buildNote(300).text, "History of heart failure and diabetes.", "aspirin"];

  it("buckets by length, pads with mask 0 and the pad id, and gives the same entities whatever the budget", async () => {
    const calls: Call[] = [];
    const small = await new TransformerEngine(manifest(64), tokenizer, fakeRunner(0, calls), { maxBatchTokens: 64 }).predict(texts);
    const big = await new TransformerEngine(manifest(64), tokenizer, fakeRunner(), { maxBatchTokens: 1 << 20 }).predict(texts);
    expect(small).toEqual(big);
    expect(small[0]).toEqual([]);
    expect(small[1]!.map((e) => e.text)).toEqual(["fever"]);
    expect(small[4]!.map((e) => e.text)).toEqual(["heart failure", "diabetes"]);
    for (const c of calls) {
      expect(c.seq).toBeLessThanOrEqual(64);
      if (c.batch > 1) expect(c.batch * c.seq).toBeLessThanOrEqual(64);
      for (let b = 0; b < c.batch; b++) {
        const row = Array.from(c.mask.subarray(b * c.seq, (b + 1) * c.seq), Number);
        const len = row.indexOf(0) < 0 ? c.seq : row.indexOf(0);
        expect(row.slice(len).every((m) => m === 0)).toBe(true);
        expect(Number(c.ids[b * c.seq])).toBe(tokenizer.clsId);
        expect(Number(c.ids[b * c.seq + len - 1])).toBe(tokenizer.sepId);
        expect(Array.from(c.ids.subarray(b * c.seq + len, (b + 1) * c.seq), Number).every((id) => id === tokenizer.padId)).toBe(true);
      }
    }
    // Shortest windows first, each run as long as its longest window.
    expect(calls.map((c) => c.seq)).toEqual([...calls.map((c) => c.seq)].sort((a, b) => a - b));
    expect(calls.some((c) => c.batch > 1)).toBe(true);
  });

  it("with batchWindows off (what the loader picks for q8), runs one unpadded window per call, same entities", async () => {
    const calls: Call[] = [];
    const single = await new TransformerEngine(manifest(64), tokenizer, fakeRunner(0, calls), { batchWindows: false }).predict(texts);
    expect(single).toEqual(await new TransformerEngine(manifest(64), tokenizer, fakeRunner()).predict(texts));
    expect(calls.length).toBeGreaterThan(texts.length);
    for (const c of calls) {
      expect(c.batch).toBe(1);
      expect(Array.from(c.mask, Number).every((m) => m === 1)).toBe(true);
    }
  });

  it("labels entities with medner's labels", async () => {
    const [out] = await new TransformerEngine(manifest(64), tokenizer, fakeRunner()).predict(["Metformin for hypertension and fever."]);
    expect(out!.map((e) => [e.text, e.label])).toEqual([["Metformin", "MEDICATION"], ["hypertension", "DISEASE"], ["fever", "Sign_symptom"]]);
  });

  it("rejects a model whose output does not fit the manifest, and unknown strategies", async () => {
    const wrong: TransformerRunner = { run: async (_i, _m, batch, seq) => new Float32Array(batch * seq * 3) };
    await expect(new TransformerEngine(manifest(64), tokenizer, wrong).predict(["fever"])).rejects.toThrow(MednerError);
    await expect(new TransformerEngine(manifest(64), tokenizer, fakeRunner()).predict(["fever"], { aggregation: "mean" as Aggregation })).rejects.toThrow(/unknown aggregation/);
    expect(() => new TransformerEngine(manifest(64), tokenizer, fakeRunner(), { windowOverlap: 62 })).toThrow(/overlap/);
  });
});
