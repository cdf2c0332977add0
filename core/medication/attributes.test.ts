import { describe, expect, it } from "vitest";
import { medicationAttributes, withAttributes } from "./attributes.ts";
import { defaultMedicationRules } from "./default-rules.ts";
import { attributesOf, concept, marked, PRN, qty, range, timing, type Row } from "./test-helpers.ts";

// Each row: a sig with drugs in [[ ]] and DISEASE entities in {{ }}, and each drug's attributes in order — written from
// the spec (/tmp/plan/med-spec.md), not from the extractor's output.
const TYPES: Array<[string, string, Row[][]]> = [
  // STRENGTH: number + mass, percent or concentration unit
  ["strength glued", "[[aspirin]] 81mg", [[["STRENGTH", "81mg", qty(81, "mg")]]]],
  ["strength percent", "[[hydrocortisone]] 0.5% ointment", [[["STRENGTH", "0.5%", qty(0.5, "%")], ["FORM", "ointment", concept("ointment")]]]],
  ["strength concentration", "[[lidocaine]] 10 mg/mL", [[["STRENGTH", "10 mg/mL", qty(10, "mg/mL")]]]],
  ["strength grams", "[[vancomycin]] 1 g IV q12h", [[["STRENGTH", "1 g", qty(1, "g")], ["ROUTE", "IV", concept("intravenous")], ["FREQUENCY", "q12h", timing(1, 12, "h")]]]],
  ["strength mEq", "[[KCl]] 20 mEq PO x1", [[["STRENGTH", "20 mEq", qty(20, "meq")], ["ROUTE", "PO", concept("oral")], ["FREQUENCY", "x1", { count: 1 }]]]],
  ["strength mcg", "[[levothyroxine]] 50 mcg daily", [[["STRENGTH", "50 mcg", qty(50, "ug")], ["FREQUENCY", "daily", timing(1, 1, "d")]]]],
  ["two strengths of one product: the span, no value", "[[Augmentin]] 875-125 mg BID", [[["STRENGTH", "875-125 mg", null], ["FREQUENCY", "BID", timing(2, 1, "d")]]]],
  ["two strengths with a slash", "[[Percocet]] 5/325 mg q6h", [[["STRENGTH", "5/325 mg", null], ["FREQUENCY", "q6h", timing(1, 6, "h")]]]],
  ["strength range", "[[oxycodone]] 5-10 mg q4h prn", [[["STRENGTH", "5-10 mg", range(5, 10, "mg")], ["FREQUENCY", "q4h", timing(1, 4, "h")], ["AS_NEEDED", "prn", PRN]]]],
  // DOSE: countable forms, units, liquid volume
  ["dose tablets", "[[metformin]] 2 tablets BID", [[["DOSE", "2 tablets", qty(2, "{tablet}")], ["FREQUENCY", "BID", timing(2, 1, "d")]]]],
  ["dose tab", "[[Tylenol]] 1 tab PO", [[["DOSE", "1 tab", qty(1, "{tablet}")], ["ROUTE", "PO", concept("oral")]]]],
  ["dose units", "[[insulin glargine]] 10 units SC qhs", [[["DOSE", "10 units", qty(10, "[iU]")], ["ROUTE", "SC", concept("subcutaneous")], ["FREQUENCY", "qhs", timing(1, 1, "d", { when: ["HS"] })]]]],
  ["dose mL", "[[lactulose]] 30 mL PO TID", [[["DOSE", "30 mL", qty(30, "mL")], ["ROUTE", "PO", concept("oral")], ["FREQUENCY", "TID", timing(3, 1, "d")]]]],
  ["dose cc is mL", "[[Maalox]] 15 cc", [[["DOSE", "15 cc", qty(15, "mL")]]]],
  ["dose puff range", "[[albuterol]] 1-2 puffs inhaled q4-6h prn", [[["DOSE", "1-2 puffs", range(1, 2, "{puff}")], ["ROUTE", "inhaled", concept("inhalation")], ["FREQUENCY", "q4-6h", timing(1, 4, "h", { periodMax: 6 })], ["AS_NEEDED", "prn", PRN]]]],
  ["dose spelled", "[[amoxicillin]] one capsule TID", [[["DOSE", "one capsule", qty(1, "{capsule}")], ["FREQUENCY", "TID", timing(3, 1, "d")]]]],
  ["dose gtts", "[[timolol]] 0.5% 2 gtts OU BID", [[["STRENGTH", "0.5%", qty(0.5, "%")], ["DOSE", "2 gtts", qty(2, "[drp]")], ["ROUTE", "OU", concept("ophthalmic")], ["FREQUENCY", "BID", timing(2, 1, "d")]]]],
  ["dose half", "[[metoprolol]] 1/2 tab BID", [[["DOSE", "1/2 tab", qty(0.5, "{tablet}")], ["FREQUENCY", "BID", timing(2, 1, "d")]]]],
  ["dose IU", "[[vitamin D]] 1000 IU daily", [[["DOSE", "1000 IU", qty(1000, "[iU]")], ["FREQUENCY", "daily", timing(1, 1, "d")]]]],
  ["dose half a", "[[spironolactone]] 25 mg: take half a tablet by mouth", [[["STRENGTH", "25 mg", qty(25, "mg")], ["DOSE", "half a tablet", qty(0.5, "{tablet}")], ["ROUTE", "by mouth", concept("oral")]]]],
  ["strength per puff", "[[albuterol]] 90 mcg/puff", [[["STRENGTH", "90 mcg/puff", qty(90, "ug/{puff}")]]]],
  ["strength with its unit left out", "[[Melatonin]] 5 qhs", [[["STRENGTH", "5", qty(5, "mg")], ["FREQUENCY", "qhs", timing(1, 1, "d", { when: ["HS"] })]]]],
  ["a bare number not before a route or frequency is nothing", "[[aspirin]] 325 and [[ticagrelor]] 180", [[], []]],
  // DURATION: the x / for belongs to the span
  ["duration x days", "[[cephalexin]] 500 mg QID x 7 days", [[["STRENGTH", "500 mg", qty(500, "mg")], ["FREQUENCY", "QID", timing(4, 1, "d")], ["DURATION", "x 7 days", qty(7, "d")]]]],
  ["duration glued", "[[Bactrim]] BID x7d", [[["FREQUENCY", "BID", timing(2, 1, "d")], ["DURATION", "x7d", qty(7, "d")]]]],
  ["duration for weeks", "[[fluconazole]] weekly for 2 weeks", [[["FREQUENCY", "weekly", timing(1, 1, "wk")], ["DURATION", "for 2 weeks", qty(2, "wk")]]]],
  ["duration for days", "[[azithromycin]] daily for 10 days", [[["FREQUENCY", "daily", timing(1, 1, "d")], ["DURATION", "for 10 days", qty(10, "d")]]]],
  ["duration months", "[[Brilinta]] 90 mg BID x12 months", [[["STRENGTH", "90 mg", qty(90, "mg")], ["FREQUENCY", "BID", timing(2, 1, "d")], ["DURATION", "x12 months", qty(12, "mo")]]]],
  // FORM: a noun after the drug, not part of a dose
  ["form tablet", "[[metformin]] ER 500 mg tablet", [[["FORM", "ER", concept("extended-release")], ["STRENGTH", "500 mg", qty(500, "mg")], ["FORM", "tablet", concept("tablet")]]]],
  ["form XL", "[[Toprol]] XL 50 mg", [[["FORM", "XL", concept("extended-release")], ["STRENGTH", "50 mg", qty(50, "mg")]]]],
  ["form patch and route", "[[nicotine]] 21 mg transdermal patch daily", [[["STRENGTH", "21 mg", qty(21, "mg")], ["ROUTE", "transdermal", concept("transdermal")], ["FORM", "patch", concept("patch")], ["FREQUENCY", "daily", timing(1, 1, "d")]]]],
  ["form inhaler", "[[Symbicort]] inhaler 2 puffs BID", [[["FORM", "inhaler", concept("inhaler")], ["DOSE", "2 puffs", qty(2, "{puff}")], ["FREQUENCY", "BID", timing(2, 1, "d")]]]],
  ["form cream", "[[triamcinolone]] 0.1% cream topically BID", [[["STRENGTH", "0.1%", qty(0.1, "%")], ["FORM", "cream", concept("cream")], ["ROUTE", "topically", concept("topical")], ["FREQUENCY", "BID", timing(2, 1, "d")]]]],
  ["form solution", "[[KCl]] 10% solution", [[["STRENGTH", "10%", qty(10, "%")], ["FORM", "solution", concept("solution")]]]],
  ["form capsule", "[[omeprazole]] 20 mg capsule", [[["STRENGTH", "20 mg", qty(20, "mg")], ["FORM", "capsule", concept("capsule")]]]],
  ["patch strength, not a rate", "Apply 1 patch of [[buprenorphine]] 10 mcg/hr transdermally", [[["DOSE", "1 patch", qty(1, "{patch}")], ["STRENGTH", "10 mcg/hr", qty(10, "ug/h")], ["ROUTE", "transdermally", concept("transdermal")]]]],
  // RATE: infusion rates, without the "at"
  ["rate mL/h", "[[NS]] at 100 mL/h", [[["RATE", "100 mL/h", qty(100, "mL/h")]]]],
  ["rate units/hr", "[[heparin]] drip at 5 units/hr", [[["RATE", "5 units/hr", qty(5, "[iU]/h")]]]],
  ["rate weight-based", "[[norepinephrine]] 2 mcg/kg/min", [[["RATE", "2 mcg/kg/min", qty(2, "ug/kg/min")]]]],
  // AS_NEEDED and REASON
  ["prn reason words", "[[ibuprofen]] 600 mg q6h PRN pain", [[["STRENGTH", "600 mg", qty(600, "mg")], ["FREQUENCY", "q6h", timing(1, 6, "h")], ["AS_NEEDED", "PRN", PRN], ["REASON", "pain", null]]]],
  ["as needed for", "[[Zofran]] 4 mg q8h as needed for nausea", [[["STRENGTH", "4 mg", qty(4, "mg")], ["FREQUENCY", "q8h", timing(1, 8, "h")], ["AS_NEEDED", "as needed", PRN], ["REASON", "nausea", null]]]],
  ["for reason words", "[[trazodone]] 50 mg qhs for sleep", [[["STRENGTH", "50 mg", qty(50, "mg")], ["FREQUENCY", "qhs", timing(1, 1, "d", { when: ["HS"] })], ["REASON", "sleep", null]]]],
  ["severity stays out of the reason", "[[morphine]] q3h PRN severe pain", [[["FREQUENCY", "q3h", timing(1, 3, "h")], ["AS_NEEDED", "PRN", PRN], ["REASON", "pain", null]]]],
  ["a threshold stays in", "[[Ativan]] q6h prn CIWA > 10", [[["FREQUENCY", "q6h", timing(1, 6, "h")], ["AS_NEEDED", "prn", PRN], ["REASON", "CIWA > 10", null]]]],
  ["reason stops at a comma", "[[Tylenol]] 650 mg q6h prn fever or pain, max 4 g/day", [[["STRENGTH", "650 mg", qty(650, "mg")], ["FREQUENCY", "q6h", timing(1, 6, "h")], ["AS_NEEDED", "prn", PRN], ["REASON", "fever or pain", null]]]],
];

