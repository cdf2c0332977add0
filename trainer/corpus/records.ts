// Reads one annotated record in any of the JSON shapes people use for character-offset NER data:
// seed style {text|content, entities|annotations: [{start, end, label|tag_name}]}, spaCy/Prodigy {text, spans},
// doccano {text, label: [[s, e, l]]}, and spaCy v2 ["text", {"entities": [[s, e, l]]}].
import { z } from "zod";
import { TRAITS } from "../../core/context/index.ts";
import { MednerError, type AnnotatedSpan, type Doc } from "../../core/index.ts";
import { codePointToUtf16 } from "./offsets.ts";
import type { OffsetUnit, ReadProblem } from "./types.ts";

const offset = z.int().nonnegative();
const EntityObject = z
  .object({
    start: offset,
    end: offset,
    label: z.string().min(1).optional(),
    tag_name: z.string().min(1).optional(),
    text: z.string().optional(),
    /** Context traits (core/context): what the note says about the entity. */
    traits: z.array(z.enum(TRAITS)).optional(),
    /** A medication's attributes, with character offsets like the entity's. */
    attributes: z.array(z.object({ type: z.string().min(1), start: offset, end: offset, value: z.unknown().optional() })).optional(),
  })
  .refine((e) => e.label ?? e.tag_name, { message: "an entity needs a label (or tag_name)" });
const EntityTuple = z.tuple([offset, offset, z.string().min(1)]);
const Entities = z.array(z.union([EntityObject, EntityTuple]));

const RecordObject = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    text: z.string().optional(),
    content: z.string().optional(),
    entities: Entities.optional(),
    annotations: Entities.optional(),
    spans: Entities.optional(),
    label: Entities.optional(),
    source: z.string().optional(),
    /** Prodigy's verdict: "reject" and "ignore" mark examples that are not gold. */
    answer: z.enum(["accept", "reject", "ignore"]).optional(),
  })
  .refine((r) => typeof (r.text ?? r.content) === "string", { message: 'a record needs "text" (or "content")' });
const RecordTuple = z.tuple([z.string(), z.object({ entities: Entities })]);

function fail(where: string, issue: z.core.$ZodIssue): never {
  const path = issue.path.length ? ` at ${issue.path.join(".")}` : "";
  throw new MednerError("E201", `${where}${path}: ${issue.message}`);
}

/** An entity's traits and attributes, offsets converted like the entity's; each attribute must lie inside the text. */
function annotationsOf(e: z.infer<typeof EntityObject>, i: number, where: string, text: string, toUtf16: (o: number) => number): Pick<AnnotatedSpan, "traits" | "attributes"> {
  const attributes = e.attributes?.map((a, j) => {
    const start = toUtf16(a.start);
    const end = toUtf16(a.end);
    if (!(start < end && end <= text.length)) throw new MednerError("E201", `${where}: entity ${i} attribute ${j} (${a.type} ${a.start}–${a.end}) is empty or outside the text (length ${text.length})`);
    return { type: a.type, start, end, ...(a.value !== undefined ? { value: a.value } : {}) };
  });
  return { ...(e.traits?.length ? { traits: [...e.traits] } : {}), ...(attributes?.length ? { attributes } : {}) };
}

/**
 * One record → a Doc, or what was skipped: a record the annotator rejected or ignored (Prodigy's "answer"). `where`
 * names the file and record (or line) for messages, which never quote the text: it is patient text.
 */
export function recordToDoc(value: unknown, where: string, fallbackId: string, unit: OffsetUnit = "utf16"): { doc: Doc } | { skipped: ReadProblem } {
  let text: string;
  let raw: z.infer<typeof Entities>;
  let id = fallbackId;
  let source: string | undefined;
  if (Array.isArray(value)) {
    const r = RecordTuple.safeParse(value);
    if (!r.success) fail(where, r.error.issues[0]!);
    [text, { entities: raw }] = r.data;
  } else {
    const r = RecordObject.safeParse(value);
    if (!r.success) fail(where, r.error.issues[0]!);
    text = (r.data.text ?? r.data.content)!;
    raw = r.data.entities ?? r.data.annotations ?? r.data.spans ?? r.data.label ?? [];
    if (r.data.id !== undefined) id = String(r.data.id);
    source = r.data.source;
    if (r.data.answer === "reject" || r.data.answer === "ignore")
      return { skipped: { kind: "rejected", where, message: `${where}: answer "${r.data.answer}"; skipped` } };
  }
  const toUtf16 = unit === "codepoint" ? codePointToUtf16(text) : (o: number) => o;
  const entities: AnnotatedSpan[] = raw.map((e, i) => {
    const [s, t, label, quoted] = Array.isArray(e) ? [e[0], e[1], e[2], undefined] : [e.start, e.end, (e.label ?? e.tag_name)!, e.text];
    const extra = Array.isArray(e) ? {} : annotationsOf(e, i, where, text, toUtf16);
    const start = toUtf16(s);
    const end = toUtf16(t);
    if (!(start < end && end <= text.length))
      throw new MednerError("E201", `${where}: entity ${i} (${label} ${s}–${t}) is empty or outside the text (length ${text.length})`);
    if (quoted !== undefined && text.slice(start, end) !== quoted)
      throw new MednerError("E201", `${where}: entity ${i} (${label} ${s}–${t}): its "text" differs from the text at these offsets${unit === "utf16" && /[\uD800-\uDFFF]/.test(text) ? " (code-point offsets? pass --offsets codepoint)" : ""}`);
    return { start, end, label, ...extra };
  });
  return { doc: { id, text, entities, ...(source ? { meta: { source } } : {}) } };
}
