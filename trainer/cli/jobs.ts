// `medner jobs submit|status|results|cancel`: bulk jobs on a deployed medner (or `npm start`) over HTTP, for people at
// a terminal and for CI. The base URL comes from --url or MEDNER_URL, the token from MEDNER_TOKEN (or --token, which
// other users of the machine can see in the process list). docs/jobs.md has the API this speaks.
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { Readable, type Writable } from "node:stream";
import type { Command } from "commander";

interface Conn {
  url?: string;
  token?: string;
}

/** A failure to report in one line, with the server's error code when it sent one. */
class JobsError extends Error {}

const base = (o: Conn) => (o.url ?? process.env.MEDNER_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");

async function call(o: Conn, path: string, init: RequestInit = {}): Promise<Response> {
  const token = o.token ?? process.env.MEDNER_TOKEN;
  const headers = { ...(init.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  let res: Response;
  try {
    res = await fetch(`${base(o)}${path}`, { ...init, headers });
  } catch (err) {
    throw new JobsError(`cannot reach ${base(o)} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`);
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; lines?: Array<{ line: number; object?: string; message: string }> } } | null;
  const lines = body?.error?.lines?.map((l) => `\n  ${l.object ? `${l.object} ` : ""}line ${l.line}: ${l.message}`).join("") ?? "";
  throw new JobsError(`${res.status} ${body?.error?.code ?? res.statusText}: ${body?.error?.message ?? "no error body"}${lines}`);
}

interface SubmitOpts extends Conn {
  input?: string;
  model?: string;
  version?: string;
  labels?: string;
  minScore?: string;
  format?: string;
  context: boolean;
  attributes: boolean;
  option: string[];
  wait?: boolean;
  json?: boolean;
}

/** The job's options as /ner takes them; --option key=value for the rest (value as JSON where it parses). */
export function jobOptions(o: SubmitOpts): Record<string, unknown> {
  const extra = Object.fromEntries(
    o.option.map((kv) => {
      const at = kv.indexOf("=");
      if (at < 1) throw new JobsError(`--option ${kv}: expected key=value`);
      const v = kv.slice(at + 1);
      try {
        return [kv.slice(0, at), JSON.parse(v) as unknown];
      } catch {
        return [kv.slice(0, at), v];
      }
    }),
  );
  return {
    ...(o.model ? { model: o.model } : {}),
    ...(o.version ? { version: o.version } : {}),
    ...(o.labels ? { labels: o.labels.split(",").map((s) => s.trim()) } : {}),
    ...(o.minScore ? { minScore: Number(o.minScore) } : {}),
    ...(o.format ? { format: o.format } : {}),
    ...(o.context ? {} : { context: false }),
    ...(o.attributes ? {} : { attributes: false }),
    ...extra,
  };
}

/** The same options as the query string of an NDJSON body: strings as they are, lists comma-joined, the rest JSON. */
export const toQuery = (options: Record<string, unknown>) =>
  new URLSearchParams(Object.entries(options).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : Array.isArray(v) ? v.join(",") : JSON.stringify(v)])).toString();

type Status = { id: string; status: string; counts: { total: number; done: number; failed: number }; chunks: { total: number; settled: number } };

const statusLine = (s: Status) => `job ${s.id}: ${s.status}, ${s.counts.done + s.counts.failed}/${s.counts.total} notes answered (${s.counts.failed} failed), ${s.chunks.settled}/${s.chunks.total} chunks`;