const ROUTES: Array<[string, string]> = [
  ["PO", "oral"], ["by mouth", "oral"], ["orally", "oral"], ["p.o.", "oral"], ["IV", "intravenous"], ["IM", "intramuscular"], ["SC", "subcutaneous"],
  ["SQ", "subcutaneous"], ["subcut", "subcutaneous"], ["SL", "sublingual"], ["inhaled", "inhalation"], ["via nebulizer", "inhalation"],
  ["topically", "topical"], ["PR", "rectal"], ["per rectum", "rectal"], ["transdermal", "transdermal"], ["intranasal", "nasal"],
  ["in each eye", "ophthalmic"], ["OU", "ophthalmic"], ["OD", "ophthalmic"], ["OS", "ophthalmic"], ["per NG tube", "enteral-tube"], ["into the skin", "subcutaneous"],
  ["vaginally", "vaginal"], ["buccal", "buccal"], ["intrathecal", "intrathecal"], ["in each ear", "otic"],
];

describe("medication attributes, per type", () => {
  it.each(TYPES)("%s: %s", (_name, note, expected) => {
    expect(attributesOf(note)).toEqual(expected);
  });

  it.each(ROUTES)("route %s → %s", (words, name) => {
    expect(attributesOf(`[[drug]] 1 tab ${words} daily`)).toEqual([[["DOSE", "1 tab", qty(1, "{tablet}")], ["ROUTE", words, concept(name)], ["FREQUENCY", "daily", timing(1, 1, "d")]]]);
  });

  it("codes routes in SNOMED CT with the R4 route-codes display", () => {
    const { text, entities } = marked("[[metformin]] 500 mg PO BID");
    const route = medicationAttributes(text, entities)[0]!.find((a) => a.type === "ROUTE")!;
    expect(route.value).toEqual({ name: "oral", system: "http://snomed.info/sct", code: "26643006", display: "Oral use" });
  });

  it("reads spelled numbers, and a number repeated in parentheses", () => {
    expect(attributesOf("[[oxycodone]] Take two (2) tablets every six hours for ten days")).toEqual([[["DOSE", "two (2) tablets", qty(2, "{tablet}")], ["FREQUENCY", "every six hours", timing(1, 6, "h")], ["DURATION", "for ten days", qty(10, "d")]]]);
    expect(attributesOf("[[prednisone]] one-half tablet three times daily")).toEqual([[["DOSE", "one-half tablet", qty(0.5, "{tablet}")], ["FREQUENCY", "three times daily", timing(3, 1, "d")]]]);
    expect(attributesOf("[[ibuprofen]] 1 tab every 6 (six) hours")).toEqual([[["DOSE", "1 tab", qty(1, "{tablet}")], ["FREQUENCY", "every 6 (six) hours", timing(1, 6, "h")]]]);
  });

  it("gives exact offsets", () => {
    const text = "Pt on metformin 500mg b.i.d. x 30 days";
    const [attrs] = medicationAttributes(text, [{ start: 6, end: 15, label: "MEDICATION" }]);
    expect(attrs!.map((a) => [a.start, a.end, a.text])).toEqual([[16, 21, "500mg"], [22, 28, "b.i.d."], [29, 38, "x 30 days"]]);
    for (const a of attrs!) expect(text.slice(a.start, a.end)).toBe(a.text);
  });

  it("scores each type by its documented constant", () => {
    const { text, entities } = marked("[[ibuprofen]] 600 mg PO q6h prn pain x 5 days");
    const scores = defaultMedicationRules().grammar.scores;
    const found = medicationAttributes(text, entities)[0]!;
    for (const a of found) expect(a.score).toBe(a.type === "REASON" ? scores.reasonUnlinked : scores[a.type]);
  });
});

