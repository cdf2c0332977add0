import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contextOf, parseContextRules, parseSectionRules, withContext, type EntityTrait } from "./index.ts";
import { defaultContextRules } from "./default-rules.ts";

const rules = defaultContextRules();

/** Marks `[[...]]` in a note: the note without brackets and the marked spans. */
function marked(note: string): { text: string; spans: Array<{ start: number; end: number; word: string }> } {
  const spans: Array<{ start: number; end: number; word: string }> = [];
  let text = "";
  for (const part of note.split(/(\[\[[^\]]+\]\])/)) {
    if (part.startsWith("[[")) {
      const word = part.slice(2, -2);
      spans.push({ start: text.length, end: text.length + word.length, word });
      text += word;
    } else text += part;
  }
  return { text, spans };
}

const traitsOf = (note: string) => {
  const { text, spans } = marked(note);
  return contextOf(text, spans, rules).entities.map((e) => e.traits.map((t) => t.name).join("+") || "-");
};

// Each row: a note with entities in [[ ]], and each entity's traits in order ("-" = affirmed, present, the patient's).
const TABLE: Array<[string, string, string[]]> = [
  // negated
  ["cue before", "Pt denies [[chest pain]].", ["negated"]],
  ["no + list", "No [[fever]], [[chills]] or [[rash]].", ["negated", "negated", "negated"]],
  ["without", "Ambulating w/o [[dyspnea]] on 2L.", ["negated"]],
  ["negative for", "ROS negative for [[headache]] and [[vision changes]].", ["negated", "negated"]],
  ["cue after", "[[PE]] was ruled out by CTA.", ["negated"]],
  ["cue after, colon", "[[Chest pain]]: denies.", ["negated"]],
  ["scope ends at but", "No [[fever]] but [[cough]] for 3 days.", ["negated", "-"]],
  ["scope ends at the sentence", "No [[fever]]. [[Cough]] for 3 days.", ["negated", "-"]],
  ["scope ends at a line break", "Denies [[nausea]]\n[[Vomiting]] x2 today", ["negated", "-"]],
  ["scope ends at a period before a lowercase word", "Not on [[aspirin]]. s/p [[CABG]].", ["negated", "historical"]],
  ["scope ends at presents with", "No [[fever]]; presents with [[cough]].", ["negated", "-"]],
  ["pseudo: no increase", "No increase in [[edema]].", ["-"]],
  ["pseudo: gram negative", "Blood cx with gram negative [[bacteremia]].", ["-"]],
  ["pseudo: not only", "Not only [[anemia]] but also [[thrombocytopenia]].", ["-", "-"]],
  ["medication not taken", "Pt declined [[statin]] therapy.", ["negated"]],
  ["medication not on", "Not on [[anticoagulation]].", ["negated"]],
  ["no history of is negated, not historical", "No history of [[MI]].", ["negated"]],
  // uncertain
  ["possible", "Possible [[pneumonia]].", ["uncertain"]],
  ["rule out", "Admit to r/o [[ACS]].", ["uncertain"]],
  ["double negation: not ruled out", "[[PE]] not ruled out.", ["uncertain"]],
  ["cannot exclude", "Cannot exclude [[small bowel obstruction]].", ["uncertain"]],
  ["question mark after", "[[Pneumonia]]?", ["uncertain"]],
  ["versus, both sides", "[[Pneumonia]] vs [[atelectasis]].", ["uncertain", "uncertain"]],
  ["consistent with is affirmed", "CXR consistent with [[pneumonia]].", ["-"]],
  // historical
  ["history of", "History of [[MI]].", ["historical"]],
  ["s/p", "s/p [[CABG]] in 2019.", ["historical"]],
  ["h/o list ends at p/w", "72 y/o M w/ h/o [[HTN]] and [[gout]] p/w [[SOB]].", ["historical", "historical", "-"]],
  ["resolved after", "[[Rash]] has resolved.", ["historical"]],
  ["discontinued", "[[Lisinopril]] was discontinued for [[cough]].", ["historical", "-"]],
  ["years ago", "[[Stroke]] 5 years ago.", ["historical"]],
  ["since a year is current", "[[T1DM]] since 2010.", ["-"]],
  // hypothetical
  ["return if", "Return if [[chest pain]] recurs.", ["hypothetical"]],
  ["should develop", "Call if she should develop [[fever]].", ["hypothetical"]],
  ["prophylaxis after", "[[DVT]] prophylaxis with heparin.", ["hypothetical"]],
  ["risk of", "Counseled on risk of [[bleeding]].", ["hypothetical"]],
  // family
  ["mother had", "Mother had [[breast cancer]].", ["family"]],
  ["in father", "[[Colon cancer]] in his father.", ["family"]],
  ["family ends at patient", "Mother with [[DM]]; pt with [[HTN]].", ["family", "-"]],
  ["family and negated", "Family history negative for [[colon cancer]].", ["negated+family"]],
  ["family and historical", "Father had [[MI]] at age 50, s/p [[CABG]].", ["family", "historical+family"]],
  // the note
  ["the issue's note", "Pt denies [[chest pain]]. Mother had [[breast cancer]]. History of [[MI]].", ["negated", "family", "historical"]],
];

