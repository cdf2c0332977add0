// POST /jobs refuses up front, whole: bad lines with their numbers, limits, options, inputs; nothing is written or
// queued for a refused job. Also the answers for unknown jobs and unfinished results, and auth.
import { beforeAll, describe, expect, it } from "vitest";
import { JOBS_ROOT } from "../../functions/jobs/keys.ts";
import { notesOf } from "../../functions/jobs/lines.ts";
import { InvalidNotes, stageBody } from "../../functions/jobs/stage.ts";
import { TAGGER_NOTES } from "../fixtures/tagger-notes.ts";
import { pointTo, publishFixture } from "./fixture.ts";
import { bucket, harness, models, ndjson } from "./jobs-harness.ts";

type ErrorBody = { error: { code: string; message: string; lines?: Array<{ line: number; object?: string; message: string }> } };
const post = (h: ReturnType<typeof harness>, body: string, query = "", type = "application/x-ndjson") => h.request(`/jobs${query}`, { method: "POST", headers: { "content-type": type }, body });
const jobsWritten = async () => (await bucket.list({ prefix: JOBS_ROOT })).objects.length;
const good = (i: number) => JSON.stringify({ id: `n${i}`, text: TAGGER_NOTES[0] });

beforeAll(async () => {
  await publishFixture(models, "custom", "1");
  await pointTo(models, "custom", "1");
});