describe("which drug an attribute belongs to", () => {
  it("a list: the frequency after the second drug is the second drug's only", () => {
    expect(attributesOf("[[lisinopril]] 10 mg and [[metoprolol]] 25 mg BID")).toEqual([[["STRENGTH", "10 mg", qty(10, "mg")]], [["STRENGTH", "25 mg", qty(25, "mg")], ["FREQUENCY", "BID", timing(2, 1, "d")]]]);
  });

  it("a taper: every step stays with its drug", () => {
    expect(attributesOf("[[prednisone]] 20 mg daily x3 days then 10 mg daily x3 days")).toEqual([[
      ["STRENGTH", "20 mg", qty(20, "mg")], ["FREQUENCY", "daily", timing(1, 1, "d")], ["DURATION", "x3 days", qty(3, "d")],
      ["STRENGTH", "10 mg", qty(10, "mg")], ["FREQUENCY", "daily", timing(1, 1, "d")], ["DURATION", "x3 days", qty(3, "d")],
    ]]);
  });

  it("attributes before the first drug belong to the first drug on their right", () => {
    expect(attributesOf("Take 2 tablets of [[ibuprofen]] q4-6h prn")).toEqual([[["DOSE", "2 tablets", qty(2, "{tablet}")], ["FREQUENCY", "q4-6h", timing(1, 4, "h", { periodMax: 6 })], ["AS_NEEDED", "prn", PRN]]]);
  });

  it("a line break ends the sig; a line without a drug gives nothing", () => {
    expect(attributesOf("[[aspirin]] 81 mg\ndaily x 7 days")).toEqual([[["STRENGTH", "81 mg", qty(81, "mg")]]]);
  });

  it("three drugs on one line, each with its own sig", () => {
    expect(attributesOf("[[oxycodone]] 5 mg q4h prn x 3 days, [[ibuprofen]] 600 mg q6h prn, [[Colace]] 100 mg BID")).toEqual([
      [["STRENGTH", "5 mg", qty(5, "mg")], ["FREQUENCY", "q4h", timing(1, 4, "h")], ["AS_NEEDED", "prn", PRN], ["DURATION", "x 3 days", qty(3, "d")]],
      [["STRENGTH", "600 mg", qty(600, "mg")], ["FREQUENCY", "q6h", timing(1, 6, "h")], ["AS_NEEDED", "prn", PRN]],
      [["STRENGTH", "100 mg", qty(100, "mg")], ["FREQUENCY", "BID", timing(2, 1, "d")]],
    ]);
  });

  it("a number far from any drug is nobody's", () => {
    expect(attributesOf("[[aspirin]] was held today since the platelet count fell to 40 mg")).toEqual([[]]);
  });
});

