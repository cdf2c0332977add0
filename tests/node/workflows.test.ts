// The GitHub Actions workflows parse, trigger as documented, and call npm scripts that exist.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./cli.ts";

const read = (f: string) => parse(readFileSync(join(ROOT, ".github/workflows", f), "utf8"));
const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
type Step = { run?: string; uses?: string; with?: Record<string, unknown> };
const steps = (wf: { jobs: Record<string, { steps: Step[] }> }) => Object.values(wf.jobs).flatMap((j) => j.steps);
const npmScriptsCalled = (s: Step[]) => s.flatMap((x) => [...(x.run ?? "").matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]!));

describe("workflows", () => {
  it("ci.yml installs from the lockfile with npm caching and runs npm test", () => {
    const wf = read("ci.yml");
    const s = steps(wf);
    expect(s.map((x) => x.run).filter(Boolean)).toEqual(["npm ci", "npm test"]);
    expect(s.find((x) => x.uses?.startsWith("actions/setup-node"))?.with).toMatchObject({ cache: "npm" });
  });

  it("retrain-and-publish.yml runs on data and config changes and by hand, gates, then deploys only on a publish", () => {
    const wf = read("retrain-and-publish.yml");
    expect(wf.on.push.paths).toEqual(expect.arrayContaining(["data/**", "models/custom/config.json", "models/lexicons/**"]));
    expect(wf.on).toHaveProperty("workflow_dispatch");
    const s = steps(wf);
    for (const name of npmScriptsCalled(s)) expect(Object.keys(scripts)).toContain(name);
    expect(npmScriptsCalled(s)).toContain("retrain");
    const deploy = (wf.jobs.retrain.steps as Array<Step & { if?: string }>).find((x) => x.run?.includes("wrangler deploy"));
    expect(deploy?.if).toBe("steps.retrain.outputs.code == '0'");
    const env = JSON.stringify(wf.jobs.retrain.env);
    for (const secret of ["R2_ACCOUNT_ID", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY"]) expect(env).toContain(`secrets.${secret}`);
  });

  it("docs/operations.md documents every secret the workflows use", () => {
    const readme = readFileSync(join(ROOT, "docs/operations.md"), "utf8");
    const used = new Set([...readFileSync(join(ROOT, ".github/workflows/retrain-and-publish.yml"), "utf8").matchAll(/(?:secrets|vars)\.(\w+)/g)].map((m) => m[1]!));
    expect([...used]).toEqual(expect.arrayContaining(["R2_ACCOUNT_ID", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY"]));
    for (const name of used) expect(readme).toContain(`\`${name}\``);
  });
});
