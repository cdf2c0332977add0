// Loading a transformer folder from an in-memory store: what it checks (manifest, sha256/size of each file read,
// config labels, tokenizer, session, warm-up) and the coded errors it gives.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../sha256.ts";
import type { TransformerRunner } from "./engine.ts";
import { loadTransformer } from "./loader.ts";
import { dtypeFile } from "../manifest.ts";

const LABELS = ["O", "B-Medication", "I-Medication", "B-Sign_symptom", "I-Sign_symptom"];
const enc = (s: string) => new TextEncoder().encode(s);
const tokDir = "tests/fixtures/tokenizers/bert-uncased";

/** A folder as path → bytes, with a manifest listing every file's real sha256 and size. */
async function folder(overrides: { labels?: string[] } = {}): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>([
    ["config.json", enc(JSON.stringify({ id2label: Object.fromEntries(LABELS.map((l, i) => [String(i), l])) }))],
    ["tokenizer.json", new Uint8Array(readFileSync(`${tokDir}/tokenizer.json`))],
    ["tokenizer_config.json", new Uint8Array(readFileSync(`${tokDir}/tokenizer_config.json`))],
    [dtypeFile("transformer", "fp32"), enc("fp32 graph")],
    [dtypeFile("transformer", "q8"), enc("q8 graph")],
  ]);
  const listed = Object.fromEntries(await Promise.all([...files].map(async ([path, bytes]) => [path, { sha256: await sha256Hex(bytes), size: bytes.byteLength }] as const)));
  const manifest = {
    name: "tiny", version: "1", kind: "transformer", architecture: "distilbert", dtype: "q8", labels: overrides.labels ?? LABELS,
    shape: { layers: 1, hidden: 8, heads: 1, ffn: 8, vocab: 300, maxPositions: 64 }, maxLength: 64, files: listed,
    source: { kind: "random", seed: 1 }, createdAt: "2026-01-01T00:00:00Z", gitCommit: null,
  };
  files.set("manifest.json", enc(JSON.stringify(manifest)));
  return files;
}

/** Says "B-Medication" for every piece; records which graph it was built from. */
function fakeSession(loaded: string[], labels = LABELS.length) {
  return async (onnx: Uint8Array): Promise<TransformerRunner> => {
    loaded.push(new TextDecoder().decode(onnx));
    return {
      run: async (_ids, _mask, batch, seq) => {
        const out = new Float32Array(batch * seq * labels);
        for (let i = 0; i < batch * seq; i++) out[i * labels + 1] = 3;
        return out;
      },
    };
  };
}

const reader = (files: Map<string, Uint8Array>, log: string[] = []) => async (path: string) => {
  log.push(path);
  return files.get(path) ?? null;
};

describe("loadTransformer", () => {
  it("verifies the files, builds the engine from the manifest's dtype or the one asked for, and warms it up", async () => {
    const files = await folder();
    const loaded: string[] = [];
    const read: string[] = [];
    const engine = await loadTransformer(reader(files, read), fakeSession(loaded));
    expect(loaded).toEqual(["q8 graph"]);
    expect(read).toEqual(["manifest.json", "config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx"]);
    const [out] = await engine.predict(["aspirin"]);
    expect(out).toEqual([{ entity_group: "Medication", score: expect.any(Number), word: "aspirin", start: 0, end: 7, label: "MEDICATION", text: "aspirin" }]);
    await loadTransformer(reader(files), fakeSession(loaded), { dtype: "fp32" });
    expect(loaded.at(-1)).toBe("fp32 graph");
  });

  it("E401 for a missing, unparsable or invalid manifest, naming the field", async () => {
    const files = await folder();
    const without = (path: string) => new Map([...files].filter(([p]) => p !== path));
    await expect(loadTransformer(reader(without("manifest.json")), fakeSession([]))).rejects.toThrow(/^E401: manifest.json is missing/);
    await expect(loadTransformer(reader(new Map([...files, ["manifest.json", enc("{")]])), fakeSession([]))).rejects.toThrow(/^E401: manifest.json is not valid JSON/);
    const bad = { ...JSON.parse(new TextDecoder().decode(files.get("manifest.json"))), maxLength: -1 };
    await expect(loadTransformer(reader(new Map([...files, ["manifest.json", enc(JSON.stringify(bad))]])), fakeSession([]))).rejects.toThrow(/^E401: manifest.json: maxLength: /);
    await expect(loadTransformer(reader(without("onnx/model_quantized.onnx")), fakeSession([]))).rejects.toThrow(/^E401: onnx\/model_quantized.onnx is missing/);
  });

  it("E402 for a file that is not the one the manifest describes", async () => {
    const files = await folder();
    const tampered = new Map(files);
    const tok = files.get("tokenizer.json")!.slice();
    tok[10] = tok[10]! ^ 1;
    tampered.set("tokenizer.json", tok);
    await expect(loadTransformer(reader(tampered), fakeSession([]))).rejects.toThrow(/^E402: tokenizer.json: sha256 mismatch/);
    tampered.set("tokenizer.json", files.get("tokenizer.json")!);
    tampered.set("onnx/model_quantized.onnx", enc("q8 grap"));
    await expect(loadTransformer(reader(tampered), fakeSession([]))).rejects.toThrow(/^E402: onnx\/model_quantized.onnx/);
  });

  it("E401 when labels, tokenizer, session or warm-up do not fit", async () => {
    await expect(loadTransformer(reader(await folder({ labels: [...LABELS].reverse() })), fakeSession([]))).rejects.toThrow(/^E401: config.json: id2label/);
    const files = await folder();
    await expect(loadTransformer(reader(files), () => Promise.reject(new Error("protobuf parsing failed\nstack")))).rejects.toThrow(/^E401: onnx\/model_quantized.onnx: onnxruntime could not load it \(protobuf parsing failed\)$/);
    await expect(loadTransformer(reader(files), fakeSession([], 3))).rejects.toThrow(/^E401: onnx\/model_quantized.onnx does not run with its manifest \(E401: model output has/);

    // A tokenizer.json this engine cannot give offsets for, listed with its true hash.
    const bpe = new Map(files);
    bpe.set("tokenizer.json", enc(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(files.get("tokenizer.json"))), model: { type: "BPE" } })));
    const manifest = JSON.parse(new TextDecoder().decode(files.get("manifest.json")));
    manifest.files["tokenizer.json"] = { sha256: await sha256Hex(bpe.get("tokenizer.json")!), size: bpe.get("tokenizer.json")!.byteLength };
    bpe.set("manifest.json", enc(JSON.stringify(manifest)));
    await expect(loadTransformer(reader(bpe), fakeSession([]))).rejects.toThrow(/^E401: the tokenizer cannot be used: tokenizer.json: model.type/);
  });
});
