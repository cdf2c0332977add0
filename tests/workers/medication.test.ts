// core/medication inside workerd, on the same hand-written sig table as the Node test (core/medication/sig-cases.test.ts),
// and through POST /ner: its grammar files are bundled into the Worker and answer alike.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { withAttributes } from "../../core/medication/index.ts";
import { SIG_CASES } from "../fixtures/sig-cases.ts";

const simplify = (v: unknown) => (v && typeof v === "object" && "name" in v ? { name: (v as { name: string }).name } : v);

describe("medication attributes in workerd", () => {
  it.each(SIG_CASES)("$text", ({ text, drugs, expected }) => {
    const entities = drugs.map((d) => ({ start: text.indexOf(d), end: text.indexOf(d) + d.length, label: "MEDICATION" }));
    expect(withAttributes(text, entities).map((e) => (e.attributes ?? []).map((a) => [a.type, a.text, simplify(a.value)]))).toEqual(expected);
  });

  it("POST /ner validates the attributes switch like every field", async () => {
    const res = await SELF.fetch("https://medner.test/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "x", attributes: "no" }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^attributes: /);
  });
});
