// `medner predict --html FILE`: the same displaCy-style page as POST /visualize, written by the CLI.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { medner, ROOT } from "./cli.ts";

const FIXTURE = join(ROOT, "tests/fixtures/models/tiny-tagger");

describe("medner predict --html", () => {
  it("writes a page marking the entities the model finds, with the note escaped", () => {
    const out = join(mkdtempSync(join(tmpdir(), "medner-html-")), "note.html");
    const text = `${TAGGER_NOTES[1]} <script>alert(1)</script>`;
    const r = medner("predict", "--model", FIXTURE, "--text", text, "--json", "--html", out);
    expect(r.code, r.stderr).toBe(0);
    const entities = (JSON.parse(r.stdout) as { entities: Array<{ label: string; text: string }> }).entities;
    expect(entities.length).toBeGreaterThan(0);
    const page = readFileSync(out, "utf8");
    const marks = [...page.matchAll(/<mark class="entity" data-label="([^"]*)"[^>]*>(.*?)<span/g)].map((m) => ({ label: m[1], text: m[2] }));
    expect(marks).toEqual(entities.map((e) => ({ label: e.label, text: e.text })));
    expect(page).not.toContain("<script>");
    expect(page).toContain("&#60;script&#62;");
  });

  it("an unwritable path is one line and exit 1", () => {
    const r = medner("predict", "--model", FIXTURE, "--text", "aspirin", "--html", "/nonexistent-dir/x.html");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^medner: E404: cannot write \/nonexistent-dir\/x\.html \(ENOENT\)$/);
  });
});
