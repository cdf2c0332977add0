// isMain against the forms it replaced: a path with a space (where `file://${argv[1]}` never matched), a relative path
// and a symlink run the script; importing it does not.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const dir = join(mkdtempSync(join(tmpdir(), "medner-is-main-")), "a folder with spaces");
mkdirSync(dir);
afterAll(() => rmSync(join(dir, ".."), { recursive: true, force: true }));

const helper = pathToFileURL(join(import.meta.dirname, "is-main.ts")).href;
writeFileSync(join(dir, "script.ts"), `import { isMain } from ${JSON.stringify(helper)};\nconsole.log(isMain(import.meta.url) ? "main" : "imported");\n`);
writeFileSync(join(dir, "importer.ts"), `import "./script.ts";\n`);
symlinkSync(join(dir, "script.ts"), join(dir, "linked.ts"));

const run = (file: string, cwd = process.cwd()) => execFileSync(process.execPath, ["--import", "tsx", file], { cwd, encoding: "utf8" }).trim();

describe("isMain", () => {
  it("is true in the script that was run, by absolute path with a space, relative path or symlink", () => {
    expect(run(join(dir, "script.ts"))).toBe("main");
    expect(run(relative(process.cwd(), join(dir, "script.ts")))).toBe("main");
    expect(run(join(dir, "linked.ts"))).toBe("main");
  });

  it("is false in a module the script imports", () => {
    expect(run(join(dir, "importer.ts"))).toBe("imported");
  });
});
