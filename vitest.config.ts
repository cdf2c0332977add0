// Two test projects: plain Node for core/trainer, and workerd (the real Workers runtime) for code that must run at the edge.
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["core/**/*.test.ts", "trainer/**/*.test.ts", "scripts/**/*.test.ts", "tests/node/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { AUTH_DISABLED: "true" } },
          }),
        ],
        test: {
          name: "workers",
          include: ["tests/workers/**/*.test.ts", "functions/**/*.test.ts"],
        },
      },
    ],
  },
});
