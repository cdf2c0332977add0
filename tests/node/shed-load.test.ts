// Load shedding: past MAX_IN_FLIGHT model requests at once, the next is answered at once with 503 overloaded and
// Retry-After in our error shape; the ones in flight still finish, and the service answers again once they have.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TaggerRunner } from "../../core/index.ts";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import { folderStoreWith } from "./folder-store.ts";
import { ROOT } from "./cli.ts";

describe("load shedding", async () => {
  const root = await folderStoreWith(join(ROOT, "models/custom/default"));
  // A runner that holds every run until the test opens the gate (the load check at startup passes through).
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  const gated = async (bytes: Uint8Array): Promise<TaggerRunner> => {
    const inner = await createNodeRunner(bytes);
    return { ...inner, run: async (...args: Parameters<TaggerRunner["run"]>) => (await gate, inner.run(...args)) };
  };
  const app = createApp({ createRunner: gated, storeOf: () => fsStore(root), log: () => {} });
  const env = { AUTH_DISABLED: "true", MAX_IN_FLIGHT: "2" };
  const post = (text: string) => app.request("/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) }, env);

  it("answers 503 overloaded with Retry-After past the limit, and recovers", async () => {
    expect((await post("warm up: metformin")).status).toBe(200);
    gate = new Promise((r) => (open = r));
    const held = [post("on metformin"), post("on lisinopril")];
    await new Promise((r) => setTimeout(r, 50));
    const shed = await post("on aspirin");
    expect(shed.status).toBe(503);
    expect(shed.headers.get("retry-after")).toBe("1");
    expect(await shed.json()).toEqual({ error: { code: "overloaded", message: expect.stringMatching(/2 requests .* limit is 2/) } });
    open();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    expect((await post("on aspirin")).status).toBe(200);
  });
});
