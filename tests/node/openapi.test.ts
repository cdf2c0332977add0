// The OpenAPI document covers exactly the routes the app serves, and real answers match the schemas it publishes.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import { openApiDocument } from "../../functions/openapi.ts";
import { HealthResponse, ModelDetail, ModelList, NerBatchResponse, NerResponse } from "../../functions/schemas.ts";
import { folderStoreWith } from "./folder-store.ts";
import { ROOT } from "./cli.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");

describe("OpenAPI", async () => {
  const root = await folderStoreWith(FIXTURE);
  const app = createApp({ createRunner: createNodeRunner, storeOf: () => fsStore(root), log: () => {} });
  const env = { AUTH_DISABLED: "true" };
  const doc = openApiDocument();

  it("is OpenAPI 3.1 and lists every route the app serves, and nothing else", () => {
    expect(doc.openapi).toBe("3.1.0");
    const served = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`));
    const documented = new Set(Object.entries(doc.paths ?? {}).flatMap(([p, item]) => Object.keys(item as object).map((m) => `${m} ${p}`)));
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it("documents bodies, errors and the bearer scheme from the validating schemas", () => {
    const ner = (doc.paths?.["/ner"] as { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown>; security: unknown[] } }).post;
    expect(ner.requestBody.content["application/json"]!.schema.$ref).toBe("#/components/schemas/NerRequest");
    expect(Object.keys(ner.responses).sort()).toEqual(["200", "400", "401", "404", "413", "415", "503"]);
    expect(ner.security).toEqual([{ bearer: [] }]);
    const req = doc.components?.schemas?.NerRequest as { properties: Record<string, { enum?: string[] }>; required: string[] };
    expect(req.required).toEqual(["text"]);
    expect(req.properties.format!.enum).toEqual(["medner", "hf", "spacy", "fhir"]);
    expect(req.properties.aggregation!.enum).toEqual(["none", "simple", "first", "average", "max"]);
  });

  it("serves the document and an HTML reference that needs no CDN", async () => {
    const res = await app.request("/openapi.json", {}, env);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    const page = await (await app.request("/docs", {}, env)).text();
    for (const p of Object.keys(doc.paths ?? {})) expect(page).toContain(`<code>${p}</code>`);
    expect(page).toContain('href="#schema-NerRequest"');
    expect(page).not.toMatch(/<script|https?:\/\/(?!localhost)[^"]*\.(js|css)/);
  });

  it("answers in the shapes it documents", async () => {
    const post = (path: string, body: unknown) => app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, env);
    // With entities in it, so the entity schema is checked too.
    expect(NerResponse.parse(await (await post("/ner", { text: "Aspirin 81 mg daily for coronary artery disease." })).json()).entities.length).toBeGreaterThan(0);
    NerBatchResponse.parse(await (await post("/ner/batch", { texts: ["Aspirin for CAD.", "No meds."] })).json());
    HealthResponse.parse(await (await app.request("/health", {}, env)).json());
    ModelList.parse(await (await app.request("/models", {}, env)).json());
    ModelDetail.parse(await (await app.request("/models/custom", {}, env)).json());
  });
});
