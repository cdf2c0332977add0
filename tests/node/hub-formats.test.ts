// The file formats the hub importer reads: safetensors (read, write, F16/BF16, corrupt files) and the tokenizer.json
// built from vocab.txt for repositories without one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { MednerError } from "../../core/errors.ts";
import { readSafetensors, writeSafetensors } from "../../trainer/distilbert/safetensors.ts";
import { bertTokenizerJson } from "../../trainer/distilbert/tokenizer-from-vocab.ts";
import type { Weights } from "../../trainer/distilbert/weights.ts";
import { ROOT } from "./cli.ts";

/** A safetensors file assembled by hand from a header object and raw little-endian data, independent of the writer. */
function assemble(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const u16 = (values: number[]) => new Uint8Array(new Uint16Array(values).buffer);
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as MednerError;
  }
  throw new Error("expected an error");
};

describe("safetensors", () => {
  it("round-trips float32 weights bit for bit, metadata included", () => {
    const weights: Weights = new Map([
      ["b.bias", { shape: [3], data: new Float32Array([0.1, -2.5, 3e-39]) }],
      ["a.weight", { shape: [2, 2], data: new Float32Array([1, Number.NaN, -0, 7]) }],
      ["empty", { shape: [0, 4], data: new Float32Array(0) }],
    ]);
    const bytes = writeSafetensors(weights, { format: "pt" });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ format: "pt" });
    expect([...back.weights.keys()].sort()).toEqual(["a.weight", "b.bias", "empty"]);
    for (const [name, { shape, data }] of weights) {
      expect(back.weights.get(name)!.shape).toEqual(shape);
      expect(new Uint8Array(back.weights.get(name)!.data.buffer)).toEqual(new Uint8Array(data.buffer));
    }
  });

  it("widens F16 and BF16 to float32 and skips integer tensors", () => {
    // IEEE binary16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), +inf; bfloat16: 1, -3, 3.140625.
    const f16 = u16([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00]);
    const bf16 = u16([0x3f80, 0xc040, 0x4049]);
    const ids = new Uint8Array(new BigInt64Array([0n, 1n]).buffer);
    const data = new Uint8Array([...f16, ...bf16, ...ids]);
    const file = assemble(
      {
        half: { dtype: "F16", shape: [5], data_offsets: [0, 10] },
        brain: { dtype: "BF16", shape: [3], data_offsets: [10, 16] },
        position_ids: { dtype: "I64", shape: [1, 2], data_offsets: [16, 32] },
      },
      data,
    );
    const { weights, skipped } = readSafetensors(file);
    expect([...weights.get("half")!.data]).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
    expect([...weights.get("brain")!.data]).toEqual([1, -3, 3.140625]);
    expect(skipped).toEqual([{ name: "position_ids", dtype: "I64", shape: [1, 2] }]);
  });

  const f32 = new Uint8Array(8);
  it.each([
    ["a header length past the end", assemble({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, f32, 10_000), /header length 10000/],
    ["a header that is not JSON", assemble({}, f32).fill(0x7b, 8, 10), /header is not JSON/],
    ["an unknown dtype", assemble({ x: { dtype: "F7", shape: [2], data_offsets: [0, 8] } }, f32), /unknown dtype "F7"/],
    ["a size that does not match the shape", assemble({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32), /8 bytes for F32\[3\]/],
    ["a gap between tensors", assemble({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32), /gap in the data at bytes 0–4/],
    ["overlapping tensors", assemble({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, y: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32), /overlap/],
    ["trailing bytes", assemble({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32), /4 bytes after the last tensor/],
    ["a file shorter than 8 bytes", new Uint8Array(5), /shorter than the 8-byte header length/],
  ])("refuses %s with E512", (_, bytes, message) => {
    const err = errorOf(() => readSafetensors(bytes, "model.safetensors"));
    expect(err).toBeInstanceOf(MednerError);
    expect(err.code).toBe("E512");
    expect(err.message).toMatch(/^E512: model\.safetensors: not a valid safetensors file: /);
    expect(err.message).toMatch(message);
  });
});

describe("tokenizer.json from vocab.txt", () => {
  const texts = ["Patient denies chest pain; BP 120/80, HbA1c 7.2%.", "Naïve   CAFÉ résumé — 中文 [MASK] [cls] unknownword", ""];

  it.each(["bert-uncased", "bert-cased"])("encodes like the original %s tokenizer.json", (name) => {
    const dir = join(ROOT, "tests/fixtures/tokenizers", name);
    const original = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")) as { model: { vocab: Record<string, number> } };
    const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
    const byId = Object.entries(original.model.vocab).sort((a, b) => a[1] - b[1]);
    byId.forEach(([, id], i) => expect(id).toBe(i));
    const vocabTxt = byId.map(([token]) => token).join("\n") + "\n";
    const rebuilt = new Tokenizer(bertTokenizerJson(vocabTxt, config), config);
    const reference = new Tokenizer(original, config);
    for (const text of texts) {
      expect(rebuilt.encode(text).ids).toEqual(reference.encode(text).ids);
      expect(rebuilt.encode(text, { text_pair: "second part" }).ids).toEqual(reference.encode(text, { text_pair: "second part" }).ids);
    }
  });

  it("refuses a vocabulary without the special tokens", () => {
    const err = errorOf(() => bertTokenizerJson("[PAD]\n[UNK]\nhello\n", {}));
    expect(err.message).toMatch(/^E512: vocab\.txt: special token \[CLS\] is not in the vocabulary/);
  });
});
