import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import conceptsJson from "../../models/medication/concepts.json" with { type: "json" };
import grammarJson from "../../models/medication/grammar.json" with { type: "json" };
import { MednerError } from "../errors.ts";
import { defaultMedicationRulesId } from "./default-rules.ts";
import { parseMedicationRules } from "./rules.ts";
import { attributesOf } from "./test-helpers.ts";
import { EVENT_TIMING, PERIOD_UNITS } from "./types.ts";

const where = { grammar: "g.json", concepts: "c.json" };
const parse = (g: unknown, c: unknown = conceptsJson) => () => parseMedicationRules(g, c, where);
const clone = <T>(x: T): T => structuredClone(x);

describe("medication rules files", () => {
  it("the shipped files parse, and are identified by name, version and sha256", () => {
    expect(parse(grammarJson)).not.toThrow();
    expect(defaultMedicationRulesId()).toEqual({ name: "medner-medication", version: "1.0.0", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("a bad grammar is E602 naming the file and the field", () => {
    const g = clone(grammarJson) as Record<string, unknown>;
    delete g.units;
    expect(parse(g)).toThrow(MednerError);
    expect(parse(g)).toThrow(/^E602: g\.json: units: /);
    const badWhen = clone(grammarJson);
    (badWhen.frequencies[0]!.value as Record<string, unknown>).when = ["BEDTIME"];
    expect(parse(badWhen)).toThrow(/E602: g\.json: frequencies\.0\.value\.when\.0/);
  });

  it("refuses a phrase twice in one table, since the second would silently never match", () => {
    const g = clone(grammarJson);
    g.frequencies[1]!.phrases.push("q.d.");
    expect(parse(g)).toThrow(/E602: g\.json: frequencies: "q\.d\." repeats a phrase/);
    // Two spellings that tokenize alike are one phrase too: "24 hr" (tablet) and extended-release's "24hr".
    const c = clone(conceptsJson);
    c.forms[0]!.phrases.push("24 hr");
    expect(parse(grammarJson, c)).toThrow(/E602: c\.json: forms: "24hr" repeats/);
  });

  it("a <n> slot must be in every phrase of an entry whose value uses it, and in none other", () => {
    const g = clone(grammarJson);
    g.frequencies.find((f) => f.value.period === "<n>")!.phrases.push("every few hours");
    expect(parse(g)).toThrow(/E602: g\.json: frequencies\.\d+: "every few hours" needs a <n>/);
  });

  it("a concept has a code and display, or says why it is unverified; every spec concept is there once", () => {
    const c = clone(conceptsJson) as { routes: Array<Record<string, unknown>> };
    delete c.routes[0]!.display;
    expect(parse(grammarJson, c)).toThrow(/E602: c\.json: routes\.0: a concept has code and display/);
    const missing = clone(conceptsJson);
    missing.routes.pop();
    expect(parse(grammarJson, missing)).toThrow(/every route concept of the spec/);
  });
});

describe("the shipped concepts", () => {
  it("code every route in SNOMED CT, and a form only where its code was checked", () => {
    for (const r of conceptsJson.routes) expect(r).toMatchObject({ code: expect.stringMatching(/^\d+$/), display: expect.any(String) });
    expect(conceptsJson.forms.filter((f) => "code" in f).map((f) => f.name)).toEqual(["tablet", "capsule"]);
    expect(attributesOf("[[Eucerin]] cream")).toEqual([[["FORM", "cream", { name: "cream" }]]]);
  });

  it("use only timing codes FHIR.js's R4 value sets hold (event-timing, units-of-time)", () => {
    const valueSets = createRequire(import.meta.url)("fhir/profiles/valuesets.json") as Record<string, { systems: Array<{ codes: Array<{ code: string }> }> }>;
    const codes = (id: string) => valueSets[`http://hl7.org/fhir/ValueSet/${id}`]!.systems.flatMap((s) => s.codes.map((c) => c.code)).sort();
    expect([...EVENT_TIMING].sort()).toEqual(codes("event-timing"));
    expect([...PERIOD_UNITS].sort()).toEqual(codes("units-of-time"));
  });
});
