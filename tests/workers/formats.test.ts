// The output formats, /visualize and the API document, inside workerd through the deployed Worker (SELF.fetch).
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { pointTo, publishFixture } from "./fixture.ts";

const bucket = (env as unknown as { MODELS: R2Bucket }).MODELS;
const post = (path: string, body: unknown) => SELF.fetch(`https://medner.test${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
// An astral character first, so code-point offsets (hf, spacy, fhir) differ from UTF-16 ones (medner).
const text = `🫀 ${TAGGER_NOTES[1]!}`;

beforeAll(async () => {
  await publishFixture(bucket, "custom", "1");
  await pointTo(bucket, "custom", "1");
});

describe("formats", () => {
  it("hf, spacy and fhir carry the same entities as the default shape, offsets in code points", async () => {
    const ours = ((await (await post("/ner", { text })).json()) as { entities: Array<{ text: string; label: string; start: number; end: number }> }).entities;
    expect(ours.length).toBeGreaterThan(0);
    const cps = [...text];
    const hfRes = await post("/ner", { text, format: "hf" });
    expect(hfRes.headers.get("x-medner-models")).toBe("custom@1");
    const hf = (await hfRes.json()) as Array<{ entity_group: string; word: string; start: number; end: number; score: number }>;
    expect(hf.map((e) => [e.entity_group, e.word, cps.slice(e.start, e.end).join("")])).toEqual(ours.map((e) => [e.label, e.text, e.text]));
    const spacy = (await (await post("/ner", { text, format: "spacy" })).json()) as { text: string; ents: Array<{ start: number; end: number; label: string }>; title: null };
    expect(spacy.text).toBe(text);
    expect(spacy.title).toBeNull();
    expect(spacy.ents.map((e) => cps.slice(e.start, e.end).join(""))).toEqual(ours.map((e) => e.text));
    const fhirRes = await post("/ner", { text, format: "fhir", fhir: { subject: "Patient/123", documentId: "note-1" } });
    expect(fhirRes.headers.get("content-type")).toMatch(/^application\/fhir\+json/);
    const bundle = (await fhirRes.json()) as { resourceType: string; type: string; entry: Array<{ resource: { resourceType: string } }> };
    expect(bundle).toMatchObject({ resourceType: "Bundle", type: "collection" });
    const kinds = { DISEASE: "Condition", MEDICATION: "MedicationStatement", TREATMENT: "Procedure" } as Record<string, string>;
    expect(bundle.entry.map((e) => e.resource.resourceType)).toEqual(["DocumentReference", ...ours.map((e) => kinds[e.label]).filter(Boolean)]);
  });

  it("batch answers one body per note in the chosen format", async () => {
    const res = await post("/ner/batch", { texts: [text, "No meds."], format: "spacy" });
    const docs = (await res.json()) as Array<{ text: string }>;
    expect(docs.map((d) => d.text)).toEqual([text, "No meds."]);
  });

  it("rejects an unknown format and FHIR options that are not FHIR references", async () => {
    expect((await post("/ner", { text, format: "xml" })).status).toBe(400);
    const bad = await post("/ner", { text, format: "fhir", fhir: { subject: "123 OR 1=1" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^fhir\.subject:/);
  });
});

describe("POST /visualize", () => {
  it("answers a standalone page marking the same entities, with the note escaped and a CSP that forbids scripts", async () => {
    const hostile = `${text} <img src=x onerror=alert(1)>`;
    const res = await post("/visualize", { text: hostile });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    const page = await res.text();
    const ours = ((await (await post("/ner", { text: hostile })).json()) as { entities: Array<{ text: string; label: string }> }).entities;
    expect(ours.length).toBeGreaterThan(0);
    expect([...page.matchAll(/<mark class="entity" data-label="([^"]*)"[^>]*>(.*?)<span/g)].map((m) => [m[1], m[2]])).toEqual(ours.map((e) => [e.label, e.text]));
    expect(page).not.toMatch(/<img|<script/);
  });

  it("validates like /ner", async () => {
    expect((await post("/visualize", { text: 1 })).status).toBe(400);
    expect((await post("/visualize", { text, format: "hf" })).status).toBe(400);
  });
});

describe("API document", () => {
  it("serves /openapi.json and /docs from workerd", async () => {
    const doc = (await (await SELF.fetch("https://medner.test/openapi.json")).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/visualize");
    const page = await (await SELF.fetch("https://medner.test/docs")).text();
    expect(page).toContain("<code>/ner/batch</code>");
  });
});