describe("POST /jobs refuses bad input whole", () => {
  it("lists every bad line by number (blank lines count, as an editor counts them) and writes nothing", async () => {
    const h = harness({ chunkNotes: 2, vars: { MAX_TEXT_CHARS: "100" } });
    const before = await jobsWritten();
    const body = [good(1), good(2), good(3), "not json", "", JSON.stringify({ id: "x" }), JSON.stringify({ id: "y", text: "t", extra: 1 }), JSON.stringify({ id: "", text: "t" }), JSON.stringify({ id: "z", text: "a".repeat(101) }), good(4)].join("\n");
    const res = await post(h, body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe("invalid_notes");
    expect(error.message).toMatch(/^5 lines are not a note/);
    expect(error.lines!.map((l) => l.line)).toEqual([4, 6, 7, 8, 9]);
    expect(error.lines![0]!.message).toBe("not JSON");
    expect(error.lines![1]!.message).toMatch(/^text: /);
    expect(error.lines![4]!.message).toBe("text has 101 characters; the limit is 100");
    expect(await jobsWritten()).toBe(before);
    expect(h.sent).toEqual([]);
    // The note's text is never echoed back.
    expect(JSON.stringify(error)).not.toContain("aaaa");
  });

  it("lines that are not UTF-8 are named so", async () => {
    const h = harness();
    const res = await h.request("/jobs", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: new Uint8Array([...new TextEncoder().encode(`${good(1)}\n{"id":"a","text":"`), 0xff, 0x22, 0x7d, 0x0a]) });
    expect(((await res.json()) as ErrorBody).error.lines).toEqual([{ line: 2, message: "not UTF-8" }]);
  });

  it.each([
    ["too many notes", { MAX_JOB_NOTES: "3" }, 4, 413, "too_many_notes"],
    ["a body over MAX_JOB_BODY_BYTES", { MAX_JOB_BODY_BYTES: "200" }, 4, 413, "body_too_large"],
    ["no notes at all", {}, 0, 400, "no_notes"],
  ])("%s: %s", async (_, vars, n, status, code) => {
    const h = harness({ vars });
    const before = await jobsWritten();
    const res = await post(h, Array.from({ length: n }, (_, i) => good(i)).join("\n"));
    expect([res.status, ((await res.json()) as ErrorBody).error.code]).toEqual([status, code]);
    expect(await jobsWritten()).toBe(before);
  });

  it.each([
    ["?colour=red", "colour: not an option"],
    ["?minScore=high", 'minScore: "high" is not a JSON value'],
    ["?minScore=2", "minScore: "],
    ["?model=ensemble&version=1", "version: the ensemble runs each model's current version"],
    ['?format=fhir&fhir={"documentId":"d1"}', "fhir.documentId: every note of a job is its own document"],
  ])("options %s are refused: %s", async (query, message) => {
    const res = await post(harness(), ndjson([{ id: "a", text: "HTN." }]), query);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toContain(message);
  });

  it("reads options from the query string: strings, comma lists, JSON", async () => {
    const h = harness();
    const res = await post(h, ndjson([{ id: "a", text: "HTN." }]), '?model=custom&labels=DISEASE,MEDICATION&minScore=0.25&context=false&attributes=false&format=fhir&fhir={"subject":"Patient/7"}');
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await h.status(id)).options).toEqual({ model: "custom", labels: ["DISEASE", "MEDICATION"], minScore: 0.25, context: false, attributes: false, format: "fhir", fhir: { subject: "Patient/7" } });
  });

  it("an unknown model is 404 before anything is read or written", async () => {
    const before = await jobsWritten();
    const res = await post(harness(), ndjson([{ id: "a", text: "HTN." }]), "?model=nope");
    expect([res.status, ((await res.json()) as ErrorBody).error.code]).toEqual([404, "model_not_found"]);
    expect(await jobsWritten()).toBe(before);
  });

  it("a queue that refuses midway: 503, and the job is removed whole", async () => {
    const h = harness({ chunkNotes: 1 });
    let calls = 0;
    (h.bindings.JOBS_QUEUE as unknown as { sendBatch: () => Promise<void> }).sendBatch = async () => {
      if (++calls === 2) throw new Error("Too Many Requests");
    };
    const before = await jobsWritten();
    const res = await post(h, Array.from({ length: 150 }, (_, i) => good(i)).join("\n"));
    expect([res.status, res.headers.get("retry-after"), ((await res.json()) as ErrorBody).error.code]).toEqual([503, "30", "queue_unavailable"]);
    expect(calls).toBe(2);
    expect(await jobsWritten()).toBe(before);
  });

  it.each([
    ["text/plain", "HTN", 415, "unsupported_media_type"],
    ["application/json", JSON.stringify({ input: "jobs/other/" }), 400, "invalid_request"],
    ["application/json", JSON.stringify({ input: "nothing-here/" }), 404, "input_not_found"],
    ["application/json", JSON.stringify({ notes: [] }), 400, "invalid_request"],
  ])("%s %s: %i %s", async (type, body, status, code) => {
    const res = await post(harness(), body, "", type);
    expect([res.status, ((await res.json()) as ErrorBody).error.code]).toEqual([status, code]);
  });

  it("a bad line in an uploaded object is named with its object", async () => {
    await bucket.put("bad-upload/1.ndjson", ndjson([{ id: "a", text: "HTN." }]));
    await bucket.put("bad-upload/2.ndjson", `${good(1)}\n{"id": 5, "text": "x"}\n`);
    const res = await post(harness(), JSON.stringify({ input: "bad-upload/" }), "", "application/json");
    expect(((await res.json()) as ErrorBody).error.lines).toEqual([{ line: 2, object: "bad-upload/2.ndjson", message: expect.stringMatching(/^id: /) }]);
  });
});