describe("traits", () => {
  it.each(TABLE)("%s", (_name, note, expected) => {
    expect(traitsOf(note)).toEqual(expected);
  });

  it("points at the cue that set each trait, in characters of the note", () => {
    const { text, spans } = marked("Pt denies [[chest pain]]. Mother had [[breast cancer]].");
    const [pain, cancer] = contextOf(text, spans, rules).entities;
    const cueText = (t: EntityTrait) => text.slice(t.cue!.start, t.cue!.end);
    expect(pain!.traits.map(cueText)).toEqual(["Pt denies"]);
    expect(cancer!.traits.map(cueText)).toEqual(["Mother had"]);
    expect(cancer!.traits[0]!.relationship).toBe("mother");
  });

  it("takes the nearest cue of a trait", () => {
    const { text, spans } = marked("No fever. Denies cough, no [[rash]].");
    const [rash] = contextOf(text, spans, rules).entities;
    expect(text.slice(rash!.traits[0]!.cue!.start, rash!.traits[0]!.cue!.end)).toBe("no");
  });

  it("stops a scope after maxScope tokens", () => {
    const small = parseContextRules({ name: "t", version: "1", notice: "", scores: { negated: 0.9 }, rules: [{ trait: "negated", direction: "forward", maxScope: 2, cues: ["no"] }] }, "test");
    const { text, spans } = marked("no [[a]] b [[c]]");
    expect(contextOf(text, spans, { ...rules, cues: small }).entities.map((e) => e.traits.length)).toEqual([1, 0]);
  });
});

describe("sections", () => {
  const note = [
    "CC: chest pain",
    "PAST MEDICAL HISTORY:",
    "1. [[HTN]]",
    "2. [[DM2]]",
    "Family History: [[colon cancer]] in father",
    "HPI: 60M w/ [[chest pain]] since this morning.",
    "[[Nausea]] as well.",
    "PMH: [[CAD]].",
    "Presents with [[SOB]].",
  ].join("\n");

  it("finds headers inline and alone on their line, with offsets", () => {
    const { text, spans } = marked(note);
    const { sections } = contextOf(text, spans, rules);
    expect(sections.map((s) => [s.name, text.slice(s.header.start, s.header.end)])).toEqual([
      ["chief_complaint", "CC:"],
      ["past_medical_history", "PAST MEDICAL HISTORY:"],
      ["family_history", "Family History:"],
      ["history_of_present_illness", "HPI:"],
      ["past_medical_history", "PMH:"],
    ]);
  });

  it("gives each entity its section and the section's default traits", () => {
    const { text, spans } = marked(note);
    const found = contextOf(text, spans, rules).entities;
    expect(found.map((e) => e.section)).toEqual(["past_medical_history", "past_medical_history", "family_history", "history_of_present_illness", null, "past_medical_history", null]);
    expect(found.map((e) => e.traits.map((t) => t.name).join("+") || "-")).toEqual(["historical", "historical", "family", "-", "-", "historical", "-"]);
    // The family trait comes from the cue "in father" (more precise than the section), the HTN one from the section.
    expect(found[2]!.traits[0]).toMatchObject({ name: "family", relationship: "father" });
    expect(found[0]!.traits[0]).toMatchObject({ name: "historical", section: "past_medical_history" });
  });

  it("does not read a header's words as a cue", () => {
    expect(traitsOf("History of Present Illness: [[cough]] x3 days.")).toEqual(["-"]);
  });
});

describe("rules files", () => {
  it("refuse a malformed rule with its place", () => {
    expect(() => parseContextRules({ name: "t", version: "1", notice: "", scores: {}, rules: [{ trait: "sad", direction: "forward", cues: ["x"] }] }, "my-rules.json")).toThrow(/E601: my-rules.json: rules.0.trait/);
    expect(() => parseSectionRules({ name: "t", version: "1", notice: "", score: 2, sections: [] }, "s.json")).toThrow(/E601: s.json: score/);
  });
});

describe("on any text", () => {
  it("never throws, keeps cues inside the text and one answer per span", () => {
    const words = ["no", "denies", "history", "of", "mother", "possible", "if", "but", "pain", "\n", "PMH:", "?", ".", ",", "s/p", "vs", "ruled", "out", "é", "😀"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }), (ws, raw) => {
        const text = ws.join(" ");
        const spans = raw.map(([a, b]) => ({ start: Math.min(a, b) % (text.length + 1), end: Math.max(a, b) % (text.length + 1) })).map((s) => ({ start: Math.min(s.start, s.end), end: Math.max(s.start, s.end) }));
        const out = withContext(text, spans, rules);
        expect(out).toHaveLength(spans.length);
        for (const e of out) for (const t of e.traits) if (t.cue) expect(t.cue.start >= 0 && t.cue.end <= text.length && t.cue.start < t.cue.end).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
