// `medner jobs` as users run it (a child process) against a stand-in for the service that records each request: what
// it sends (token, body, options), how it follows status and result pages, exit codes and messages. The options'
// round trip is checked against the server's own parser; workerd tests cover the service itself.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optionsFromQuery } from "../../functions/routes/jobs.ts";
import { jobOptions, toQuery } from "../../trainer/cli/jobs.ts";
import { ROOT } from "./cli.ts";

type Seen = { method: string; url: string; auth?: string; type?: string; body: string };
const seen: Seen[] = [];
let polls = 0;
let url = "";

function answer(req: IncomingMessage, res: ServerResponse, body: string) {
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(value));
  const path = req.url!.split("?")[0];
  if (req.method === "POST" && body.includes("bad")) return json(400, { error: { code: "invalid_notes", message: "1 line is not a note", lines: [{ line: 2, message: "not JSON" }] } });
  if (req.method === "POST") return json(202, { id: "job-1", status: "queued", notes: 2, chunks: 1, models: [{ name: "custom", version: "7", sha256: "x" }] });
  if (path === "/jobs/job-1" && req.method === "GET") {
    const status = ++polls < 2 ? "running" : "done";
    return json(200, { id: "job-1", status, counts: { total: 2, done: status === "done" ? 2 : 0, failed: 0 }, chunks: { total: 1, settled: status === "done" ? 1 : 0 } });
  }
  if (path === "/jobs/job-2") return json(200, { id: "job-2", status: "failed", counts: { total: 2, done: 1, failed: 1 }, chunks: { total: 1, settled: 1 } });
  if (path === "/jobs/job-1/results") {
    const from = new URL(req.url!, "http://x").searchParams.get("from");
    if (!from) return res.writeHead(200, { "content-type": "application/x-ndjson", link: '</jobs/job-1/results?from=1>; rel="next"' }).end('{"id":"a","entities":[]}\n');
    return res.writeHead(200, { "content-type": "application/x-ndjson" }).end('{"id":"b","entities":[]}\n');
  }
  if (req.method === "DELETE") return json(200, { id: "job-1", status: "deleted", objects: 3 });
  return json(404, { error: { code: "job_not_found", message: "no job" } });
}

const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    seen.push({ method: req.method!, url: req.url!, body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), ...(req.headers["content-type"] ? { type: req.headers["content-type"] } : {}) });
    answer(req, res, body);
  });
});

/** The CLI in a child process, asynchronously: the stand-in server runs in this one. */
function medner(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "trainer/cli/main.ts", "jobs", ...args], { cwd: ROOT, env: { ...process.env, MEDNER_URL: url, MEDNER_TOKEN: "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), "medner-jobs-cli-"));
const notes = join(dir, "notes.ndjson");
writeFileSync(notes, '{"id":"a","text":"HTN."}\n{"id":"b","text":"COPD."}\n');

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => void server.close());

describe("medner jobs", () => {
  it("submit streams the file with the options in the query string and the token from MEDNER_TOKEN; prints the id", async () => {
    seen.length = 0;
    const r = await medner(["submit", notes, "--model", "custom", "--labels", "DISEASE,MEDICATION", "--min-score", "0.5", "--no-context", "--option", 'fhir={"subject":"Patient/1"}', "--option", "aggregation=max"], { MEDNER_TOKEN: "s3cret" });
    expect([r.code, r.stdout]).toEqual([0, "job-1\n"]);
    expect(r.stderr).toContain("job job-1: 2 notes in 1 chunks, custom@7");
    const [req] = seen;
    expect(req).toMatchObject({ method: "POST", auth: "Bearer s3cret", type: "application/x-ndjson", body: readFileSync(notes, "utf8") });
    // The server reads back exactly what was meant.
    expect(optionsFromQuery(Object.fromEntries(new URL(req!.url, url).searchParams))).toEqual({ model: "custom", labels: ["DISEASE", "MEDICATION"], minScore: 0.5, context: false, fhir: { subject: "Patient/1" }, aggregation: "max" });
  });

  it("submit --input sends the prefix and typed options as JSON", async () => {
    seen.length = 0;
    expect((await medner(["submit", "--input", "uploads/2025/", "--no-attributes", "--format", "hf"])).code).toBe(0);
    expect(seen[0]).toMatchObject({ url: "/jobs", type: "application/json" });
    expect(JSON.parse(seen[0]!.body)).toEqual({ input: "uploads/2025/", attributes: false, format: "hf" });
    expect(seen[0]!.auth).toBeUndefined();
  });

  it("submit --wait polls until the job settles; status exits 2 for a job with failed notes", async () => {
    polls = 0;
    const r = await medner(["submit", notes, "--wait", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: "job-1", status: "done" });
    expect(r.stderr).toMatch(/job job-1: running, 0\/2 notes answered[\s\S]*job job-1: done, 2\/2 notes answered \(0 failed\)/);
    const failed = await medner(["status", "job-2"]);
    expect([failed.code, JSON.parse(failed.stdout).counts]).toEqual([2, { total: 2, done: 1, failed: 1 }]);
  });

  it("results follows every page, to stdout or a file", async () => {
    expect((await medner(["results", "job-1"])).stdout).toBe('{"id":"a","entities":[]}\n{"id":"b","entities":[]}\n');
    const out = join(dir, "results.ndjson");
    const r = await medner(["results", "job-1", "--out", out]);
    expect([r.code, r.stderr, readFileSync(out, "utf8")]).toEqual([0, `2 results written to ${out}\n`, '{"id":"a","entities":[]}\n{"id":"b","entities":[]}\n']);
  });

  it("cancel deletes the job", async () => {
    seen.length = 0;
    const r = await medner(["cancel", "job-1"]);
    expect([r.code, r.stderr, seen[0]?.method]).toEqual([0, "job job-1: deleted (3 objects)\n", "DELETE"]);
  });

  it.each([
    [["submit", join(dir, "bad.ndjson")], "medner jobs: 400 invalid_notes: 1 line is not a note\n  line 2: not JSON\n"],
    [["status", "job-9"], "medner jobs: 404 job_not_found: no job\n"],
    [["submit"], "medner jobs: give an NDJSON file (or - for stdin), or --input <prefix>, not both\n"],
    [["status", "job-1", "--url", "http://127.0.0.1:1"], /^medner jobs: cannot reach http:\/\/127\.0\.0\.1:1 \(/],
  ])("%j fails in one line with exit code 1", async (args, message) => {
    writeFileSync(join(dir, "bad.ndjson"), '{"id":"a","text":"x"}\nbad\n');
    const r = await medner(args as string[]);
    expect(r.code).toBe(1);
    if (typeof message === "string") expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
  });
});

it("jobOptions and toQuery give the server the options meant, through its own parser", () => {
  const o = jobOptions({ model: "ensemble", labels: "DISEASE", version: "2", context: true, attributes: false, option: ["documentRules=false", "minScore=0.3", 'fhir={"subject":"Patient/2"}'] });
  expect(o).toEqual({ model: "ensemble", version: "2", labels: ["DISEASE"], attributes: false, documentRules: false, minScore: 0.3, fhir: { subject: "Patient/2" } });
  expect(optionsFromQuery(Object.fromEntries(new URLSearchParams(toQuery(o))))).toEqual(o);
});