describe("staging a body", () => {
  const limits = { maxNotes: 1000, maxTextChars: 20000, chunkNotes: 3, maxBodyBytes: 1e6, partBytes: 300 };
  const streamOf = (s: string) => new Blob([s]).stream();

  it("cuts parts only at chunk ends, and each chunk's range holds exactly its notes", async () => {
    const notes = Array.from({ length: 20 }, (_, i) => ({ id: `n${i}`, text: `note ${i} ${"é".repeat(i)}` }));
    // Blank lines and a last line without its newline are not notes.
    const staged = await stageBody(bucket, "stage-test", streamOf(`\n${ndjson(notes.slice(0, 10))}\n\n${ndjson(notes.slice(10)).trimEnd()}`), limits);
    expect(staged.notes).toBe(20);
    expect(new Set(staged.chunks.map((c) => c.key)).size).toBeGreaterThan(2);
    expect(staged.chunks.map((c) => c.notes)).toEqual([3, 3, 3, 3, 3, 3, 2]);
    const read: unknown[] = [];
    for (const c of staged.chunks) {
      const got = (await bucket.get(c.key, { range: { offset: c.offset, length: c.length }, onlyIf: { etagMatches: c.etag } })) as R2ObjectBody;
      read.push(...notesOf(new Uint8Array(await got.arrayBuffer())));
    }
    expect(read).toEqual(notes);
  });

  it("a bad line after parts were written: the parts are removed", async () => {
    const notes = Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, text: `note ${i}` }));
    const before = await jobsWritten();
    const err = await stageBody(bucket, "stage-bad", streamOf(`${ndjson(notes)}oops\n`), limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidNotes);
    expect((err as InvalidNotes).lines).toEqual([{ line: 13, message: "not JSON" }]);
    expect(await jobsWritten()).toBe(before);
  });
});

describe("reading jobs", () => {
  it("unknown and malformed ids are 404; results before the last chunk settles are 409 with Retry-After", async () => {
    const h = harness();
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-job", "..%2Fmodels"]) expect((await h.request(`/jobs/${id}`)).status).toBe(404);
    const { id } = await h.submit(Array.from({ length: 25 }, (_, i) => ({ id: `n${i}`, text: "HTN." })));
    await h.deliver([h.sent[0]!]);
    const res = await h.request(`/jobs/${id}/results`);
    expect([res.status, res.headers.get("retry-after"), ((await res.json()) as ErrorBody).error.message]).toEqual([409, "10", `1 of 3 chunks are answered; GET /jobs/${id} shows progress`]);
  });

  it("pages results by chunk, with a Link to the next page", async () => {
    const h = harness({ chunkNotes: 2, vars: { JOB_RESULTS_PAGE_CHUNKS: "2" } });
    const { id } = await h.submit(Array.from({ length: 5 }, (_, i) => ({ id: `n${i}`, text: "HTN." })));
    await h.deliver(h.sent);
    const ids = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer()).trimEnd().split("\n").map((l) => (JSON.parse(l) as { id: string }).id);
    const first = await h.request(`/jobs/${id}/results`);
    expect(first.headers.get("link")).toBe(`</jobs/${id}/results?from=2>; rel="next"`);
    expect(await ids(first)).toEqual(["n0", "n1", "n2", "n3"]);
    const last = await h.request(`/jobs/${id}/results?from=2`);
    expect(last.headers.get("link")).toBeNull();
    expect(await ids(last)).toEqual(["n4"]);
    expect((await h.request(`/jobs/${id}/results?from=3`)).status).toBe(400);
  });

  it("browsers may DELETE a job and read the Location and Link headers", async () => {
    const h = harness({ vars: { CORS_ORIGINS: "*" } });
    const res = await h.request("/jobs/00000000-0000-4000-8000-000000000000", { method: "OPTIONS", headers: { origin: "https://ehr.example", "access-control-request-method": "DELETE" } });
    expect(res.headers.get("access-control-allow-methods")).toContain("DELETE");
    const posted = await h.request("/jobs", { method: "POST", headers: { origin: "https://ehr.example", "content-type": "application/x-ndjson" }, body: ndjson([{ id: "a", text: "HTN." }]) });
    expect(posted.headers.get("access-control-expose-headers")).toMatch(/Location.*Link/);
  });

  it("needs a bearer token when auth is on", async () => {
    const h = harness({ vars: { AUTH_DISABLED: "false", API_TOKENS: "secret" } });
    expect((await post(h, ndjson([{ id: "a", text: "HTN." }]))).status).toBe(401);
    expect((await h.request("/jobs/00000000-0000-4000-8000-000000000000")).status).toBe(401);
    const ok = await h.request("/jobs", { method: "POST", headers: { "content-type": "application/x-ndjson", authorization: "Bearer secret" }, body: ndjson([{ id: "a", text: "HTN." }]) });
    expect(ok.status).toBe(202);
  });
});
