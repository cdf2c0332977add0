import { describe, expect, it } from "vitest";
import { sha256Hex } from "./sha256.ts";
import { verifiedStream } from "./model-stream.ts";

const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
/** `data` as a stream of `chunk`-byte pieces that claims to hold `size` bytes. */
const streamOf = (data: Uint8Array, size = data.byteLength, chunk = 4096) => ({
  size,
  body: new ReadableStream<Uint8Array>({
    start(c) {
      for (let at = 0; at < data.byteLength; at += chunk) c.enqueue(data.slice(at, at + chunk));
      c.close();
    },
  }),
});
const drain = async (s: ReadableStream<Uint8Array>) => {
  const parts: Uint8Array[] = [];
  for await (const p of s as unknown as AsyncIterable<Uint8Array>) parts.push(p);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.byteLength), 0);
  return out;
};

describe("verifiedStream", async () => {
  const entry = { sha256: await sha256Hex(bytes), size: bytes.byteLength };

  it("passes the manifest's exact bytes through unchanged, in any chunking", async () => {
    for (const chunk of [13, 4096, 1 << 20]) expect(await drain(verifiedStream("m.ort", entry, streamOf(bytes, undefined, chunk)).body)).toEqual(bytes);
  });

  it.each([
    ["one flipped byte", bytes.map((b, i) => (i === 123_456 ? b ^ 1 : b)), bytes.byteLength, /^E402: m\.ort: sha256 mismatch \(expected [0-9a-f]{12}… for 200000 bytes, got [0-9a-f]{12}… for 200000 bytes\)/],
    ["a stream that ends early", bytes.slice(0, 150_000), bytes.byteLength, /^E402: m\.ort: sha256 mismatch .* for 150000 bytes\)/],
    ["a stream longer than the manifest", Uint8Array.from([...bytes, 1, 2, 3]), bytes.byteLength, /^E402: m\.ort: more than the manifest's 200000 bytes/],
  ])("errors the stream at its end for %s (E402), never passing it as good", async (_, data, size, error) => {
    await expect(drain(verifiedStream("m.ort", entry, streamOf(data, size)).body)).rejects.toThrow(error);
  });

  it("refuses a store object whose size is not the manifest's before reading a byte", () => {
    expect(() => verifiedStream("m.ort", entry, streamOf(bytes, bytes.byteLength - 1))).toThrow(/^E402: m\.ort: the store holds 199999 bytes, the manifest says 200000: truncated or replaced/);
  });
});
