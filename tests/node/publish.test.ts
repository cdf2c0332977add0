// Publishing: to a folder, to an S3-compatible server (s3rver on 127.0.0.1, standing in for R2), and the faults.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelKey, pointerKey } from "../../core/index.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import { listModels, publish, rollback } from "../../trainer/publish/publish.ts";
import { dirTarget, localTarget, s3Target } from "../../trainer/publish/targets.ts";
import { medner, ROOT } from "./cli.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");
const tmp = () => mkdtempSync(join(tmpdir(), "medner-publish-"));
const text = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

describe("publish to a folder", () => {
  it("uploads, verifies, flips the pointer last; refuses to overwrite; rolls back; lists", async () => {
    const t = dirTarget(tmp());
    const r = await publish(t, FIXTURE, "custom", { version: "1" });
    expect(r).toMatchObject({ name: "custom", version: "1", previous: null });
    expect(JSON.parse(text(await t.get(pointerKey("custom")))!)).toMatchObject({ version: "1", manifest_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await expect(publish(t, FIXTURE, "custom", { version: "1" })).rejects.toThrow(/E503: custom@1 is already published .*--replace/);
    await publish(t, FIXTURE, "custom", { version: "1", replace: true });
    await publish(t, FIXTURE, "custom", { version: "2" });
    expect(await listModels(t)).toEqual([{ name: "custom", current: "2", versions: ["1", "2"] }]);
    expect(await rollback(t, "custom", "1")).toEqual({ name: "custom", version: "1", previous: "2" });
    await expect(rollback(t, "custom", "9")).rejects.toThrow(/E502: custom@9 is not published/);
  });

  it("refuses a folder whose manifest does not match its files, before uploading anything", async () => {
    const dir = tmp();
    cpSync(FIXTURE, dir, { recursive: true });
    const onnx = readFileSync(join(dir, "model_quantized.onnx"));
    onnx[10]! ^= 1;
    writeFileSync(join(dir, "model_quantized.onnx"), onnx);
    const t = dirTarget(tmp());
    await expect(publish(t, dir, "custom", { version: "1" })).rejects.toThrow(/E402: model_quantized\.onnx: sha256 mismatch/);
    expect(await t.list("models/")).toEqual([]);
  });

  it("rollback refuses a version whose files no longer verify", async () => {
    const root = tmp();
    const t = dirTarget(root);
    await publish(t, FIXTURE, "custom", { version: "1" });
    await publish(t, FIXTURE, "custom", { version: "2" });
    writeFileSync(join(root, modelKey("custom", "1", "model_quantized.onnx")), "garbage");
    await expect(rollback(t, "custom", "1")).rejects.toThrow(/E402: model_quantized\.onnx: sha256 mismatch/);
    expect(JSON.parse(text(await t.get(pointerKey("custom")))!).version).toBe("2");
  });

  it("the CLI: one line and a non-zero exit for bad input", () => {
    expect(medner("publish", "--model", "/nope", "--name", "custom", "--target", "dir", "--dir", tmp())).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E501: \/nope: manifest\.json is missing/) });
    expect(medner("publish", "--model", FIXTURE, "--name", "Bad Name", "--target", "dir", "--dir", tmp())).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E501: invalid model name/) });
    // "ensemble" means custom + transformer at /ner: a model published under that name could never be served.
    const dir = tmp();
    expect(medner("publish", "--model", FIXTURE, "--name", "ensemble", "--target", "dir", "--dir", dir)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E501: model name "ensemble" is reserved/) });
    expect(existsSync(join(dir, "models"))).toBe(false);
    expect(medner("models", "list", "--target", "r2", "--json")).toMatchObject({ code: 1, stderr: expect.stringMatching(/^medner: E501: --target r2 needs R2_ACCOUNT_ID \(or R2_ENDPOINT\), R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY/) });
  });
});

describe("publish to wrangler's local R2 state", () => {
  it("what one platform proxy publishes, another (as wrangler dev) reads", async () => {
    const persist = tmp();
    const a = await localTarget(join(ROOT, "wrangler.toml"), persist);
    try {
      await publish(a, FIXTURE, "custom", { version: "1" });
    } finally {
      await a.close();
    }
    const b = await localTarget(join(ROOT, "wrangler.toml"), persist);
    try {
      expect(await listModels(b)).toEqual([{ name: "custom", current: "1", versions: ["1"] }]);
    } finally {
      await b.close();
    }
  }, 60_000);
});

