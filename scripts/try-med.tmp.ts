import { medicationAttributes } from "../core/medication/attributes.ts";
const cases: Array<[string, Array<[string, string]>]> = [
  ["metformin 500 mg PO BID x 30 days for T2DM", [["metformin","MEDICATION"],["T2DM","DISEASE"]]],
  ["lisinopril 10 mg and metoprolol 25 mg BID", [["lisinopril","MEDICATION"],["metoprolol","MEDICATION"]]],
  ["prednisone 20 mg daily x3 days then 10 mg daily x3 days", [["prednisone","MEDICATION"]]],
  ["Take 2 tablets of ibuprofen q4-6h prn pain", [["ibuprofen","MEDICATION"]]],
  ["albuterol 1-2 puffs inhaled q4-6h prn wheezing", [["albuterol","MEDICATION"]]],
  ["NTG 0.4 mg SL q5min prn chest pain, max 3 doses", [["NTG","MEDICATION"],["chest pain","DISEASE"]]],
  ["Novolog 10 units SC TID AC", [["Novolog","MEDICATION"]]],
  ["heparin gtt at 1000 units/hr, norepinephrine 0.05 mcg/kg/min", [["heparin","MEDICATION"],["norepinephrine","MEDICATION"]]],
  ["Tylenol 650 mg PO q6h prn pain, not to exceed 4 g/day", [["Tylenol","MEDICATION"]]],
  ["Take two (2) tablets by mouth every 6 (six) hours as needed for pain", [["tablets","X"]]],
  ["metformin ER 500 mg tablet daily with breakfast", [["metformin","MEDICATION"]]],
  ["timolol 0.5% 1 gtt OU b.i.d.", [["timolol","MEDICATION"]]],
  ["amoxicillin 250 mg/5 mL susp 5 mL po tid x10d", [["amoxicillin","MEDICATION"]]],
  ["fentanyl 25 mcg/hr patch q72h", [["fentanyl","MEDICATION"]]],
  ["Zofran 4 mg IV x1 stat", [["Zofran","MEDICATION"]]],
  ["KCl 20 mEq PO once", [["KCl","MEDICATION"]]],
];
for (const [text, ents] of cases) {
  let at = 0;
  const entities = ents.map(([w, label]) => { const start = text.indexOf(w, 0); return { start, end: start + w.length, label }; });
  const r = medicationAttributes(text, entities);
  console.log(text);
  r.forEach((a, i) => a && console.log("  ", ents[i]![0], a.map((x) => `${x.type}[${x.text}]=${JSON.stringify(x.value)}`).join("  ")));
}
