// The demo page (GET /) in a real browser: Debian's Chromium through playwright-core, against the Node server of the
// app with the fixture model. What the page shows is checked against what POST /ner answers for the same note.
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium.ts";
import type { EntityContext } from "../../core/context/index.ts";
import type { SourcedEntity } from "../../core/index.ts";
import { TRAIT_STYLES } from "../../core/render/index.ts";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { ROOT, startDemoServer, type DemoServer } from "./demo-server.ts";

type Entity = SourcedEntity & EntityContext & { attributes?: Array<{ type: string; text: string; start: number; end: number }> };

const NOTE = TAGGER_NOTES.filter(Boolean).join("\n");
const HOSTILE = `Pt with HTN <img src=x onerror="window.__pwned=1"> and COPD.\n<script>window.__pwned=2</script> started on lisinopril 10mg daily. </textarea><b>bold</b>`;
/** Chromium's own line for a fetch that got a 4xx: expected where a test provokes one. */
const HTTP_ERROR_LINE = /^Failed to load resource: the server responded with a status of 4\d\d/;

let browser: Browser;
let open: DemoServer;
let locked: DemoServer;

beforeAll(async () => {
  browser = await launchChromium();
  open = await startDemoServer({ AUTH_DISABLED: "true", MAX_TEXT_CHARS: "2000" });
  locked = await startDemoServer({ API_TOKENS: "s3cret" }, ["custom", "transformer"]);
});

afterAll(async () => {
  await browser?.close();
  await open?.close();
  await locked?.close();
});

/** A fresh page that records every request and console line; `leaks()` lists what left the origin. */
async function openPage(server: DemoServer) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  const consoleLines: Array<{ type: string; text: string }> = [];
  const pageErrors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => consoleLines.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${server.origin}/`);
  return {
    page,
    consoleLines,
    pageErrors,
    leaks: () => requests.filter((u) => !u.startsWith(`${server.origin}/`) && !u.startsWith("data:")),
    errors: () => consoleLines.filter((l) => l.type === "error").map((l) => l.text),
  };
}

async function nerOf(server: DemoServer, text: string, model: string, token?: string): Promise<Entity[]> {
  const res = await fetch(`${server.origin}/ner`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ text, model }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entities: Entity[] }).entities;
}

const modelOptions = (page: Page) => page.locator("#model option").evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));

/** Waits for the page to show a result or an error. (A string predicate would be eval, which the page's CSP forbids.) */
const answered = (page: Page) => page.locator("#status:not(:empty), #error:not([hidden])").first().waitFor();

async function submitNote(page: Page, text: string) {
  await page.fill("#note", text);
  await page.click("#submit");
  await answered(page);
}

async function shownMarks(page: Page) {
  const marks = page.locator("#doc mark.ent");
  const out: Array<{ text: string; label: string; start: number; end: number }> = [];
  for (const m of await marks.all()) {
    out.push({
      text: (await m.locator(".ent-text").textContent()) ?? "",
      label: (await m.locator(".ent-label").textContent()) ?? "",
      start: Number(await m.getAttribute("data-start")),
      end: Number(await m.getAttribute("data-end")),
    });
  }
  return out;
}

/** An entity's trait tags as the page writes them after its label (core/render's table). */
const tagsOf = (e: Entity) => e.traits.map((t) => TRAIT_STYLES[t.name].tag).join(" \u00b7 ");
/** The table's context cell: trait names, then the section. */
const contextCell = (e: Entity) => [e.traits.map((t) => t.name).join(", "), (e.section ?? "").replace(/_/g, " ")].filter(Boolean).join(" \u00b7 ");

/** A medication's attribute types as the page writes them after each attribute ("strength", "as needed"). */
const typeTag = (type: string) => type.toLowerCase().replace("_", " ");
/** The table's attributes cell. */
const attributesCell = (e: Entity) => (e.attributes ?? []).map((a) => `${typeTag(a.type)} ${a.text}`).join(" \u00b7 ");

/** The note as the page must show it: the text unchanged, each entity's label (and trait tags) right after it, and
 * each medication attribute's type right after the attribute. */
const withLabels = (text: string, entities: Entity[]) => {
  const inserts = [...entities.map((e) => [e.end, e.label + tagsOf(e)] as const), ...entities.flatMap((e) => (e.attributes ?? []).map((a) => [a.end, typeTag(a.type)] as const))];
  return inserts.sort((a, b) => b[0] - a[0]).reduce((s, [at, what]) => s.slice(0, at) + what + s.slice(at), text);
};

const tableRows = (page: Page) => page.locator("#rows tr").evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string }> }).cells, (c) => c.textContent)));

describe("GET /", () => {
  it("is one self-contained page under a strict Content-Security-Policy", async () => {
    const res = await fetch(`${open.origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    const html = await res.text();
    const refs = [...html.matchAll(/\b(?:src|href|action)\s*=\s*"([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.filter((r) => !r.startsWith("/") && !r.startsWith("data:"))).toEqual([]);
  });
});

