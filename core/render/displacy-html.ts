// Entities drawn over the note the way displaCy's `ent` style draws them: a <mark> per entity in its label's colour,
// the label beside the span, a legend. Everything that comes from the note, the labels or the caller is escaped, so a
// note holding HTML or script renders as text. The page has no scripts and makes no requests. An entity's context
// traits change how its mark is drawn (struck through when negated, dashed when uncertain…) and are also written out
// beside its label, so the page does not rely on styling alone; the legend explains both.
import type { EntityContext, TraitName } from "../context/index.ts";
import type { SourcedEntity } from "../types.ts";

/**
 * displaCy's own table has no medical labels (it would draw them all #ddd grey), so the canonical three get pastel
 * colours of their own. The demo page's script (functions/ui/demo-script.ts) is built with these same tables.
 */
export const LABEL_COLOURS: Readonly<Record<string, string>> = { MEDICATION: "#a5d8ff", DISEASE: "#ffc9c9", TREATMENT: "#b2f2bb" };
/** Colours for any other label, picked by a hash of its name (the demo page's script applies the same rule). */
export const LABEL_PALETTE: readonly string[] = ["#ffec99", "#d0bfff", "#ffd8a8", "#99e9f2", "#eebefa", "#c0eb75", "#fcc2d7", "#bac8ff"];

