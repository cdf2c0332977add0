// The bench prints the Python pipeline's rows only when they were timed on its own notes and model shape.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pythonRows } from "./transformer-python.ts";

const dir = mkdtempSync(join(tmpdir(), "medner-python-rows-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const notes = [
  { tokens: 128, text: "Pt c/o chest pain." },
  { tokens: 512, text: "Hx of CAD, s/p PCI." },
];
const shape = { layers: 6, hidden: 768, vocab: 30522, labels: 84 };
const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const run = { impl: "python-pipeline (1 thread)", threads: 1, tokens: 128, tokensPerSecond: 900, p50Ms: 140, p99Ms: 160, meanMs: 142, runs: 50, coldStartMs: 2000, othersCpuShare: 0.02 };

function results(overrides: Record<string, unknown> = {}): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  const body = {
    model: { folder: "x", ...shape, dtype: "fp32" },
    notes: Object.fromEntries(notes.map((n) => [String(n.tokens), { tokens: n.tokens, sha256: sha(n.text) }])),
    runs: [run],
    machine: { cpus: 2 },
    versions: { torch: "2.13.0+cpu" },
    date: "2026-12-07T22:00:00Z",
    ...overrides,
  };
  writeFileSync(file, JSON.stringify(body));
  return file;
}

describe("pythonRows", () => {
  it("reads the runs timed on the same notes and shape", () => {
    const r = pythonRows(notes, shape, results());
    const { meanMs: _mean, runs: _runs, ...row } = run; // what the table prints
    expect(r).toMatchObject({ present: true, runs: [row], date: "2026-12-07T22:00:00Z" });
  });

  it("says the file is absent and how to make it", () => {
    const r = pythonRows(notes, shape, join(dir, "none.json"));
    expect(r.present).toBe(false);
    expect(!r.present && r.why).toMatch(/absent; make it with: python scripts\/reference\/bench_pipeline\.py/);
  });

  it("refuses rows timed on another note", () => {
    const r = pythonRows(notes, shape, results({ notes: { "128": { tokens: 128, sha256: sha(notes[0]!.text) }, "512": { tokens: 512, sha256: sha("another note") } } }));
    expect(!r.present && r.why).toMatch(/another 512-token note/);
  });

  it("refuses rows timed on another model shape", () => {
    const r = pythonRows(notes, shape, results({ model: { ...shape, layers: 2, hidden: 32 } }));
    expect(!r.present && r.why).toMatch(/timed a 2×32, vocab 30522, 84 labels model/);
  });
});
