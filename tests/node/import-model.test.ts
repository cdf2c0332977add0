// `models:import` end to end against a local server in the hub's URL layout (302 to a "CDN" for the weights, 404 for
// missing files): a good import equals a folder built directly from the same weights, and every failure leaves nothing.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransformerManifestSchema } from "../../core/transformer/manifest.ts";
import { buildTransformerFolder } from "../../trainer/distilbert/folder.ts";
import { d4dataLabels, presetConfig } from "../../trainer/distilbert/hf-config.ts";
import { readHubDownload } from "../../trainer/distilbert/hub-model.ts";
import { writeSafetensors } from "../../trainer/distilbert/safetensors.ts";
import { randomDistilBertWeights } from "../../trainer/distilbert/weights.ts";
import { ROOT } from "./cli.ts";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const TOKENIZER_DIR = join(ROOT, "tests/fixtures/tokenizers/bert-uncased");
const tokenizerJson = JSON.parse(readFileSync(join(TOKENIZER_DIR, "tokenizer.json"), "utf8")) as { model: { vocab: Record<string, number> } };
const tokenizerConfig = JSON.parse(readFileSync(join(TOKENIZER_DIR, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
const config = presetConfig("tiny", Object.keys(tokenizerJson.model.vocab).length, d4dataLabels());
const weights = randomDistilBertWeights(config, 7);
const safetensors = writeSafetensors(weights, { format: "pt" });

type Scenario = "ok" | "missing" | "dropped" | "corrupt" | "tampered" | "vocab";
/** Repositories the hub knows, one per scenario: `test/<scenario>`. */
const REPOS: Record<string, Scenario> = { "test/ok": "ok", "test/missing": "missing", "test/dropped": "dropped", "test/corrupt": "corrupt", "test/tampered": "tampered", "test/vocab": "vocab" };
const seen: Array<{ server: "hub" | "cdn"; url: string; auth: string | undefined }> = [];
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** vocab.txt: the fixture vocabulary in id order. */
const vocabTxt = `${Object.entries(tokenizerJson.model.vocab).sort((a, b) => a[1] - b[1]).map(([token]) => token).join("\n")}\n`;

/** The small files; the "vocab" repository is an old-style one, with vocab.txt and no tokenizer.json. */
function small(scenario: Scenario, file: string): Uint8Array | null {
  if (file === "config.json") return new TextEncoder().encode(JSON.stringify(config));
  if (file === "tokenizer.json" && scenario !== "vocab") return new TextEncoder().encode(JSON.stringify(tokenizerJson));
  if (file === "vocab.txt" && scenario === "vocab") return new TextEncoder().encode(vocabTxt);
  if (file === "tokenizer_config.json") return new TextEncoder().encode(JSON.stringify(tokenizerConfig));
  return null;
}

/** What the repository holds as model.safetensors (a corrupt file is what the hub stores: its sha256 matches). */
function stored(scenario: Scenario): Uint8Array {
  const body = new Uint8Array(safetensors);
  if (scenario === "corrupt") new DataView(body.buffer).setBigUint64(0, 1n << 40n, true);
  return body;
}

function hub(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ server: "hub", url: req.url!, auth: req.headers.authorization });
  const m = /^\/(\w+\/\w+)\/resolve\/([^/]+)\/(.+)$/.exec(req.url!);
  const scenario = REPOS[m?.[1] ?? ""];
  if (!m || !scenario || m[2] !== "main") return void res.writeHead(404, { "x-error-code": "RepoNotFound" }).end();
  const headers = { "x-repo-commit": COMMIT };
  if (m[3] !== "model.safetensors") {
    const body = small(scenario, m[3]!);
    if (!body) return void res.writeHead(404, { ...headers, "x-error-code": "EntryNotFound" }).end();
    return void res.writeHead(200, { ...headers, "content-length": body.length }).end(body);
  }
  if (scenario === "missing") return void res.writeHead(404, { ...headers, "x-error-code": "EntryNotFound" }).end();
  // As the hub does for LFS files: the sha256 in X-Linked-Etag, then a redirect to the CDN (another origin).
  const location = `${cdnUrl}/${m[1]}/model.safetensors`;
  res.writeHead(302, { ...headers, location, "x-linked-etag": `"${sha256(stored(scenario))}"` }).end();
}

function cdn(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ server: "cdn", url: req.url!, auth: req.headers.authorization });
  const scenario = REPOS[/^\/(\w+\/\w+)\/model\.safetensors$/.exec(req.url!)?.[1] ?? ""];
  if (!scenario) return void res.writeHead(404).end();
  const body = stored(scenario);
  if (scenario === "dropped") {
    res.writeHead(200, { "content-length": body.length });
    res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
    return;
  }
  if (scenario === "tampered") body[body.length - 1]! ^= 1;
  res.writeHead(200, { "content-length": body.length }).end(body);
}