describe("reasons", () => {
  it("link to the DISEASE entity they name", () => {
    const note = "[[metformin]] 500 mg PO BID x 30 days for {{T2DM}}";
    const { text } = marked(note);
    const start = text.indexOf("T2DM");
    expect(attributesOf(note)[0]!.at(-1)).toEqual(["REASON", "T2DM", { condition: { start, end: start + 4 } }]);
  });

  it("prn + a DISEASE entity of several words", () => {
    const note = "[[NTG]] 0.4 mg SL q5min prn {{chest pain}}, max 3 doses";
    const { text } = marked(note);
    const start = text.indexOf("chest pain");
    expect(attributesOf(note)).toEqual([[
      ["STRENGTH", "0.4 mg", qty(0.4, "mg")], ["ROUTE", "SL", concept("sublingual")], ["FREQUENCY", "q5min", timing(1, 5, "min")],
      ["AS_NEEDED", "prn", PRN], ["REASON", "chest pain", { condition: { start, end: start + 10 } }],
    ]]);
  });

  it("a hold parameter is not an indication", () => {
    expect(attributesOf("[[lisinopril]] 10 mg daily, hold for SBP < 100")).toEqual([[["STRENGTH", "10 mg", qty(10, "mg")], ["FREQUENCY", "daily", timing(1, 1, "d")]]]);
  });

  it("a for before any drug is not a reason", () => {
    expect(attributesOf("Admitted for {{pneumonia}}, on [[ceftriaxone]] 1 g IV daily")).toEqual([[["STRENGTH", "1 g", qty(1, "g")], ["ROUTE", "IV", concept("intravenous")], ["FREQUENCY", "daily", timing(1, 1, "d")]]]);
  });
});

