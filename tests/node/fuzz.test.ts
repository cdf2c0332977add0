// Hostile input through the Node app with the shipped default model, with auth on: seeded random Unicode notes through
// POST /ner in every format, /ner/batch, /visualize and /context. Never a 5xx (every valid note answers 200); offsets
// exact in UTF-16 and, for hf and spacy, in code points; the page shows every character of the note as text; no token
// but the right one passes; and no log line holds note text or a token. FUZZ_SEED and FUZZ_RUNS override the defaults;
// a failure prints the seed and path that reproduce it.
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import { FORMATS } from "../../functions/schemas.ts";
import { codePoints, longNote, MARKERS, note, pageProblem } from "../fixtures/hostile-text.ts";
import { folderStoreWith } from "./folder-store.ts";
import { ROOT } from "./cli.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 22);
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);
const TOKEN = "tok-fuzz-7c1e94b2a5d3";

type Entity = { text: string; label: string; start: number; end: number; traits: unknown[] };
type HfEntity = { word: string; entity_group: string; start: number; end: number };
type SpacyDoc = { text: string; ents: Array<{ start: number; end: number; label: string }> };

const root = await folderStoreWith(join(ROOT, "models/custom/default"));
const lines: string[] = [];
const app = createApp({ createRunner: createNodeRunner, storeOf: () => fsStore(root), log: (l) => lines.push(l) });
const env = { API_TOKENS: `other-token, ${TOKEN}`, MAX_TEXT_CHARS: "20000" };
const post = (path: string, body: unknown, authorization: string | null = `Bearer ${TOKEN}`) =>
  app.request(path, { method: "POST", headers: { "content-type": "application/json", ...(authorization === null ? {} : { authorization }) }, body: JSON.stringify(body) }, env);

/** The answer's body, once its status is 200: a 5xx, or a 4xx for a valid note, fails with the note's route. */
async function ok<T>(path: string, body: unknown): Promise<T> {
  const res = await post(path, body);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (path === "/visualize" ? res.text() : res.json()) as Promise<T>;
}

function checkEntities(text: string, entities: Entity[]) {
  for (const e of entities) {
    expect(0 <= e.start && e.start < e.end && e.end <= text.length, `[${e.start}, ${e.end}) in ${text.length}`).toBe(true);
    expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(e.traits).toBeInstanceOf(Array);
  }
}

/** hf and spacy against our own shape: the same entities, at the code-point offsets counted here. */
function checkForeign(format: string, text: string, ours: Entity[], theirs: unknown) {
  const at = ours.map((e) => [codePoints(text, e.start), codePoints(text, e.end)]);
  if (format === "hf") {
    const hf = theirs as HfEntity[];
    expect(hf.map((e) => [e.start, e.end])).toEqual(at);
    for (const e of hf) expect([...text].slice(e.start, e.end).join("")).toBe(e.word);
    expect(hf.map((e) => [e.word, e.entity_group])).toEqual(ours.map((e) => [e.text, e.label]));
  } else if (format === "spacy") {
    const doc = theirs as SpacyDoc;
    expect(doc.text).toBe(text);
    expect(doc.ents.map((e) => [e.start, e.end, e.label])).toEqual(ours.map((e, i) => [...at[i]!, e.label]));
  } else if (format === "fhir") {
    expect((theirs as { resourceType: string }).resourceType).toBe("Bundle");
  }
}

async function checkPage(text: string) {
  const html = await ok<string>("/visualize", { text });
  expect(html).not.toMatch(/<(script|img|svg)|<!--/i);
  expect(pageProblem(html, text)).toBeNull();
}

/** /context on spans inside the text made from random pairs: [a mod length, then 1 to what is left). */
async function checkContext(text: string, pairs: Array<[number, number]>) {
  const spans = text.length ? pairs.map(([a, b]) => ({ start: a % text.length, end: (a % text.length) + 1 + (b % (text.length - (a % text.length))) })) : [];
  const body = await ok<{ entities: Array<{ start: number; end: number; text: string }> }>("/context", { text, spans });
  expect(body.entities.map((e) => [e.start, e.end, e.text])).toEqual(spans.map((s) => [s.start, s.end, text.slice(s.start, s.end)]));
}

