// Test helpers: notes with their entities marked inline, and the spec's value shapes written short.
import { medicationAttributes } from "./attributes.ts";
import { defaultMedicationRules } from "./default-rules.ts";
import type { Wall } from "./scan.ts";
import type { MedAttributeValue, MedTiming } from "./types.ts";

/** A note with drugs in [[ ]], DISEASE entities in {{ }} and other entities in <<label:words>>: the text and entities. */
export function marked(note: string): { text: string; entities: Wall[] } {
  const entities: Wall[] = [];
  let text = "";
  for (const part of note.split(/(\[\[[^\]]+\]\]|\{\{[^}]+\}\}|<<[^>]+>>)/)) {
    const m = /^\[\[(.+)\]\]$/.exec(part) ?? /^\{\{(.+)\}\}$/.exec(part) ?? /^<<([^:]+):(.+)>>$/.exec(part);
    if (!m) {
      text += part;
      continue;
    }
    const [label, words] = part.startsWith("[[") ? ["MEDICATION", m[1]!] : part.startsWith("{{") ? ["DISEASE", m[1]!] : [m[1]!, m[2]!];
    entities.push({ start: text.length, end: text.length + words.length, label });
    text += words;
  }
  return { text, entities };
}

export type Row = [type: string, text: string, value: unknown];

/** Each drug's attributes as [type, text, value], routes and forms by concept name only. */
export function attributesOf(note: string): Row[][] {
  const { text, entities } = marked(note);
  return medicationAttributes(text, entities, defaultMedicationRules()).flatMap((list) =>
    list ? [list.map((a): Row => [a.type, a.text, a.type === "ROUTE" || a.type === "FORM" ? { name: (a.value as { name: string }).name } : a.value])] : [],
  );
}

export const qty = (value: number, unit: string) => ({ value, unit });
export const range = (low: number, high: number, unit: string) => ({ low, high, unit });
export const timing = (frequency: number, period: number, periodUnit: MedTiming["periodUnit"], more: Partial<MedTiming> = {}): MedTiming => ({ frequency, period, periodUnit, ...more });
export const concept = (name: string) => ({ name });
export const PRN: MedAttributeValue = { asNeeded: true };