async function waitFor(o: Conn, id: string, everyMs: number): Promise<Status> {
  for (;;) {
    const s = (await (await call(o, `/jobs/${id}`)).json()) as Status;
    process.stderr.write(`${statusLine(s)}\n`);
    if (s.status === "done" || s.status === "failed") return s;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs a command body, turning a JobsError into one line on stderr and exit code 1 (2: a job answered with failures). */
const run =
  <A extends unknown[]>(fn: (...a: A) => Promise<number | void>) =>
  async (...a: A) => {
    try {
      process.exitCode = (await fn(...a)) ?? 0;
    } catch (err) {
      if (!(err instanceof JobsError)) throw err;
      process.stderr.write(`medner jobs: ${err.message}\n`);
      process.exitCode = 1;
    }
  };

const connOptions = (cmd: Command) => cmd.option("--url <url>", "the service (default: MEDNER_URL, else http://127.0.0.1:8787)").option("--token <token>", "bearer token (default: MEDNER_TOKEN; prefer the env var)");

export function registerJobs(program: Command): void {
  const jobs = program.command("jobs").description("bulk jobs on a medner service: submit NDJSON notes, follow them, fetch results");

  connOptions(jobs.command("submit").argument("[file]", 'NDJSON notes, one {"id", "text"} per line ("-": stdin)'))
    .description("start a job from an NDJSON file, or from notes already in the JOBS bucket (--input); prints the job id")
    .option("--input <prefix>", "an R2 key prefix in the JOBS bucket instead of a file")
    .option("--model <name>", "custom (default), transformer, ensemble, or any published model")
    .option("--version <version>", "a published version (default: the current one, pinned at submission)")
    .option("--labels <list>", "keep only these labels, comma-separated")
    .option("--min-score <n>", "drop entities scored below this")
    .option("--format <format>", "medner (default), hf, spacy or fhir")
    .option("--no-context", "leave out traits and sections")
    .option("--no-attributes", "leave out medication attributes")
    .option("--option <key=value>", "any other /ner option (repeatable; the value as JSON where it parses)", (v: string, all: string[]) => [...all, v], [])
    .option("--wait", "wait until every note is answered (exit 2 if some failed)")
    .option("--json", "print the accepted job (or, with --wait, its final status) as JSON on stdout")
    .action(
      run(async (file: string | undefined, o: SubmitOpts) => {
        if (!file === !o.input) throw new JobsError("give an NDJSON file (or - for stdin), or --input <prefix>, not both");
        const options = jobOptions(o);
        const res = o.input
          ? await call(o, "/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: o.input, ...options }) })
          : await call(o, `/jobs?${toQuery(options)}`, {
              method: "POST",
              headers: { "content-type": "application/x-ndjson" },
              // Streamed, never read whole: a backfill file may be large.
              body: Readable.toWeb(file === "-" ? process.stdin : createReadStream(file!)) as ReadableStream,
              duplex: "half",
            } as RequestInit);
        const job = (await res.json()) as { id: string; notes: number; chunks: number; models: Array<{ name: string; version: string }> };
        process.stderr.write(`job ${job.id}: ${job.notes} notes in ${job.chunks} chunks, ${job.models.map((m) => `${m.name}@${m.version}`).join(" + ")}\n`);
        if (!o.wait) return void process.stdout.write(o.json ? `${JSON.stringify(job)}\n` : `${job.id}\n`);
        const s = await waitFor(o, job.id, 1000);
        process.stdout.write(o.json ? `${JSON.stringify(s)}\n` : `${job.id}\n`);
        return s.status === "done" ? 0 : 2;
      }),
    );

  connOptions(jobs.command("status").argument("<id>"))
    .description("a job's status, counts, models and timings (JSON on stdout)")
    .option("--wait", "poll until every note is answered (exit 2 if some failed)")
    .action(
      run(async (id: string, o: Conn & { wait?: boolean }) => {
        const s = o.wait ? await waitFor(o, id, 1000) : ((await (await call(o, `/jobs/${id}`)).json()) as Status);
        if (!o.wait) process.stderr.write(`${statusLine(s)}\n`);
        process.stdout.write(`${JSON.stringify(s)}\n`);
        return s.status === "failed" ? 2 : 0;
      }),
    );

  connOptions(jobs.command("results").argument("<id>"))
    .description("a finished job's results, one NDJSON line per note in input order, every page")
    .option("--out <file>", "write to a file instead of stdout")
    .action(
      run(async (id: string, o: Conn & { out?: string }) => {
        const out: Writable = o.out ? createWriteStream(o.out) : process.stdout;
        let path: string | null = `/jobs/${id}/results`;
        let lines = 0;
        while (path) {
          const res: Response = await call(o, path);
          // The server pages by chunk (JOB_RESULTS_PAGE_CHUNKS) and names the next page in a Link header.
          path = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
          for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
            lines += piece.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
            if (!out.write(piece)) await once(out, "drain");
          }
        }
        if (o.out) await new Promise((resolve) => out.end(resolve));
        process.stderr.write(`${lines} results${o.out ? ` written to ${o.out}` : ""}\n`);
      }),
    );

  connOptions(jobs.command("cancel").argument("<id>"))
    .description("cancel a job and remove its data (notes uploaded under an input prefix stay)")
    .action(
      run(async (id: string, o: Conn) => {
        const r = (await (await call(o, `/jobs/${id}`, { method: "DELETE" })).json()) as { objects: number };
        process.stderr.write(`job ${id}: deleted (${r.objects} objects)\n`);
      }),
    );
}
