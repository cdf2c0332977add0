// The Env type the app compiles against is generated from wrangler.toml; it must not go stale.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "./cli.ts";

describe("wrangler types", () => {
  it("functions/worker-configuration.d.ts matches wrangler.toml (run npm run types after changing it)", () => {
    const r = spawnSync("npx", ["wrangler", "types", "functions/worker-configuration.d.ts", "--include-runtime=false", "--check"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
    expect(r.status, r.stderr + r.stdout).toBe(0);
  }, 60_000);
});
