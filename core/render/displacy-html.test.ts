import { describe, expect, it } from "vitest";
import type { SourcedEntity } from "../types.ts";
import { colourOf, drawableEntities, renderEntitiesFragment, renderEntitiesHtml } from "./index.ts";

const at = (note: string, text: string, label: string, from = 0): SourcedEntity => {
  const start = note.indexOf(text, from);
  return { text, label, start, end: start + text.length, score: 0.9, source: "custom" };
};

/** The marks of a rendered page, read back: [label, inner text without the label]. */
const marks = (html: string) =>
  [...html.matchAll(/<mark class="entity" data-label="([^"]*)"[^>]*>(.*?)<span class="label"[^>]*>(.*?)<\/span><\/mark>/g)].map((m) => [m[1], m[2], m[3]]);

describe("displaCy-style HTML", () => {
  it("marks each entity with its label and colour, and lists the labels in a legend", () => {
    const note = "HTN on lisinopril.\nChest pain: Sign.";
    const html = renderEntitiesHtml(note, [at(note, "HTN", "DISEASE"), at(note, "lisinopril", "MEDICATION"), at(note, "Chest pain", "Sign_symptom")]);
    expect(marks(html)).toEqual([
      ["DISEASE", "HTN", "DISEASE"],
      ["MEDICATION", "lisinopril", "MEDICATION"],
      ["Sign_symptom", "Chest pain", "Sign_symptom"],
    ]);
    expect(html).toContain(`background:${colourOf("DISEASE")}`);
    expect(html).toContain("<br>");
    expect(html.match(/class="legend-item"/g)).toHaveLength(3);
    expect(html).not.toMatch(/<script|<link|src=|https?:/);
  });

  it("escapes hostile notes, labels and titles: they render as text", () => {
    const note = `<script>alert(1)</script> "x" onerror='y' & </mark><img src=x onerror=alert(2)> aspirin`;
    const evil = { ...at(note, "aspirin", `"><script>alert(3)</script>`), source: `"><b>` };
    const html = renderEntitiesHtml(note, [at(note, "</mark><img", "DISEASE"), evil], { title: "</title><script>alert(4)</script>", lang: `en"><script>alert(5)</script>` });
    expect(html).not.toMatch(/<script|<img|<b>|<\/mark><img/i);
    // Every attribute value stays inside its quotes: no quote reaches the output except as delimiters.
    expect(html.replace(/="[^"]*"/g, "").replace(/<style>[\s\S]*<\/style>/, "")).not.toMatch(/["']/);
    // What a browser would show: the text, unescaped, equals the note plus the labels.
    const shown = renderEntitiesFragment(note, [at(note, "aspirin", "MEDICATION")])
      .replace(/<span class="label"[^>]*>.*?<\/span>/g, "")
      .replace(/<[^>]+>/g, "")
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    expect(shown).toBe(note);
  });

  it("draws no overlapping or out-of-range entity: an overlap keeps the earlier, then longer, one", () => {
    const note = "type 2 diabetes mellitus";
    const es = [at(note, "diabetes", "DISEASE"), at(note, "type 2 diabetes", "DISEASE"), at(note, "diabetes mellitus", "DISEASE"), { ...at(note, "type", "X"), end: 999 }, { ...at(note, "type", "Y"), end: 0 }];
    expect(drawableEntities(note, es).map((e) => note.slice(e.start, e.end))).toEqual(["type 2 diabetes"]);
    expect(marks(renderEntitiesHtml(note, es))).toHaveLength(1);
  });

  it("writes each drawn entity's offsets, score and source as data attributes a browser can read back", () => {
    const note = "Chest pain\r\non aspirin 81 mg.";
    const es = [{ ...at(note, "Chest pain", "Sign_symptom"), score: 0.8125, source: "transformer" }, { ...at(note, "aspirin", "MEDICATION"), source: "custom+transformer" }];
    const html = renderEntitiesFragment(note, es);
    const read = [...html.matchAll(/<mark class="entity" data-label="([^"]*)" data-start="(\d+)" data-end="(\d+)" data-score="([^"]*)" data-source="([^"]*)"/g)].map((m) => ({
      label: m[1], start: Number(m[2]), end: Number(m[3]), score: Number(m[4]), source: m[5],
    }));
    expect(read).toEqual(es.map(({ label, start, end, score, source }) => ({ label, start, end, score, source })));
    expect(html.match(/<br>/g)).toHaveLength(1);
  });

  it("gives unknown labels a stable colour from the palette", () => {
    expect(colourOf("Dosage")).toBe(colourOf("Dosage"));
    expect(colourOf("Dosage")).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe("context traits on the page", () => {
  it("draws each trait on its entity, writes it beside the label and explains it in a legend", () => {
    const note = "Denies chest pain. Mother had breast cancer. HTN.";
    const negated = { ...at(note, "chest pain", "DISEASE"), traits: [{ name: "negated" as const, score: 0.97, cue: { start: 0, end: 6 } }], section: null };
    const family = { ...at(note, "breast cancer", "DISEASE"), traits: [{ name: "family" as const, score: 0.95, relationship: "mother" }], section: "family_history" };
    const plain = { ...at(note, "HTN", "DISEASE"), traits: [], section: null };
    const html = renderEntitiesHtml(note, [negated, family, plain]);
    const markOf = (word: string) => html.match(new RegExp(`<mark[^>]*>${word}<span.*?</mark>`))![0];
    expect(markOf("chest pain")).toMatch(/data-traits="negated"[^>]*style="[^"]*text-decoration:line-through/);
    expect(markOf("chest pain")).toMatch(/<span class="traits"[^>]*>no<\/span>/);
    expect(markOf("breast cancer")).toMatch(/data-traits="family" data-section="family_history"/);
    expect(markOf("HTN")).not.toMatch(/data-traits|class="traits"|line-through/);
    expect([...html.matchAll(/class="legend-trait" data-trait="(\w+)"/g)].map((m) => m[1])).toEqual(["negated", "family"]);
  });
});

describe("medication attributes on the page", () => {
  it("underlines each attribute with its type and names its drug, outside every mark", () => {
    const note = "Metformin 500 mg PO BID for <T2DM>.";
    const drug = { ...at(note, "Metformin", "MEDICATION"), attributes: [{ type: "STRENGTH", start: 10, end: 16 }, { type: "ROUTE", start: 17, end: 19 }, { type: "FREQUENCY", start: 20, end: 23 }] };
    const html = renderEntitiesFragment(note, [drug, at(note, "T2DM", "DISEASE")]);
    const attrs = [...html.matchAll(/<span class="attribute" data-type="(\w+)" data-drug-start="(\d+)" title="([^"]*)"[^>]*>(.*?)<sub/g)].map((m) => [m[1], m[2], m[3], m[4]]);
    expect(attrs).toEqual([
      ["STRENGTH", "0", "strength of Metformin", "500 mg"],
      ["ROUTE", "0", "route of Metformin", "PO"],
      ["FREQUENCY", "0", "frequency of Metformin", "BID"],
    ]);
    // The text reads the same with the marks and tags taken out, and the note's "<" stays text.
    expect(html.replace(/<sub[^>]*>.*?<\/sub>/g, "").replace(/<span class="label"[^>]*>.*?<\/span>/g, "").replace(/<[^>]+>/g, "").replace(/&#60;/g, "<").replace(/&#62;/g, ">")).toBe(note);
  });
});
