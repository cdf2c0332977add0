import { describe, expect, it } from "vitest";
import type { ScoredEntity } from "./decode.ts";
import { applyDocumentRules, isShortForm } from "./document-rules.ts";

/** The entity over the `n`-th occurrence (0-based) of `s` in `text`. */
function at(text: string, s: string, label: string, score = 0.9, n = 0): ScoredEntity {
  let start = text.indexOf(s);
  for (let i = 0; i < n; i++) start = text.indexOf(s, start + 1);
  if (start < 0) throw new Error(`${s} not in text`);
  return { start, end: start + s.length, label, text: s, score };
}
const spans = (es: readonly ScoredEntity[]) => es.map((e) => [e.text, e.label, e.start]);

describe("isShortForm", () => {
  it("takes capitalised short forms and leaves words, numbers and units alone", () => {
    for (const s of ["ACEi", "ASA", "5-FU", "NaCl", "HbA1c", "MIs", "L-NAME", "COPD", "HIV-AIDS", "5-HTS"]) expect(isShortForm(s), s).toBe(true);
    for (const s of ["n", "p", "mg", "aspirin", "Aspirin", "12", "ACEINHIBITORS", "n=5", "A-", "-AB", "AB-"]) expect(isShortForm(s), s).toBe(false);
  });
});