describe("hostile input (Node, shipped default model, auth on)", () => {
  const notesSeen: string[] = [];

  it(`random Unicode notes through every route and format (seed ${SEED}, ${RUNS} runs)`, async () => {
    const run = fc.record({
      texts: fc.array(note, { minLength: 1, maxLength: 10 }),
      single: fc.constantFrom(...FORMATS),
      batch: fc.constantFrom(...FORMATS.filter((f) => f !== "medner")),
      spans: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(run, async ({ texts, single, batch, spans }) => {
        notesSeen.push(...texts);
        const ours = (await ok<{ results: Array<{ entities: Entity[] }> }>("/ner/batch", { texts })).results.map((r) => r.entities);
        texts.forEach((t, i) => checkEntities(t, ours[i]!));
        const foreign = await ok<unknown[]>("/ner/batch", { texts, format: batch });
        texts.forEach((t, i) => checkForeign(batch, t, ours[i]!, foreign[i]));
        const text = texts[0]!;
        const one = await ok<{ entities: Entity[] } | HfEntity[] | SpacyDoc>("/ner", { text, format: single });
        if (single === "medner") expect((one as { entities: Entity[] }).entities.map((e) => [e.start, e.end, e.text])).toEqual(ours[0]!.map((e) => [e.start, e.end, e.text]));
        else checkForeign(single, text, ours[0]!, one);
        await checkPage(text);
        await checkContext(text, spans);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("20,000-character hostile notes, the longest accepted, through every route", async () => {
    const texts = [1, 2, 3].map((i) => longNote(SEED + i, 20_000));
    notesSeen.push(...texts);
    const ours = (await ok<{ results: Array<{ entities: Entity[] }> }>("/ner/batch", { texts })).results.map((r) => r.entities);
    texts.forEach((t, i) => checkEntities(t, ours[i]!));
    expect(ours.flat().length).toBeGreaterThan(30);
    for (const format of FORMATS.filter((f) => f !== "medner")) checkForeign(format, texts[0]!, ours[0]!, await ok("/ner", { text: texts[0], format }));
    await checkPage(texts[1]!);
    await checkContext(texts[2]!, [[0, 19_999], [12_345, 12_400], [7, 8]]);
    expect((await post("/ner", { text: texts[0] + "x" })).status).toBe(413);
  });

  it("only the configured tokens pass: none, wrong, a near miss or random ones answer 401, never 5xx", async () => {
    const near = TOKEN.slice(0, -1) + (TOKEN.endsWith("3") ? "4" : "3");
    for (const authorization of [null, "", "Bearer", `Bearer ${near}`, `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer ${TOKEN} extra`]) {
      const res = await post("/ner", { text: "aspirin" }, authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 80 }), async (token) => {
        fc.pre(token !== TOKEN && token !== "other-token");
        expect((await post("/ner", { text: "aspirin" }, `Bearer ${token}`)).status).toBe(401);
      }),
      { seed: SEED, numRuns: 200 },
    );
    expect((await post("/ner", { text: "aspirin" }, `bearer   ${TOKEN}`)).status).toBe(200);
  });

  it("after it all, no log line holds note text or a token, and each is only the request log's fields", () => {
    const seen = notesSeen.length;
    expect(seen).toBeGreaterThan(2000);
    expect(notesSeen.filter((t) => MARKERS.some((m) => t.includes(m))).length).toBeGreaterThan(seen / 4);
    expect(lines.length).toBeGreaterThan(seen / 4);
    const allowed = new Set(["requestId", "method", "route", "status", "model", "version", "textLength", "texts", "entityCount", "spanCount", "inferenceMs", "totalMs"]);
    for (const line of lines) {
      const lower = line.toLowerCase();
      for (const secret of [...MARKERS, TOKEN, "tok-fuzz", "<script"]) expect(lower, line).not.toContain(secret.toLowerCase());
      const fields = JSON.parse(line) as Record<string, unknown>;
      if ("level" in fields) expect(fields, line).toEqual({ level: "info", msg: "model loaded", model: "custom", version: "1" });
      else for (const key of Object.keys(fields)) expect(allowed, line).toContain(key);
    }
  });
});