const servers: Server[] = [];
let hubUrl: string;
let cdnUrl: string;
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
beforeAll(async () => {
  hubUrl = await listen(hub);
  cdnUrl = await listen(cdn);
});
afterAll(() => Promise.all(servers.map((s) => new Promise((done) => s.close(done)))));

/** Runs the script as users do; async, since the server answers from this same process. */
function importModel(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/import-model.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, HF_ENDPOINT: hubUrl, HF_TOKEN: "hf_test_token" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, stderr }));
  });
}

async function logits(folder: string, ids: number[]): Promise<Float32Array> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(join(folder, "onnx/model.onnx"));
  const shape = [1, ids.length];
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const name of session.inputNames) {
    const values = name === "input_ids" ? ids : ids.map(() => 1);
    feeds[name] = new ort.Tensor("int64", BigInt64Array.from(values.map(BigInt)), shape);
  }
  const out = await session.run(feeds);
  return out[session.outputNames[0]!]!.data as Float32Array;
}

describe("models:import", () => {
  it("imports a repository: the folder validates and its logits equal a folder built from the same weights", async () => {
    const parent = mkdtempSync(join(tmpdir(), "medner-import-"));
    const out = join(parent, "biomedical");
    const r = await importModel(["test/ok", "--out", out, "--name", "bio"]);
    expect(r.stderr).toContain("imported test/ok@main as bio main-0123456");
    expect(r.code).toBe(0);
    expect(readdirSync(parent)).toEqual(["biomedical"]);

    const manifest = TransformerManifestSchema.parse(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")));
    expect(manifest).toMatchObject({ name: "bio", version: "main-0123456", architecture: "distilbert" });
    expect(manifest.source).toMatchObject({ kind: "hub", repo: "test/ok", revision: "main", commit: COMMIT });
    expect(manifest.labels).toEqual(d4dataLabels());

    const direct = join(parent, "direct");
    await buildTransformerFolder(direct, { config, weights, tokenizerJson, tokenizerConfig, name: "bio", version: "direct", variant: "medner", source: { kind: "random", seed: 7 } });
    const ids = [2, 40, 41, 42, 57, 99, 3];
    const imported = await logits(out, ids);
    expect(imported).toHaveLength(ids.length * manifest.labels.length);
    expect(imported).toEqual(await logits(direct, ids));

    // The token goes to the hub, never to the CDN the weights are redirected to.
    const mine = seen.filter((s) => s.url.includes("test/ok"));
    expect(mine.filter((s) => s.server === "hub").map((s) => s.auth)).toEqual(Array(4).fill("Bearer hf_test_token"));
    expect(mine.filter((s) => s.server === "cdn").map((s) => s.auth)).toEqual([undefined]);
  });

  it.each([
    ["a 404 on the weights", "test/missing", /^medner: E511: model\.safetensors: HTTP 404 EntryNotFound from http:\/\/\S+\/test\/missing\/resolve\/main\/model\.safetensors \(no model\.safetensors in test\/missing/],
    ["a connection dropped mid-body", "test/dropped", /^medner: E511: model\.safetensors: connection lost after \d+ of \d+ bytes from \S+: /],
    ["a corrupt safetensors header", "test/corrupt", /^medner: E512: model\.safetensors: not a valid safetensors file: header length 1099511627776/],
    ["weights that differ from the hub's sha256", "test/tampered", /^medner: E511: model\.safetensors: sha256 [0-9a-f]{64} differs from the hub's [0-9a-f]{64}$/m],
    ["a repository that does not exist", "test/nothing", /^medner: E511: config\.json: HTTP 404 RepoNotFound/],
  ])("%s: exit 1, one line, nothing left behind", async (_, repo, message) => {
    const parent = mkdtempSync(join(tmpdir(), "medner-import-"));
    const r = await importModel([repo, "--out", join(parent, "model")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("refuses to overwrite an existing folder unless --force, which replaces it", async () => {
    const parent = mkdtempSync(join(tmpdir(), "medner-import-"));
    const out = join(parent, "model");
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "mine");
    const refused = await importModel(["test/ok", "--out", out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^medner: E510: .*model already exists \(pass --force to replace it\)\n$/);
    expect(readdirSync(out)).toEqual(["keep.txt"]);

    // Replaced by an old-style repository (vocab.txt, no tokenizer.json): the tokenizer.json built here encodes alike.
    const r = await importModel(["test/vocab", "--out", out, "--force", "--version", "v2"]);
    expect(r.code).toBe(0);
    expect(readdirSync(parent)).toEqual(["model"]);
    expect(existsSync(join(out, "keep.txt"))).toBe(false);
    const manifest = TransformerManifestSchema.parse(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")));
    expect(manifest.version).toBe("v2");
    expect(manifest.source).toMatchObject({ repo: "test/vocab", tokenizer: "built from vocab.txt" });
    const built = new Tokenizer(JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8")) as object, tokenizerConfig);
    const original = new Tokenizer(tokenizerJson, tokenizerConfig);
    const text = "Metformin 500 mg twice daily; no chest pain, dyspnea or ankle oedema.";
    expect(built.encode(text).ids).toEqual(original.encode(text).ids);
  });
});

describe("what a download must hold", () => {
  /** A downloaded repository on disk, as downloadHubRepo leaves it, with `change` applied to the config. */
  function downloaded(change: (c: Record<string, unknown>) => void) {
    const dir = mkdtempSync(join(tmpdir(), "medner-download-"));
    const changed = structuredClone(config) as Record<string, unknown>;
    change(changed);
    writeFileSync(join(dir, "config.json"), JSON.stringify(changed));
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson));
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
    writeFileSync(join(dir, "model.safetensors"), safetensors);
    const file = { path: "", size: 0, sha256: "", commit: null };
    return { dir, commit: null, files: { "config.json": file, "tokenizer.json": file, "tokenizer_config.json": file, "model.safetensors": file } };
  }

  it("reads a repository that fits", async () => {
    const model = await readHubDownload(downloaded(() => {}));
    expect(model.tokenizerFromVocab).toBe(false);
    expect(model.weights.get("classifier.weight")!.data).toEqual(weights.get("classifier.weight")!.data);
  });

  it("refuses a config.json that is not JSON", async () => {
    const download = downloaded(() => {});
    writeFileSync(join(download.dir, "config.json"), "<!doctype html><p>Sign in</p>");
    await expect(readHubDownload(download)).rejects.toThrow(/^E512: config\.json: invalid JSON \(/);
  });

  it.each([
    ["a gap in id2label", (c: Record<string, unknown>) => ((c.id2label as Record<string, string>)["999"] = "X"), /^E512: config\.json: id2label has no id/],
    ["an extra label at the end", (c: Record<string, unknown>) => ((c.id2label as Record<string, string>)[String(d4dataLabels().length)] = "B-Extra"), /^E513: weights: classifier\.weight has shape \[\d+,32\], the config needs \[\d+,32\]/],
    ["a wider hidden size", (c: Record<string, unknown>) => (c.dim = 64), /^E513: weights: distilbert\.embeddings\.word_embeddings\.weight has shape/],
    ["a sequence classifier", (c: Record<string, unknown>) => (c.architectures = ["DistilBertForSequenceClassification"]), /^E512: config\.json: architectures is \["DistilBertForSequenceClassification"\]/],
    ["a vocabulary larger than the embeddings", (c: Record<string, unknown>) => (c.vocab_size = 100), /^E513: tokenizer: token id \d+ has no row in the 100-row word embeddings/],
    ["another model type", (c: Record<string, unknown>) => (c.model_type = "bert"), /^E512: config\.json: model_type: /],
  ])("refuses %s", async (_, change, message) => {
    await expect(readHubDownload(downloaded(change))).rejects.toThrow(message);
  });
});
