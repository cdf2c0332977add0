// The /docs page is rendered from the OpenAPI document with hono/html: every string from the document is escaped,
// and each $ref becomes a link to its schema.
import { describe, expect, it } from "vitest";
import { renderDocs } from "../../functions/routes/docs.ts";
import type { openApiDocument } from "../../functions/openapi.ts";

describe("renderDocs", () => {
  it("escapes the document's text and links its $refs", async () => {
    const doc = {
      openapi: "3.1.0",
      info: { title: "a<b", version: "1", description: `"quoted" & 'single'` },
      paths: {
        "/p": {
          get: {
            summary: "<script>alert(1)</script>",
            responses: { 200: { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } } } },
          },
        },
      },
      components: { schemas: { Thing: { type: "object", description: "<b>bold</b>" } } },
    } as unknown as ReturnType<typeof openApiDocument>;
    const page = String(await renderDocs(doc));
    expect(page).not.toMatch(/<script|<b>bold/);
    expect(page).toContain("<title>a&lt;b API reference</title>");
    expect(page).toContain("<p>&quot;quoted&quot; &amp; &#39;single&#39;</p>");
    expect(page).toContain("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    expect(page).toContain('&quot;$ref&quot;: <a href="#schema-Thing">Thing</a>');
    expect(page).toContain('<section id="schema-Thing"><h3>Thing</h3><pre>{\n  &quot;type&quot;: &quot;object&quot;,\n  &quot;description&quot;: &quot;&lt;b&gt;bold&lt;/b&gt;&quot;\n}</pre></section>');
  });
});
