// ModelStore over an R2 bucket binding.
import type { ModelStore } from "../store.ts";

export function r2Store(bucket: R2Bucket): ModelStore {
  return {
    async get(key) {
      const obj = await bucket.get(key);
      return obj ? new Uint8Array(await obj.arrayBuffer()) : null;
    },
    async open(key) {
      const obj = await bucket.get(key);
      return obj ? { size: obj.size, body: obj.body } : null;
    },
    async list(prefix) {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
        keys.push(...page.objects.map((o) => o.key));
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return keys;
    },
  };
}
