// Node entry point (`npm run serve:node`): the same Hono app, with models from a folder laid out like the bucket
// (MEDNER_STORE, default .medner/store) and sessions through the Node ort adapter. For self-hosting.
import { serve } from "@hono/node-server";
import { createNativeRunner, createNativeTransformerRunner } from "./adapters/ort-native-node.ts";
import { fsStore } from "./adapters/fs-store.ts";
import { createApp } from "./app.ts";
import type { Bindings } from "./env.ts";
import { storeTimeoutMs, withReadTimeout } from "./timed-store.ts";

const env: Bindings = {
  ...(process.env.API_TOKENS ? { API_TOKENS: process.env.API_TOKENS } : {}),
  ...(process.env.AUTH_DISABLED ? { AUTH_DISABLED: process.env.AUTH_DISABLED } : {}),
  MAX_TEXT_CHARS: process.env.MAX_TEXT_CHARS ?? "20000",
  MAX_BODY_BYTES: process.env.MAX_BODY_BYTES ?? "2000000",
  CORS_ORIGINS: process.env.CORS_ORIGINS ?? "",
  POINTER_TTL_SECONDS: process.env.POINTER_TTL_SECONDS ?? "30",
  ...(process.env.MAX_IN_FLIGHT ? { MAX_IN_FLIGHT: process.env.MAX_IN_FLIGHT } : {}),
};
const root = process.env.MEDNER_STORE ?? ".medner/store";
const store = withReadTimeout(fsStore(root), storeTimeoutMs(process.env.STORE_TIMEOUT_MS));
// Native onnxruntime here: a Node server can load it, and it runs the transformer several times faster than wasm.
const app = createApp({ createRunner: createNativeRunner, createTransformerRunner: createNativeTransformerRunner, storeOf: () => store });
const port = Number(process.env.PORT ?? 8788);
const hostname = process.env.HOST ?? "127.0.0.1";

if (env.AUTH_DISABLED === "true") console.warn("WARNING: auth is disabled (AUTH_DISABLED=true): for local development only");
else if (!env.API_TOKENS) console.warn("WARNING: no API_TOKENS set: every API request will be refused (503 auth_not_configured)");
serve({ fetch: (req) => app.fetch(req, env), port, hostname }, (info) => console.warn(`medner (Node) serving models from ${root} on http://${hostname}:${info.port}`));