describe("the demo page in Chromium", () => {
  it("highlights exactly what /ner finds, with labels, a legend and a table of offsets and scores", async () => {
    const { page, leaks, errors, pageErrors, consoleLines } = await openPage(open);
    await expect.poll(() => modelOptions(page)).toEqual(["custom"]);
    const entities = await nerOf(open, NOTE, "custom");
    expect(entities.length).toBeGreaterThan(3);
    await submitNote(page, NOTE);

    expect(await page.locator("#error").isHidden()).toBe(true);
    expect(await shownMarks(page)).toEqual(entities.map(({ text, label, start, end }) => ({ text, label, start, end })));
    expect(await page.locator("#doc").textContent()).toBe(withLabels(NOTE, entities));
    expect(await tableRows(page)).toEqual(entities.map((e, i) => [String(i + 1), e.label, e.text, `${e.start}\u2013${e.end}`, e.score.toFixed(3), e.source, contextCell(e), attributesCell(e)]));
    const counts = new Map<string, number>();
    for (const e of entities) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
    expect((await page.locator("#legend .chip").allTextContents()).sort()).toEqual([...counts].map(([l, n]) => `${l}${n}`).sort());
    expect(await page.locator("#status").textContent()).toMatch(new RegExp(`^custom v1 · ${entities.length} entities`));
    // A colour per label: marks of one label share it, different labels differ.
    // (No DOM types in this project: the browser-side callbacks describe the little they touch.)
    type Css = { getComputedStyle(e: unknown): { backgroundColor: string } };
    const colours = await page.locator("#doc mark.ent").evaluateAll((ms) => ms.map((m) => [(m as unknown as { dataset: { label: string } }).dataset.label, (globalThis as unknown as Css).getComputedStyle(m).backgroundColor]));
    const byLabel = new Map(colours.map(([l, c]) => [l, c]));
    expect(new Set(colours.map(([l, c]) => `${l}=${c}`)).size).toBe(byLabel.size);
    expect(new Set(byLabel.values()).size).toBe(byLabel.size);

    expect(leaks()).toEqual([]);
    expect(errors()).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleLines.filter((l) => NOTE.split(/\W+/).some((w) => w.length > 3 && l.text.includes(w)))).toEqual([]);
    await page.close();
  });

  it("draws each entity's context traits as /ner answers them, with a legend", async () => {
    const { page, errors, pageErrors } = await openPage(open);
    // A word the fixture model finds, then the same word denied: the page must strike it through.
    const found = (await nerOf(open, NOTE, "custom"))[0]!;
    const note = `Pt denies ${found.text}.\n${NOTE}`;
    const entities = await nerOf(open, note, "custom");
    expect(entities.some((e) => e.traits.some((t) => t.name === "negated"))).toBe(true);
    await submitNote(page, note);
    const shown = await page.locator("#doc mark.ent").evaluateAll((ms) => ms.map((m) => (m as unknown as { dataset: { traits?: string } }).dataset.traits ?? ""));
    expect(shown).toEqual(entities.map((e) => e.traits.map((t) => t.name).join(" ")));
    type Css = { getComputedStyle(e: unknown): { textDecorationLine: string } };
    const negated = page.locator("#doc mark.ent.t-negated .ent-text").first();
    expect(await negated.evaluate((n) => (globalThis as unknown as Css).getComputedStyle(n).textDecorationLine)).toBe("line-through");
    const present = [...new Set(entities.flatMap((e) => e.traits.map((t) => t.name)))];
    expect((await page.locator("#trait-legend .trait-item").evaluateAll((xs) => xs.map((x) => (x as unknown as { dataset: { trait: string } }).dataset.trait))).sort()).toEqual(present.sort());
    expect(errors()).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows a hostile note as text: no element from it is created and nothing in it runs", async () => {
    const { page, leaks, errors, pageErrors } = await openPage(open);
    const entities = await nerOf(open, HOSTILE, "custom");
    await submitNote(page, HOSTILE);

    expect(await page.locator("#doc").textContent()).toBe(withLabels(HOSTILE, entities));
    expect(await page.locator("#doc img, #doc script, #doc b").count()).toBe(0);
    expect(await page.locator("img, b").count()).toBe(0);
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    expect(await page.locator("#note").inputValue()).toBe(HOSTILE);
    expect(leaks()).toEqual([]);
    expect(errors()).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows the API's errors in the page", async () => {
    const { page, errors, pageErrors } = await openPage(open);
    await submitNote(page, "x".repeat(2001));
    expect(await page.locator("#error").textContent()).toMatch(/2001 characters.*text_too_long, HTTP 413/);
    expect(await page.locator("#doc mark").count()).toBe(0);
    await page.fill("#note", "   ");
    await page.click("#submit");
    expect(await page.locator("#error").textContent()).toMatch(/Paste a clinical note/);
    expect(errors().filter((e) => !HTTP_ERROR_LINE.test(e))).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("asks for a token on 401, sends it as Bearer, keeps it for the tab, and offers the ensemble when both models are published", async () => {
    const { page, leaks, errors, pageErrors } = await openPage(locked);
    await expect.poll(() => page.locator("#error").textContent()).toMatch(/needs an API token.*unauthorized, HTTP 401/);

    await page.fill("#token", "s3cret");
    await page.press("#token", "Tab");
    await expect.poll(() => modelOptions(page)).toEqual(["custom", "transformer", "ensemble"]);
    expect(await page.locator("#error").isHidden()).toBe(true);

    await page.selectOption("#model", "ensemble");
    const entities = await nerOf(locked, NOTE, "ensemble", "s3cret");
    expect(entities.length).toBeGreaterThan(3);
    await submitNote(page, NOTE);
    expect(await page.locator("#error").isHidden()).toBe(true);
    expect(await shownMarks(page)).toEqual(entities.map(({ text, label, start, end }) => ({ text, label, start, end })));
    expect(await page.locator("#status").textContent()).toMatch(/^custom v1 \+ transformer v1 · /);

    await page.reload();
    expect(await page.locator("#token").inputValue()).toBe("s3cret");
    await expect.poll(() => modelOptions(page)).toContain("ensemble");
    expect(leaks()).toEqual([]);
    expect(errors().filter((e) => !HTTP_ERROR_LINE.test(e))).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("saves a screenshot of the sample note to docs/demo.png", async () => {
    const { page, errors } = await openPage(open);
    await expect.poll(() => modelOptions(page)).toEqual(["custom"]);
    await page.click("#submit");
    await answered(page);
    expect(await page.locator("#doc mark.ent").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ROOT, "docs/demo.png") });
    expect(errors()).toEqual([]);
    await page.close();
  });
});
