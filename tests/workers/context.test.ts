// POST /context inside workerd: the same hand-written table as the Node test (tests/node/context-route.test.ts), so the
// Worker and Node give the same traits.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CONTEXT_CASES, CONTEXT_NOTE } from "../fixtures/context-cases.ts";

describe("POST /context in workerd", () => {
  it("answers each span's traits and section as the table says", async () => {
    const res = await SELF.fetch("https://medner.test/context", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: CONTEXT_NOTE, spans: CONTEXT_CASES.map((c) => c.span) }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entities: Array<{ text: string; traits: Array<{ name: string; cue?: { start: number; end: number } }>; section: string | null }> };
    expect(body.entities.map((e) => [e.text, e.traits.map((t) => t.name), e.section])).toEqual(CONTEXT_CASES.map((c) => [c.word, c.traits, c.section]));
    const fever = body.entities[2]!.traits[0]!.cue!;
    expect(CONTEXT_NOTE.slice(fever.start, fever.end)).toBe("Denies");
  });
});
