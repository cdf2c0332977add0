// GET /openapi.json and GET /docs. The reference page is rendered here, on the server, from the same document:
// Swagger UI or Redoc would mean a CDN (which the page must not use) or 1–3 MB more in a Worker that already carries
// the onnxruntime wasm, for what is a list of nine routes and their schemas.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { openApiDocument } from "../openapi.ts";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Json = Record<string, unknown>;

/** A schema as readable JSON, with each `$ref` turned into a link to its component. */
function schemaHtml(schema: unknown): string {
  const text = esc(JSON.stringify(schema, null, 2));
  return `<pre>${text.replace(/&#34;#\/components\/schemas\/([A-Za-z0-9_]+)&#34;/g, (_, id: string) => `<a href="#schema-${id}">${id}</a>`)}</pre>`;
}

function operationHtml(path: string, method: string, op: Json): string {
  const body = (op.requestBody as Json | undefined)?.content as Record<string, { schema: unknown }> | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
    .map(([status, r]) => {
      const content = r.content as Record<string, { schema: unknown }> | undefined;
      const [type, media] = content ? Object.entries(content)[0]! : [null, null];
      return `<details><summary><b>${esc(status)}</b> ${esc(String(r.description ?? ""))}${type ? ` <code>${esc(type)}</code>` : ""}</summary>${media ? schemaHtml(media.schema) : ""}</details>`;
    })
    .join("");
  return `<section class="op"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(String(op.summary ?? ""))}${op.security ? ' <span class="lock">bearer token</span>' : ""}</p>
${body ? `<h4>Request body</h4>${Object.entries(body).map(([type, m]) => `<code>${esc(type)}</code>${schemaHtml(m.schema)}`).join("")}` : ""}
<h4>Responses</h4>${responses}</section>`;
}

export function renderDocs(doc: ReturnType<typeof openApiDocument>): string {
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Json>)
      .filter(([m]) => ["get", "post", "put", "delete", "patch"].includes(m))
      .map(([m, op]) => operationHtml(path, m, op)),
  );
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([id, s]) => `<section id="schema-${esc(id)}"><h3>${esc(id)}</h3>${schemaHtml(s)}</section>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} API reference</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px;border-radius:4px}
.op{border:1px solid #ddd;border-radius:6px;padding:.2rem 1rem;margin:1rem 0}.m{color:#fff;border-radius:3px;padding:1px 6px;font-size:13px}
.get{background:#2b7bb9}.post{background:#2f9e44}.lock{font-size:12px;background:#fff3bf;padding:1px 6px;border-radius:3px}summary{cursor:pointer}
</style></head><body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description ?? "")}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
<h2>Routes</h2>${ops.join("")}<h2>Schemas</h2>${schemas}</body></html>`;
}

export const docs = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(openApiDocument()))
  .get("/docs", (c) => c.html(renderDocs(openApiDocument())));
