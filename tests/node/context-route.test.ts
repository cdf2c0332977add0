// POST /context and context on /ner, under Node: traits of given spans, the switch that turns context off, and the
// foreign shapes that carry it.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { createNodeRunner } from "../../functions/adapters/ort-wasm-node.ts";
import { createApp } from "../../functions/app.ts";
import { CONTEXT_CASES, CONTEXT_NOTE } from "../fixtures/context-cases.ts";
import { folderStoreWith } from "./folder-store.ts";
import { ROOT } from "./cli.ts";

const SHIPPED = join(ROOT, "models/custom/default");

describe("context over HTTP (Node)", async () => {
  const root = await folderStoreWith(SHIPPED);
  const app = createApp({ createRunner: createNodeRunner, storeOf: () => fsStore(root), log: () => {} });
  const post = (path: string, body: unknown) => app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, { AUTH_DISABLED: "true" });

  it("POST /context answers each span's traits and section, in the order given", async () => {
    const res = await post("/context", { text: CONTEXT_NOTE, spans: CONTEXT_CASES.map((c) => c.span) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entities: Array<{ text: string; traits: Array<{ name: string }>; section: string | null }>; sections: Array<{ name: string }>; context: { name: string; sha256: string } };
    expect(body.entities.map((e) => [e.text, e.traits.map((t) => t.name), e.section])).toEqual(CONTEXT_CASES.map((c) => [c.word, c.traits, c.section]));
    expect(body.sections.map((s) => s.name)).toEqual(["history_of_present_illness", "family_history"]);
    expect(body.context).toMatchObject({ name: "medner-context", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("POST /context refuses a span outside the text with the span's place", async () => {
    const res = await post("/context", { text: "no fever", spans: [{ start: 3, end: 8 }, { start: 5, end: 50 }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "invalid_request", message: expect.stringMatching(/^spans\.1: \[5, 50\)/) } });
  });

  it("/ner links each medication's attributes to it, fills the FHIR dosage, and leaves them out with attributes: false", async () => {
    const text = "Metformin 500 mg PO BID for type 2 diabetes. Denies chest pain.";
    const on = (await (await post("/ner", { text })).json()) as { entities: Array<{ text: string; label: string; attributes?: Array<{ type: string; text: string }> }>; medication: { name: string } };
    const metformin = on.entities.find((e) => e.text === "Metformin")!;
    expect(metformin.attributes!.map((a) => [a.type, a.text])).toEqual([["STRENGTH", "500 mg"], ["ROUTE", "PO"], ["FREQUENCY", "BID"], ["REASON", "type 2 diabetes"]]);
    for (const e of on.entities.filter((x) => x.label !== "MEDICATION")) expect(e.attributes).toBeUndefined();
    expect(on.medication.name).toBe("medner-medication");
    const off = (await (await post("/ner", { text, attributes: false })).json()) as { entities: Array<Record<string, unknown>> };
    expect(off.entities.some((e) => "attributes" in e)).toBe(false);
    const fhir = (await (await post("/ner", { text, format: "fhir" })).json()) as { entry: Array<{ resource: { resourceType: string; dosage?: Array<{ timing?: unknown; route?: unknown; reasonReference?: unknown }> } }> };
    const statement = fhir.entry.find((e) => e.resource.resourceType === "MedicationStatement")!.resource;
    expect(statement.dosage![0]).toMatchObject({ timing: { repeat: { frequency: 2, period: 1, periodUnit: "d" } }, route: { coding: [{ code: "26643006" }] } });
  });

  it("/ner gives traits by default, none with context: false, and trait names in the hf shape", async () => {
    const text = "Pt denies chest pain. Mother had breast cancer. Started metformin for diabetes.";
    const on = (await (await post("/ner", { text })).json()) as { entities: Array<{ text: string; traits: Array<{ name: string }>; section: string | null }>; context: unknown };
    const byText = Object.fromEntries(on.entities.map((e) => [e.text, e.traits.map((t) => t.name)]));
    expect(byText).toMatchObject({ "chest pain": ["negated"], "breast cancer": ["family"], metformin: [] });
    expect(on.context).toBeDefined();
    const off = (await (await post("/ner", { text, context: false, attributes: false })).json()) as { entities: Array<Record<string, unknown>>; context?: unknown };
    expect(off.entities.length).toBe(on.entities.length);
    for (const e of off.entities) expect(Object.keys(e).sort()).toEqual(["end", "label", "score", "source", "start", "text"]);
    expect(off.context).toBeUndefined();
    const hf = (await (await post("/ner", { text, format: "hf" })).json()) as Array<{ word: string; traits: string[] }>;
    expect(hf.find((e) => e.word === "chest pain")!.traits).toEqual(["negated"]);
  });
});
