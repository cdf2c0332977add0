// Two test projects: plain Node for core/trainer, and workerd (the real Workers runtime) for code that must run at the edge.
import { readdirSync, readFileSync } from "node:fs";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { referenceBinding } from "./tests/fixtures/reference/hub.ts";
import { TAGGER_NOTES } from "./tests/fixtures/tagger-notes.ts";
import { taggerReference } from "./tests/fixtures/tagger-reference.ts";
import { taggerWithOrtTwin } from "./tests/fixtures/tagger-with-ort.ts";
import { tinyTransformerFixture } from "./tests/fixtures/tiny-transformer.ts";

/** A fixture model folder as {file name: base64}, handed to workerd tests as a JSON binding. */
const fixtureFiles = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(`${dir}/${f}`).toString("base64")]));

export default defineConfig(async () => ({
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
            miniflare: {
              bindings: { AUTH_DISABLED: "true", POINTER_TTL_SECONDS: "0", MEMORY_PROBE: "true", FIXTURE_TAGGER: fixtureFiles("tests/fixtures/models/tiny-tagger"),
                // The same with a CRF layer and word vectors (transitions and vector lookups at the edge).
                FIXTURE_TAGGER_CRF: fixtureFiles("tests/fixtures/models/tiny-tagger-crf"),
                // The tiny tagger with its ORT-format twin (the Worker's streamed, in-place path).
                FIXTURE_TAGGER_ORT: await taggerWithOrtTwin("tests/fixtures/models/tiny-tagger"),
                // What both taggers find in TAGGER_NOTES, worked out from their ONNX files without core's engine.
                TAGGER_REFERENCE: JSON.parse(JSON.stringify({
                  tagger: await taggerReference("tests/fixtures/models/tiny-tagger", TAGGER_NOTES),
                  crf: await taggerReference("tests/fixtures/models/tiny-tagger-crf", TAGGER_NOTES),
                })),
                // The tiny generated transformer and what transformers.js finds with it.
                TINY_TRANSFORMER: JSON.parse(JSON.stringify(await tinyTransformerFixture())),
                // The reference models imported from a local hub, with what Hugging Face's Python answered (tests/fixtures/reference).
                REFERENCE_TRANSFORMERS: JSON.parse(JSON.stringify(await referenceBinding())),
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["tests/workers/**/*.test.ts", "functions/**/*.test.ts"],
        },
      },
    ],
  },
}));
