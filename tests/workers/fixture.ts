// Seeds a store with the committed fixture model through the same key functions the publisher uses.
import { env } from "cloudflare:test";
import { modelKey, pointerKey, sha256Hex } from "../../core/index.ts";

export const fixtureFiles = (env as unknown as { FIXTURE_TAGGER: Record<string, string> }).FIXTURE_TAGGER;
export const fixtureBytes = (file: string) => Uint8Array.from(atob(fixtureFiles[file]!), (c) => c.charCodeAt(0));

export interface Putter {
  put(key: string, value: Uint8Array | string): Promise<unknown>;
}

export async function publishFixture(bucket: Putter, name: string, version: string, tamper = false): Promise<void> {
  for (const file of ["manifest.json", "model_quantized.onnx"]) {
    const bytes = fixtureBytes(file);
    if (tamper && file.endsWith(".onnx")) bytes[bytes.length - 50]! ^= 0xff;
    await bucket.put(modelKey(name, version, file), bytes);
  }
}

export async function pointTo(bucket: Putter, name: string, version: string): Promise<void> {
  const manifest_sha256 = await sha256Hex(fixtureBytes("manifest.json"));
  await bucket.put(pointerKey(name), JSON.stringify({ version, manifest_sha256 }));
}