describe("limits and walls", () => {
  it("drops the numbers after max / not to exceed / dispense up to the clause's end", () => {
    expect(attributesOf("[[Tylenol]] 650 mg q6h prn, not to exceed 4 g/day")).toEqual([[["STRENGTH", "650 mg", qty(650, "mg")], ["FREQUENCY", "q6h", timing(1, 6, "h")], ["AS_NEEDED", "prn", PRN]]]);
    expect(attributesOf("[[amoxicillin]] 500 mg TID. Disp: 30 capsules, 0 refills")).toEqual([[["STRENGTH", "500 mg", qty(500, "mg")], ["FREQUENCY", "TID", timing(3, 1, "d")]]]);
  });

  it("never covers an entity: a strength inside the drug's own span is not an attribute", () => {
    const text = "Tylenol 500 mg PO q6h";
    const [attrs] = medicationAttributes(text, [{ start: 0, end: 14, label: "MEDICATION" }]);
    expect(attrs!.map((a) => a.text)).toEqual(["PO", "q6h"]);
  });

  it("an entity of only spaces parts the tokens around it: no attribute, and no reason's threshold, reads across it", () => {
    const text = "Norco prn pain > 1 - 2 tabs";
    const found = medicationAttributes(text, [{ start: 0, end: 5, label: "MEDICATION" }, { start: 20, end: 21, label: "Sign_symptom" }])[0]!;
    expect(found.map((a) => [a.type, a.text, a.value])).toEqual([["AS_NEEDED", "prn", PRN], ["REASON", "pain > 1", null], ["DOSE", "2 tabs", qty(2, "{tablet}")]]);
  });

  it("two timings joined across an entity stay apart", () => {
    const text = "Cytotec 200 mcg QID pc and hs";
    const found = medicationAttributes(text, [{ start: 0, end: 7, label: "MEDICATION" }, { start: 23, end: 26, label: "TREATMENT" }])[0]!;
    expect(found.map((a) => a.text)).toEqual(["200 mcg", "QID pc", "hs"]);
  });

  it("reads ER as a form only right after the drug", () => {
    expect(attributesOf("Seen in ER, started [[metformin]] 500 mg")).toEqual([[["STRENGTH", "500 mg", qty(500, "mg")]]]);
  });

  it("adds only MEDICATION entities' attributes; other entities get none", () => {
    const { text, entities } = marked("{{HTN}} on [[lisinopril]] 10 mg");
    expect(medicationAttributes(text, entities).map((a) => a?.length)).toEqual([undefined, 1]);
    expect(withAttributes(text, entities)).toEqual([entities[0], { ...entities[1], attributes: expect.any(Array) }]);
  });
});

