// GET /models and GET /models/:name: what is published in the store — versions, the current one, labels, metrics.
import { Hono } from "hono";
import { ManifestSchema, MODEL_NAME, modelKey, modelsPrefix, pointerKey, RESERVED_MODEL_NAMES } from "../../core/index.ts";
import { parsePointer, publishedVersions } from "../../core/published.ts";
import { entityLabels, TransformerManifestSchema } from "../../core/transformer/index.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { ModelStore } from "../store.ts";

async function readJson(store: ModelStore, key: string): Promise<unknown | null> {
  const b = await store.get(key);
  if (!b) return null;
  try {
    return JSON.parse(new TextDecoder().decode(b));
  } catch {
    return null;
  }
}

/** A published model and each of its versions (sorted, at least one), read from the store. */
async function describeModel(store: ModelStore, name: string, versions: string[]) {
  const current = parsePointer(await store.get(pointerKey(name)))?.version ?? null;
  const details = await Promise.all(
    versions.map(async (version) => {
      const json = await readJson(store, modelKey(name, version, "manifest.json"));
      const tagger = ManifestSchema.safeParse(json);
      const transformer = TransformerManifestSchema.safeParse(json);
      const m = tagger.success ? tagger.data : transformer.success ? transformer.data : null;
      return {
        version,
        current: version === current,
        valid: m !== null,
        kind: m?.kind ?? null,
        dtype: m?.dtype ?? null,
        // A transformer's manifest lists BIO tags; callers filter on the labels its entities carry.
        labels: transformer.success ? entityLabels(transformer.data.labels) : (m?.labels ?? []),
        devMetrics: (tagger.success ? tagger.data.devMetrics : null) ?? null,
        createdAt: m?.createdAt ?? null,
        files: m ? Object.fromEntries(Object.entries(m.files).map(([f, e]) => [f, { sha256: e.sha256, size: e.size }])) : {},
      };
    }),
  );
  const shown = details.find((d) => d.current) ?? details.at(-1)!;
  return { name, kind: shown.kind, currentVersion: current, labels: shown.labels, versions: details };
}

export const models = (storeOf: (env: AppEnv["Bindings"]) => ModelStore) =>
  new Hono<AppEnv>()
    .get("/models", async (c) => {
      const store = storeOf(c.env);
      const published = [...publishedVersions(await store.list(modelsPrefix()))].filter(([n]) => MODEL_NAME.test(n) && !RESERVED_MODEL_NAMES.includes(n));
      const all = await Promise.all(published.map(([n, versions]) => describeModel(store, n, versions)));
      return c.json({ models: all.map(({ versions, ...m }) => ({ ...m, versions: versions.map((v) => v.version) })) });
    })
    .get("/models/:name", async (c) => {
      const name = c.req.param("name");
      const store = storeOf(c.env);
      const versions = MODEL_NAME.test(name) ? publishedVersions(await store.list(modelsPrefix(name))).get(name) : undefined;
      if (!versions) throw new ApiError(404, "model_not_found", `model "${name}" is not published`);
      return c.json(await describeModel(store, name, versions));
    });
