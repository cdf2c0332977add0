// The hand-written sig table (tests/fixtures/sig-cases.ts) in Node; tests/workers/medication.test.ts runs it in workerd.
import { describe, expect, it } from "vitest";
import { SIG_CASES } from "../../tests/fixtures/sig-cases.ts";
import { withAttributes } from "./index.ts";

describe("the sig table in Node", () => {
  it.each(SIG_CASES)("$text", ({ text, drugs, expected }) => {
    const entities = drugs.map((d) => ({ start: text.indexOf(d), end: text.indexOf(d) + d.length, label: "MEDICATION" }));
    const got = withAttributes(text, entities).map((e) => (e.attributes ?? []).map((a) => [a.type, a.text, a.value && typeof a.value === "object" && "name" in a.value ? { name: a.value.name } : a.value]));
    expect(got).toEqual(expected);
  });
});