describe("publish to R2's S3 API (s3rver on 127.0.0.1)", () => {
  let s3: S3rver;
  let endpoint: string;
  let proxy: Server;
  let proxyEndpoint: string;
  /** What the proxy does to object PUTs after the first: pass them, stall them, or cut the connection. */
  let mode: "pass" | "stall" | "cut" = "pass";
  let puts = 0;
  const env = (url: string) => ({ ...process.env, R2_ENDPOINT: url, R2_ACCESS_KEY_ID: "S3RVER", R2_SECRET_ACCESS_KEY: "S3RVER", R2_BUCKET: "medner-models" });

  beforeAll(async () => {
    s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: tmp(), configureBuckets: [{ name: "medner-models", configs: [] }] });
    const addr = (await s3.run()) as AddressInfo;
    endpoint = `http://127.0.0.1:${addr.port}`;
    // A proxy in front of s3rver that can stall or cut uploads, to stand in for a killed process or a broken network.
    proxy = createServer((req, res) => {
      const isPut = req.method === "PUT";
      if (isPut) puts++;
      if (isPut && puts > 1 && mode === "stall") return;
      if (isPut && puts > 1 && mode === "cut") return req.socket.destroy();
      const up = request(`${endpoint}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 500, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    proxy.close();
    await s3.close();
  });

  it("publishes, lists and rolls back through the S3 API, and the app serves from it", async () => {
    const t = s3Target(env(endpoint));
    await publish(t, FIXTURE, "custom", { version: "1" });
    await publish(t, FIXTURE, "custom", { version: "2" });
    expect(await listModels(t)).toEqual([{ name: "custom", current: "2", versions: ["1", "2"] }]);
    await rollback(t, "custom", "1");
    const app = createApp({ createRunner: createNodeRunner, storeOf: () => t, log: () => {} });
    const res = await app.request("/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "Pt on ASA." }) }, { AUTH_DISABLED: "true" });
    expect(((await res.json()) as { model: { version: string } }).model.version).toBe("1");
  });

  it("a network error mid-upload: a clear error, a non-zero exit, and the pointer unchanged", async () => {
    mode = "cut";
    puts = 0;
    const child = spawn(process.execPath, ["--import", "tsx", "trainer/cli/main.ts", "publish", "--model", FIXTURE, "--name", "custom", "--version", "3", "--target", "r2"], { cwd: ROOT, env: env(proxyEndpoint) });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    mode = "pass";
    expect(code).toBe(1);
    // (The AWS SDK may print a Node-version warning first; ours is one line.)
    expect(stderr).toMatch(/^medner: E504: uploading models\/custom\/3\/[\w.]+ to r2:medner-models failed \(.+\); current\.json still points at 1$/m);
    const t = s3Target(env(endpoint));
    expect(JSON.parse(text(await t.get(pointerKey("custom")))!).version).toBe("1");
  }, 60_000);

  it("the process killed in the middle of an upload leaves current.json on the old version, still served", async () => {
    mode = "stall";
    puts = 0;
    const child = spawn(process.execPath, ["--import", "tsx", "trainer/cli/main.ts", "publish", "--model", FIXTURE, "--name", "custom", "--version", "4", "--target", "r2"], { cwd: ROOT, env: env(proxyEndpoint) });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (puts >= 2) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    mode = "pass";
    const t = s3Target(env(endpoint));
    expect(JSON.parse(text(await t.get(pointerKey("custom")))!).version).toBe("1");
    expect(await t.get(modelKey("custom", "4", "manifest.json"))).toBeNull();
    const app = createApp({ createRunner: createNodeRunner, storeOf: () => t, log: () => {} });
    const res = await app.request("/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "Pt on ASA." }) }, { AUTH_DISABLED: "true" });
    expect(((await res.json()) as { model: { version: string } }).model.version).toBe("1");
  }, 60_000);
});
