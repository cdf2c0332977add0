// GET /openapi.json and GET /docs. The reference page is rendered here, on the server, from the same document:
// Swagger UI or Redoc would mean a CDN (which the page must not use) or 1–3 MB more in a Worker that already carries
// the onnxruntime wasm, for what is a list of nine routes and their schemas.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../env.ts";
import { openApiDocument } from "../openapi.ts";

type Json = Record<string, unknown>;
type Html = ReturnType<typeof html>;

const REF = /"#\/components\/schemas\/([A-Za-z0-9_]+)"/;

/** A schema as readable JSON, with each `$ref` turned into a link to its component. */
function schemaHtml(schema: unknown): Html {
  // split() with a capturing group: the text between refs at even indexes, the referenced ids at odd ones.
  const parts = JSON.stringify(schema, null, 2).split(REF);
  return html`<pre>${parts.map((part, i) => (i % 2 ? html`<a href="#schema-${part}">${part}</a>` : part))}</pre>`;
}

function operationHtml(path: string, method: string, op: Json): Html {
  const body = (op.requestBody as Json | undefined)?.content as Record<string, { schema: unknown }> | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).map(([status, r]) => {
    const content = r.content as Record<string, { schema: unknown }> | undefined;
    const [type, media] = content ? Object.entries(content)[0]! : [null, null];
    return html`<details><summary><b>${status}</b> ${String(r.description ?? "")}${type ? html` <code>${type}</code>` : ""}</summary>${media ? schemaHtml(media.schema) : ""}</details>`;
  });
  return html`<section class="op"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${path}</code></h3>
<p>${String(op.summary ?? "")}${op.security ? html` <span class="lock">bearer token</span>` : ""}</p>
${body ? html`<h4>Request body</h4>${Object.entries(body).map(([type, m]) => html`<code>${type}</code>${schemaHtml(m.schema)}`)}` : ""}
<h4>Responses</h4>${responses}</section>`;
}

export function renderDocs(doc: ReturnType<typeof openApiDocument>): Html {
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Json>)
      .filter(([m]) => ["get", "post", "put", "delete", "patch"].includes(m))
      .map(([m, op]) => operationHtml(path, m, op)),
  );
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(([id, s]) => html`<section id="schema-${id}"><h3>${id}</h3>${schemaHtml(s)}</section>`);
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${doc.info.title} API reference</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px;border-radius:4px}
.op{border:1px solid #ddd;border-radius:6px;padding:.2rem 1rem;margin:1rem 0}.m{color:#fff;border-radius:3px;padding:1px 6px;font-size:13px}
.get{background:#2b7bb9}.post{background:#2f9e44}.lock{font-size:12px;background:#fff3bf;padding:1px 6px;border-radius:3px}summary{cursor:pointer}
</style></head><body><h1>${doc.info.title} <small>${doc.info.version}</small></h1><p>${doc.info.description ?? ""}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}).</p>
<h2>Routes</h2>${ops}<h2>Schemas</h2>${schemas}</body></html>`;
}

export const docs = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(openApiDocument()))
  .get("/docs", (c) => c.html(renderDocs(openApiDocument())));
