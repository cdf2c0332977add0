// sha256 as lowercase hex, the form manifests, pointers and model.json record: the one implementation every side uses.
// Whole buffers go through WebCrypto (native in Node and workerd: 68 MB in ~65 ms against ~315 ms for a JS digest);
// synchronous callers and streams use @noble/hashes, since WebCrypto has neither a synchronous nor an incremental digest.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
}

/** sha256Hex for code that cannot await (the trainer's model folders); about 5× slower on large buffers. */
export function sha256HexSync(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** An incremental sha256 for bytes that pass as a stream; `hex()` ends it. */
export function sha256Stream(): { update(chunk: Uint8Array): void; hex(): string } {
  const hash = sha256.create();
  return {
    update: (chunk) => void hash.update(chunk),
    hex: () => bytesToHex(hash.digest()),
  };
}