describe("applyDocumentRules", () => {
  it("labels a short form defined after an entity, in the parentheses and everywhere after, with its score", () => {
    const text = "Started angiotensin converting enzyme inhibitors (ACEi) in 2019. ACEi stopped; restart ACEi later.";
    const long = at(text, "angiotensin converting enzyme inhibitors", "MEDICATION", 0.8);
    const [out] = applyDocumentRules([text], [[long]]);
    expect(spans(out!)).toEqual([
      ["angiotensin converting enzyme inhibitors", "MEDICATION", long.start],
      ["ACEi", "MEDICATION", text.indexOf("ACEi")],
      ["ACEi", "MEDICATION", text.indexOf("ACEi", text.indexOf("ACEi") + 1)],
      ["ACEi", "MEDICATION", text.lastIndexOf("ACEi")],
    ]);
    for (const e of out!) expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(out!.every((e) => e.score === 0.8)).toBe(true);
  });

  it("takes a definition from a short form the tagger labelled inside the parentheses", () => {
    const text = "History of chronic kidney damage ( CKD ) . CKD is stable .";
    const [out] = applyDocumentRules([text], [[at(text, "CKD", "DISEASE", 0.7)]]);
    expect(spans(out!)).toEqual([
      ["CKD", "DISEASE", text.indexOf("CKD")],
      ["CKD", "DISEASE", text.lastIndexOf("CKD")],
    ]);
  });

  it("relabels the exact span of a defined short form, and never overlaps what the tagger found", () => {
    const text = "Given nitroglycerin (NTG). NTG helped. NTG infusion was stopped.";
    const ntgInfusion = { ...at(text, "NTG infusion", "TREATMENT"), score: 0.6 };
    const wrong = at(text, "NTG", "DISEASE", 0.5, 2 - 1);
    const [out] = applyDocumentRules([text], [[at(text, "nitroglycerin", "MEDICATION"), wrong, ntgInfusion]]);
    expect(out!.find((e) => e.start === wrong.start)!.score).toBe(0.9); // the definition's evidence, not the wrong label's
    expect(spans(out!)).toEqual([
      ["nitroglycerin", "MEDICATION", text.indexOf("nitroglycerin")],
      ["NTG", "MEDICATION", text.indexOf("NTG")],
      ["NTG", "MEDICATION", wrong.start],
      ["NTG infusion", "TREATMENT", ntgInfusion.start],
    ]);
  });

  it("takes a definition whose letters the words before spell, though the entity is only their head noun", () => {
    const text = "Given low molecular weight heparin (LMWH). Allergies: carbamazepine (SJS). LMWH held; SJS in 2019.";
    const [out] = applyDocumentRules([text], [[at(text, "heparin", "MEDICATION"), at(text, "carbamazepine", "MEDICATION")]]);
    expect(spans(out!).filter(([t]) => t === "LMWH" || t === "SJS")).toEqual([
      ["LMWH", "MEDICATION", text.indexOf("LMWH")],
      ["LMWH", "MEDICATION", text.lastIndexOf("LMWH")],
    ]);
  });

  it("takes no route, frequency or earlier mention for a definition: the letters must be spelled within the clause", () => {
    const cases: Array<[string, string]> = [
      ["Patient was given morphine (IV). IV access placed; IV fluids.", "morphine"],
      ["Metoprolol (PO) 25 mg BID. Lasix 40 mg PO daily.", "Metoprolol"],
      ["Started aspirin (PRN); 5 mg PRN pain.", "aspirin"],
      ["History of SJS. Allergies: carbamazepine (SJS). No SJS since.", "carbamazepine"],
    ];
    for (const [text, drug] of cases) {
      const [out] = applyDocumentRules([text], [[at(text, drug, "MEDICATION")]]);
      expect(spans(out!), text).toEqual([[drug, "MEDICATION", text.indexOf(drug)]]);
    }
  });

  it("takes no definition from a short form the tagger labelled inside the parentheses unless the words spell it", () => {
    const text = "Given morphine (IV). IV access placed. Chronic kidney damage (CKD). CKD stable.";
    const iv = at(text, "IV", "MEDICATION");
    const ckd = at(text, "CKD", "DISEASE");
    const [out] = applyDocumentRules([text], [[iv, ckd]]);
    expect(spans(out!)).toEqual([
      ["IV", "MEDICATION", iv.start],
      ["CKD", "DISEASE", ckd.start],
      ["CKD", "DISEASE", text.lastIndexOf("CKD")],
    ]);
  });

  it("finds a repeat whose tokens change with what follows it (p.o. is one token alone, four before a letter)", () => {
    const text = "Aspirin p.o. daily ; then aspirin p.o.BID";
    const [out] = applyDocumentRules([text], [[at(text, "p.o.", "ROUTE")]]);
    expect(spans(out!)).toEqual([
      ["p.o.", "ROUTE", text.indexOf("p.o.")],
      ["p.o.", "ROUTE", text.lastIndexOf("p.o.")],
    ]);
  });

  it("reads a context that is not a finite number as none", () => {
    const texts = ["Given nitroglycerin (NTG).", "NTG helped."];
    const entities = [[at(texts[0]!, "nitroglycerin", "MEDICATION")], []];
    for (const context of [Number.NaN, Number.POSITIVE_INFINITY, -3]) expect(applyDocumentRules(texts, entities, { context }).map((es) => es.length)).toEqual([2, 0]);
  });

  it("places longer strings first, so a repeated phrase is not cut to a shorter one inside it", () => {
    const text = "heart failure , then heart failure exacerbation ; now heart failure exacerbation again";
    const entities = [at(text, "heart failure", "DISEASE", 0.8), at(text, "heart failure exacerbation", "DISEASE", 0.7)];
    const [out] = applyDocumentRules([text], [entities]);
    expect(spans(out!)).toEqual([
      ["heart failure", "DISEASE", 0],
      ["heart failure exacerbation", "DISEASE", text.indexOf("heart failure exacerbation")],
      ["heart failure exacerbation", "DISEASE", text.lastIndexOf("heart failure exacerbation")],
    ]);
  });

  it("ignores parentheses that hold no short form or follow no entity", () => {
    const text = "Took aspirin (n = 5) and aspirin (daily) ; PRN (as needed) ; then (PRN) .";
    const aspirin = at(text, "aspirin", "MEDICATION");
    const [out] = applyDocumentRules([text], [[aspirin]]);
    // Only the label-consistency rule fires: the second "aspirin".
    expect(spans(out!)).toEqual([
      ["aspirin", "MEDICATION", aspirin.start],
      ["aspirin", "MEDICATION", text.indexOf("aspirin", aspirin.end)],
    ]);
  });

  it("repeats a labelled string on token boundaries and case-sensitively, leaving the tagger's own entities alone", () => {
    const text = "ALL relapsed. all doses held. ALL again; ALLERGY noted. Warfarin, warfarin, warfarinate; warfarin.";
    const last = at(text, "warfarin", "DISEASE", 0.4, 2);
    const entities = [at(text, "ALL", "DISEASE"), at(text, "Warfarin", "MEDICATION"), at(text, "warfarin", "MEDICATION"), last];
    const [out] = applyDocumentRules([text], [entities]);
    expect(spans(out!)).toEqual([
      ["ALL", "DISEASE", 0],
      ["ALL", "DISEASE", text.indexOf("ALL again")],
      ["Warfarin", "MEDICATION", text.indexOf("Warfarin")],
      ["warfarin", "MEDICATION", text.indexOf("warfarin")],
      ["warfarin", "DISEASE", last.start],
    ]);
  });

  it("gives a repeated string its majority label, and the best score among those", () => {
    const text = "heparin, then heparin, then heparin again, and heparin.";
    const entities = [at(text, "heparin", "Chemical", 0.6), at(text, "heparin", "Disease", 0.99, 1), at(text, "heparin", "Chemical", 0.7, 2)];
    const [out] = applyDocumentRules([text], [entities]);
    expect(out!.at(-1)).toEqual({ start: text.lastIndexOf("heparin"), end: text.lastIndexOf("heparin") + 7, label: "Chemical", text: "heparin", score: 0.7 });
    // A tie goes to the label seen first.
    const [tie] = applyDocumentRules([text], [entities.slice(1)]);
    expect(tie!.find((e) => e.start === 0)).toMatchObject({ label: "Disease", score: 0.99 });
  });

  it("does not repeat strings shorter than 3 characters", () => {
    const text = "K+ low , K+ replaced ; Mg ok , Mg given .";
    const [out] = applyDocumentRules([text], [[at(text, "K+", "Chemical"), at(text, "Mg", "Chemical")]]);
    expect(out!.length).toBe(2);
  });

  it("keeps its input unchanged and returns entities sorted by offset", () => {
    const text = "MI ruled out. Prior myocardial infarction (MI) in 2010.";
    const input = [at(text, "myocardial infarction", "DISEASE")];
    const frozen = structuredClone(input);
    const [out] = applyDocumentRules([text], [input]);
    expect(input).toEqual(frozen);
    expect(out!.map((e) => e.start)).toEqual([0, input[0]!.start, text.indexOf("(MI)") + 1]);
  });

  it("reads definitions from the texts before each one only when given a context", () => {
    const texts = ["Treated with 5-fluorouracil ( 5-FU ) .", "5-FU was well tolerated .", "No 5-FU toxicity ."];
    const entities = [[at(texts[0]!, "5-fluorouracil", "Chemical")], [], []];
    const alone = applyDocumentRules(texts, entities);
    expect(alone.map((es) => es.length)).toEqual([2, 0, 0]);
    const one = applyDocumentRules(texts, entities, { context: 1 });
    expect(one.map((es) => spans(es))).toEqual([
      [["5-fluorouracil", "Chemical", 13], ["5-FU", "Chemical", 30]],
      [["5-FU", "Chemical", 0]],
      [],
    ]);
    expect(applyDocumentRules(texts, entities, { context: 2 })[2]).toEqual([{ start: 3, end: 7, label: "Chemical", text: "5-FU", score: 0.9 }]);
  });

  it("lets a later definition override an earlier one", () => {
    const texts = ["Pulmonary artery ( PA ) pressure .", "Psoriatic arthritis ( PA ) flared .", "PA worsened ."];
    const entities = [[at(texts[0]!, "Pulmonary artery", "Anatomy")], [at(texts[1]!, "Psoriatic arthritis", "Disease")], []];
    expect(applyDocumentRules(texts, entities, { context: 2 })[2]).toMatchObject([{ text: "PA", label: "Disease" }]);
    expect(applyDocumentRules(texts, entities, { context: 1 })[2]).toMatchObject([{ text: "PA", label: "Disease" }]);
    expect(applyDocumentRules(texts.slice(0, 1).concat(texts[2]!), [entities[0]!, []], { context: 1 })[1]).toMatchObject([{ text: "PA", label: "Anatomy" }]);
  });
});
