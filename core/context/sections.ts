// Clinical section headers (models/context/sections.json): "Family History:", "PMH:", or a header alone on its line
// ("DISCHARGE MEDICATIONS"). A section runs from its header to the next one; some set a default trait on everything
// inside them (Family History → family, Past Medical History → historical).
import { z } from "zod";
import { describeIssue, MednerError } from "../errors.ts";
import { TRAITS, type TraitName } from "./cues.ts";

export const SectionRulesSchema = z.object({
  name: z.string(),
  version: z.string(),
  notice: z.string(),
  score: z.number().min(0).max(1),
  sections: z.array(
    z
      .object({
        name: z.string().regex(/^[a-z_]+$/),
        headers: z.array(z.string().min(1)),
        traits: z.array(z.enum(TRAITS)).optional(),
        /** Per label class (the cue rules' labelClasses): the default traits instead (a drug on a PMH line is taken now). */
        as: z.record(z.string(), z.array(z.enum(TRAITS))).optional(),
      })
      .strict(),
  ),
});
export type SectionRulesFile = z.infer<typeof SectionRulesSchema>;

/**
 * A section of a note: its name, the header's characters, and the characters it covers (header included). A header
 * alone on its line ("PAST MEDICAL HISTORY:") heads a block that runs to the next header. An inline header ("PMH: HTN,
 * DM.") covers its own line and the list lines right under it ("- CAD", "2. CKD"): in a note without more headers
 * the next sentence is as often today's story as more history, so it is left in no section.
 */
export interface Section {
  name: string;
  start: number;
  end: number;
  header: { start: number; end: number };
}

const LIST_ITEM = /^(?:[-*•·]|\p{Nd}{1,2}[.)])\s/u;

/** Lowercase, single spaces, no trailing colon or dot: how headers are compared. */
const normalize = (s: string) => s.toLowerCase().replace(/\s+/g, " ").replace(/[\s:.]+$/, "").trim();

// A header is at most this long: a longer text before a colon is a sentence ("Pt states: ..."), not a header.
const MAX_HEADER = 60;

export class SectionRules {
  private readonly byHeader = new Map<string, { name: string }>();
  private readonly defaults = new Map<string, { traits: readonly TraitName[]; as: Record<string, readonly TraitName[]> }>();

  constructor(readonly file: SectionRulesFile) {
    for (const s of file.sections) {
      for (const h of s.headers) this.byHeader.set(normalize(h), { name: s.name });
      this.defaults.set(s.name, { traits: s.traits ?? [], as: s.as ?? {} });
    }
  }

  /** The default traits a section gives an entity of this label class (null: a label in no class). */
  traitsOf(name: string, labelClass: string | null): readonly TraitName[] {
    const d = this.defaults.get(name);
    if (!d) return [];
    return labelClass !== null && d.as[labelClass] ? d.as[labelClass] : d.traits;
  }

  /** The sections of `text`, in order; text before the first header, or after an inline header's lines, is in none. */
  find(text: string): Section[] {
    const out: Section[] = [];
    let open: (Section & { inline: boolean }) | null = null;
    const close = (end: number) => {
      if (open) out.push({ name: open.name, start: open.start, end, header: open.header });
      open = null;
    };
    let lastLineEnd = 0;
    const line = /[^\n\r\u2028\u2029]+/gu;
    for (let m = line.exec(text); m; m = line.exec(text)) {
      const lead = m[0].length - m[0].trimStart().length;
      const start = m.index + lead;
      const body = m[0].slice(lead).trimEnd();
      const colon = body.indexOf(":");
      // "Family History: mother with DM" (header before a colon) or "FAMILY HISTORY" alone on its line.
      const beforeColon = colon > 0 && colon <= MAX_HEADER ? body.slice(0, colon) : null;
      const known = (beforeColon !== null ? this.byHeader.get(normalize(beforeColon)) : undefined) ?? (body.length <= MAX_HEADER ? this.byHeader.get(normalize(body)) : undefined);
      if (known) {
        close(start);
        const inline = beforeColon !== null && normalize(beforeColon) !== normalize(body);
        open = { name: known.name, start, end: text.length, header: { start, end: inline ? start + colon + 1 : start + body.length }, inline };
      } else if (open && (open as { inline: boolean }).inline && !LIST_ITEM.test(body)) close(lastLineEnd);
      lastLineEnd = m.index + m[0].length;
    }
    close(text.length);
    return out;
  }
}

export function parseSectionRules(json: unknown, where: string): SectionRules {
  const parsed = SectionRulesSchema.safeParse(json);
  if (!parsed.success) throw new MednerError("E601", describeIssue(parsed.error, where));
  return new SectionRules(parsed.data);
}