describe("the transformer's entities as evidence", () => {
  it("a Frequency or Dosage span the grammar does not read becomes a candidate with no value", () => {
    const { text, entities } = marked("[[Lasix]] 40 mg <<Frequency:as directed>>, [[Eucerin]] <<Dosage:a thin layer>>");
    const [lasix, , eucerin] = medicationAttributes(text, entities);
    const evidence = defaultMedicationRules().grammar.scores.evidence;
    expect(lasix!.at(-1)).toMatchObject({ type: "FREQUENCY", text: "as directed", value: null, score: evidence });
    expect(eucerin).toMatchObject([{ type: "DOSE", text: "a thin layer", value: null, score: evidence }]);
  });

  it("an evidence span that runs past the end of its sentence is not a candidate", () => {
    const text = "Lasix 40 mg as directed. Then rest";
    expect(medicationAttributes(text, [{ start: 0, end: 5, label: "MEDICATION" }, { start: 12, end: 29, label: "Dosage" }])[0]!.map((a) => a.text)).toEqual(["40 mg"]);
  });

  it("where the grammar reads the span, the grammar's attribute wins", () => {
    expect(attributesOf("[[Lasix]] 40 mg <<Frequency:BID>> <<Administration:PO>>")).toEqual([[["STRENGTH", "40 mg", qty(40, "mg")], ["FREQUENCY", "BID", timing(2, 1, "d")], ["ROUTE", "PO", concept("oral")]]]);
  });
});
