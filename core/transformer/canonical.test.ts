// The transformer → medner label table.
import { describe, expect, it } from "vitest";
import { canonicalLabel, entityLabels, TRANSFORMER_LABEL_MAP } from "./canonical.ts";

describe("canonical labels", () => {
  it("renames the three shared types and passes the rest through", () => {
    expect(["Medication", "Disease_disorder", "Therapeutic_procedure", "Sign_symptom", "Dosage", "constructor"].map(canonicalLabel)).toEqual([
      "MEDICATION", "DISEASE", "TREATMENT", "Sign_symptom", "Dosage", "constructor",
    ]);
    expect(Object.keys(TRANSFORMER_LABEL_MAP.labels)).toHaveLength(3);
  });

  it("lists a model's entity labels as its entities carry them: the type after the first hyphen, canonical where mapped", () => {
    expect(entityLabels(["O", "B-Medication", "I-Medication", "B-SIGN-SYMPTOM", "I-SIGN-SYMPTOM", "TAX-PERCENT", "Dosage"])).toEqual(["MEDICATION", "SIGN-SYMPTOM", "PERCENT", "Dosage"]);
  });
});
