// The Node server of the app, on a free port, over a temporary store holding the committed fixture model, published
// under the given names the way the publisher lays a bucket out (modelKey, pointerKey, current.json).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { modelKey, pointerKey, sha256Hex } from "../../core/index.ts";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { createNodeRunner, createNodeTransformerRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp, type AppDeps } from "../../functions/app.ts";
import type { Bindings } from "../../functions/env.ts";
import { generateTransformer } from "../../scripts/generate-transformer.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");

export interface DemoServer {
  origin: string;
  close(): Promise<void>;
}

async function fixtureStore(names: string[]): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), "medner-browser-"));
  for (const name of names) {
    const dir = join(root, modelKey(name, "1", ""));
    mkdirSync(dir, { recursive: true });
    // "transformer" is the tiny generated DistilBERT (random weights: its entities are noise, but real ones).
    if (name === "transformer") await generateTransformer({ size: "tiny", variant: "medner", out: dir, seed: 5, version: "1" });
    else for (const f of ["manifest.json", "model_quantized.onnx"]) cpSync(join(FIXTURE, f), join(dir, f));
    const manifest_sha256 = await sha256Hex(readFileSync(join(dir, "manifest.json")));
    writeFileSync(join(root, pointerKey(name)), JSON.stringify({ version: "1", manifest_sha256 }));
  }
  return root;
}

export async function startDemoServer(env: Bindings, models: string[] = ["custom"]): Promise<DemoServer> {
  const root = await fixtureStore(models);
  const deps: AppDeps = { createRunner: createNodeRunner, createTransformerRunner: createNodeTransformerRunner, storeOf: () => fsStore(root), log: () => {} };
  const app = createApp(deps);
  const server = serve({ fetch: (req) => app.fetch(req, env), port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The browser keeps connections alive; close() alone would wait for them.
        server.closeAllConnections();
        rmSync(root, { recursive: true, force: true });
      }),
  };
}
