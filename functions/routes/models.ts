// GET /models and GET /models/:name: what is published in the store — versions, the current one, labels, metrics.
import { Hono } from "hono";
import { ManifestSchema, MODEL_NAME, modelKey, modelsPrefix, pointerKey, PointerSchema, RESERVED_MODEL_NAMES } from "../../core/index.ts";
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

export async function describeModel(store: ModelStore, name: string) {
  const keys = await store.list(modelsPrefix(name));
  const versions = [...new Set(keys.filter((k) => k.endsWith("/manifest.json")).map((k) => k.split("/")[2]!))].sort();
  if (versions.length === 0) return null;
  const pointer = PointerSchema.safeParse(await readJson(store, pointerKey(name)));
  const current = pointer.success ? pointer.data.version : null;
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
      const names = [...new Set((await store.list(modelsPrefix())).map((k) => k.split("/")[1]!))].filter((n) => MODEL_NAME.test(n) && !RESERVED_MODEL_NAMES.includes(n)).sort();
      const all = await Promise.all(names.map((n) => describeModel(store, n)));
      return c.json({ models: all.filter((m) => m !== null).map(({ versions, ...m }) => ({ ...m, versions: versions.map((v) => v.version) })) });
    })
    .get("/models/:name", async (c) => {
      const name = c.req.param("name");
      const m = MODEL_NAME.test(name) ? await describeModel(storeOf(c.env), name) : null;
      if (!m) throw new ApiError(404, "model_not_found", `model "${name}" is not published`);
      return c.json(m);
    });