/** A label's colour: fixed for the canonical labels, a stable pick from a palette for any other. */
export function colourOf(label: string): string {
  if (Object.hasOwn(LABEL_COLOURS, label)) return LABEL_COLOURS[label]!;
  let h = 0;
  for (let i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
  return LABEL_PALETTE[h % LABEL_PALETTE.length]!;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** How each trait marks an entity (CSS declarations), and the short tag written beside the label. */
export const TRAIT_STYLES: Readonly<Record<TraitName, { css: string; tag: string; meaning: string }>> = {
  negated: { css: "text-decoration:line-through;text-decoration-thickness:2px", tag: "no", meaning: "negated: the note says it is absent or not given" },
  uncertain: { css: "outline:2px dashed #495057;outline-offset:1px", tag: "?", meaning: "uncertain: possible, suspected, to rule out" },
  historical: { css: "opacity:0.6", tag: "past", meaning: "historical: in the past, not current" },
  hypothetical: { css: "outline:2px dotted #495057;outline-offset:1px", tag: "if", meaning: "hypothetical: conditional or possible in future" },
  family: { css: "box-shadow:inset 0 -3px 0 #7048e8", tag: "family", meaning: "family: about a relative, not the patient" },
};

type Drawable = Pick<SourcedEntity, "start" | "end" | "label"> &
  Partial<Pick<SourcedEntity, "score" | "source">> &
  Partial<EntityContext> & { attributes?: ReadonlyArray<{ type: string; start: number; end: number }> };

/** A medication attribute is underlined in the medication colour and tagged with its type ("dose"), its drug named. */
const ATTRIBUTE_STYLE = `border-bottom:2px dotted #1971c2;padding-bottom:1px`;

/**
 * The entities that can be drawn, in order: inside the text, non-empty, and not overlapping one already kept —
 * an overlap keeps the earlier-starting entity (the longer one on a tie), as displaCy's own renderer cannot nest marks.
 */
export function drawableEntities<E extends Drawable>(text: string, entities: readonly E[]): E[] {
  const sorted = entities
    .filter((e) => Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.end <= text.length && e.start < e.end)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: E[] = [];
  for (const e of sorted) if (kept.length === 0 || e.start >= kept.at(-1)!.end) kept.push(e);
  return kept;
}

const MARK_STYLE = "padding:0.2em 0.4em;margin:0 0.15em;line-height:2.2;border-radius:0.35em;box-decoration-break:clone;-webkit-box-decoration-break:clone";
const LABEL_STYLE = "font-size:0.7em;font-weight:bold;line-height:1;border-radius:0.35em;vertical-align:middle;margin-left:0.4rem;text-transform:uppercase";

/** The note with its entities marked: a fragment for embedding (line breaks kept as <br>). */
export function renderEntitiesFragment(text: string, entities: readonly Drawable[]): string {
  const para = (s: string) => escapeHtml(s).replace(/\r\n|\r|\n/g, "<br>");
  const drawn = drawableEntities(text, entities);
  // Attributes lie outside every entity (core/medication never overlaps them); one that would overlap is not drawn.
  const attributes = drawn
    .flatMap((e, i) => (e.attributes ?? []).map((a) => ({ ...a, drug: i })))
    .filter((a) => a.start < a.end && a.end <= text.length && !drawn.some((e) => a.start < e.end && e.start < a.end))
    .sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  const upTo = (end: number) => {
    // The plain text before `end`, with the attributes in it underlined.
    while (attributes.length && attributes[0]!.start < end) {
      const a = attributes.shift()!;
      if (a.start < at) continue;
      const drug = drawn[a.drug]!;
      out += para(text.slice(at, a.start));
      out += `<span class="attribute" data-type="${escapeHtml(a.type)}" data-drug-start="${drug.start}" title="${escapeHtml(a.type.toLowerCase())} of ${escapeHtml(text.slice(drug.start, drug.end))}" style="${ATTRIBUTE_STYLE}">${para(text.slice(a.start, a.end))}<sub style="font-size:0.6em;color:#1971c2;margin-left:0.1em">${escapeHtml(a.type.toLowerCase().replace("_", " "))}</sub></span>`;
      at = a.end;
    }
    out += para(text.slice(at, end));
    at = end;
  };
  for (const e of drawn) {
    upTo(e.start);
    const data = [
      `data-label="${escapeHtml(e.label)}"`,
      `data-start="${e.start}"`,
      `data-end="${e.end}"`,
      ...(e.score !== undefined ? [`data-score="${escapeHtml(String(e.score))}"`] : []),
      ...(e.source !== undefined ? [`data-source="${escapeHtml(e.source)}"`] : []),
      ...(e.traits?.length ? [`data-traits="${e.traits.map((t) => t.name).join(" ")}"`] : []),
      ...(e.section ? [`data-section="${escapeHtml(e.section)}"`] : []),
    ].join(" ");
    const traits = e.traits ?? [];
    const traitCss = traits.map((t) => `;${TRAIT_STYLES[t.name].css}`).join("");
    const tags = traits.length ? `<span class="traits" style="${LABEL_STYLE};text-transform:none;font-weight:normal">${traits.map((t) => TRAIT_STYLES[t.name].tag).join(" · ")}</span>` : "";
    out += `<mark class="entity" ${data} style="background:${colourOf(e.label)};${MARK_STYLE}${traitCss}">${para(text.slice(e.start, e.end))}<span class="label" style="${LABEL_STYLE}">${escapeHtml(e.label)}</span>${tags}</mark>`;
    at = e.end;
  }
  upTo(text.length);
  return `<div class="entities" style="line-height:2.5;direction:ltr;white-space:pre-wrap">${out}</div>`;
}

export interface RenderOptions {
  title?: string;
  lang?: string;
}

/** A standalone page: the marked note and a legend of the labels present, with counts. */
export function renderEntitiesHtml(text: string, entities: readonly Drawable[], o: RenderOptions = {}): string {
  const drawn = drawableEntities(text, entities);
  const counts = new Map<string, number>();
  for (const e of drawn) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const legend = [...counts]
    .map(([label, n]) => `<li class="legend-item" data-label="${escapeHtml(label)}"><span style="background:${colourOf(label)};${MARK_STYLE}">${escapeHtml(label)}</span> ${n}</li>`)
    .join("");
  const present = (Object.keys(TRAIT_STYLES) as TraitName[]).filter((name) => drawn.some((e) => e.traits?.some((t) => t.name === name)));
  const traitLegend = present
    .map((name) => `<li class="legend-trait" data-trait="${name}"><span style="background:#e9ecef;${MARK_STYLE};${TRAIT_STYLES[name].css}">${TRAIT_STYLES[name].tag}</span> ${escapeHtml(TRAIT_STYLES[name].meaning)}</li>`)
    .join("");
  const title = escapeHtml(o.title ?? "medner");
  return `<!doctype html>
<html lang="${escapeHtml(o.lang ?? "en")}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.1rem;color:#555}ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:0.5rem 1rem}</style></head>
<body><h1>${title}</h1><ul class="legend">${legend}</ul>${traitLegend ? `<ul class="legend traits-legend">${traitLegend}</ul>` : ""}${renderEntitiesFragment(text, drawn)}</body></html>
`;
}
