// The README and docs/ point only inside the repository, and every relative link (and #anchor) resolves.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./cli.ts";

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let code = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.startsWith("```")) code = !code;
    const heading = code ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

/** Markdown links outside code: [text](target), with the line they are on. */
function linksOf(file: string): Array<{ line: number; target: string }> {
  const out: Array<{ line: number; target: string }> = [];
  let code = false;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.startsWith("```")) code = !code;
      if (code) return;
      for (const m of line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)) out.push({ line: i + 1, target: m[1]! });
    });
  return out;
}

const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`), ...["GUIDELINES", "TRAITS", "ATTRIBUTES"].map((f) => `data/clinical-notes/${f}.md`), "data/sigs/README.md"];

describe("documentation links", () => {
  it("stay inside the repository and resolve, anchors included", () => {
    const bad: string[] = [];
    let count = 0;
    for (const page of pages) {
      const file = join(ROOT, page);
      for (const { line, target } of linksOf(file)) {
        count++;
        const [path, anchor] = target.split("#");
        const where = `${page}:${line}: ${target}`;
        if (/^[a-z]+:/i.test(target)) bad.push(`${where} (leaves the repository)`);
        else {
          const abs = path ? resolve(dirname(file), path) : file;
          if (!existsSync(abs) || relative(ROOT, abs).startsWith("..")) bad.push(`${where} (no such file here)`);
          else if (anchor && !(statSync(abs).isFile() && anchorsOf(abs).has(anchor))) bad.push(`${where} (no such heading)`);
        }
      }
    }
    expect(count).toBeGreaterThan(50);
    expect(bad).toEqual([]);
  });

  it("the README stays an entry, not the reference", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(200);
  });
});
