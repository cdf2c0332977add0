// Downloads a model repository's files from the Hugging Face hub (or anything with its URL layout, named by
// HF_ENDPOINT) into a local folder, with one coded error per way a download can fail.
import { open } from "node:fs/promises";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { MednerError } from "../../core/errors.ts";
import { sha256Stream } from "../../core/sha256.ts";

export interface HubSource {
  endpoint: string;
  repo: string;
  revision: string;
  token?: string | undefined;
}

/** The files an import reads: tokenizer.json may be absent (then vocab.txt is fetched), the rest are required. */
export const HUB_FILES = {
  config: "config.json",
  tokenizerConfig: "tokenizer_config.json",
  tokenizer: "tokenizer.json",
  vocab: "vocab.txt",
  weights: "model.safetensors",
} as const;

const REPO_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;
const MAX_REDIRECTS = 5;
/** Only safetensors is read: pytorch_model.bin is a pickle, and reading it safely means a hand-written unpickler. */
const WEIGHTS_HINT = "; only model.safetensors is read: convert a pytorch_model.bin-only repository to safetensors first";

/** Where to download from, as huggingface_hub reads it: HF_ENDPOINT (default the public hub) and HF_TOKEN. */
export function hubSource(repo: string, revision = "main", env: NodeJS.ProcessEnv = process.env): HubSource {
  if (!REPO_ID.test(repo) || repo.includes("..")) throw new MednerError("E510", `"${repo}" is not a hub repository id (owner/name)`);
  if (!revision) throw new MednerError("E510", "the revision is empty");
  return { endpoint: (env.HF_ENDPOINT || "https://huggingface.co").replace(/\/+$/, ""), repo, revision, token: env.HF_TOKEN || undefined };
}

export const resolveUrl = (source: HubSource, file: string): string =>
  `${source.endpoint}/${source.repo}/resolve/${encodeURIComponent(source.revision)}/${file}`;

export interface DownloadedFile {
  path: string;
  size: number;
  sha256: string;
  /** The commit the revision resolved to (the hub's X-Repo-Commit header), when the server says. */
  commit: string | null;
}

/** Network errors from fetch carry the useful part ("other side closed", "connect ECONNREFUSED …") in `cause`. */
function reason(err: unknown): string {
  const e = err as Error & { cause?: { message?: string; code?: string } };
  return e.cause?.message ?? e.cause?.code ?? e.message ?? String(err);
}

function httpError(file: string, url: string, res: Response, source: HubSource): MednerError {
  const code = res.headers.get("x-error-code");
  const hint =
    res.status === 401 || res.status === 403
      ? source.token ? " (HF_TOKEN was sent: does it grant access to this repository?)" : " (a gated or private repository needs HF_TOKEN)"
      : res.status === 404 ? ` (no ${file} in ${source.repo} at revision ${source.revision}${file === HUB_FILES.weights ? WEIGHTS_HINT : ""})` : "";
  return new MednerError("E511", `${file}: HTTP ${res.status}${code ? ` ${code}` : ""} from ${url}${hint}`);
}

/**
 * GETs `url`, following redirects by hand so that the hub's own headers (X-Repo-Commit, X-Linked-Etag: the sha256 of
 * an LFS file) are seen before the CDN answers, and so the token goes only to the hub, never to the CDN.
 * Returns null for a 404 when `optional`.
 */
async function get(source: HubSource, file: string, optional: boolean) {
  let url = resolveUrl(source, file);
  let commit: string | null = null;
  let linkedEtag: string | null = null;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const toHub = new URL(url).origin === new URL(source.endpoint).origin;
    const headers: Record<string, string> = toHub && source.token ? { authorization: `Bearer ${source.token}` } : {};
    let res: Response;
    try {
      res = await fetch(url, { headers, redirect: "manual" });
    } catch (err) {
      throw new MednerError("E511", `${file}: network error fetching ${url}: ${reason(err)}`);
    }
    commit ??= res.headers.get("x-repo-commit");
    linkedEtag ??= res.headers.get("x-linked-etag");
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).href;
      continue;
    }
    if (res.status === 404 && optional) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw httpError(file, url, res, source);
    }
    // X-Linked-Etag, sent for LFS files only, is the file's sha256 (quoted); small files have just a git blob id ETag.
    const sha256 = linkedEtag?.replace(/^W\//, "").replace(/"/g, "") ?? null;
    return { res, url, commit, sha256: sha256 && /^[0-9a-f]{64}$/.test(sha256) ? sha256 : null };
  }
  throw new MednerError("E511", `${file}: more than ${MAX_REDIRECTS} redirects from ${resolveUrl(source, file)}`);
}

/** A progress bar on stderr for a big download; cli-progress draws nothing when stderr is not a terminal. */
function progressBar(file: string, total: number) {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${file} |{bar}| {percentage}% | {mb}/{totalMb} MB | ETA {eta_formatted}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const mb = (n: number) => (n / 1e6).toFixed(1);
  bar.start(total, 0, { mb: mb(0), totalMb: total ? mb(total) : "?" });
  return { update: (n: number) => bar.update(n, { mb: mb(n) }), stop: () => bar.stop() };
}

/**
 * Streams `file` of the repository to `dest`, hashing as it goes. Fails (E511) on an HTTP error, a network error, a
 * body shorter than its Content-Length, or a sha256 that differs from the hub's X-Linked-Etag.
 */
export async function downloadFile(
  source: HubSource,
  file: string,
  dest: string,
  opts: { optional?: boolean; progress?: boolean } = {},
): Promise<DownloadedFile | null> {
  const got = await get(source, file, opts.optional ?? false);
  if (!got) return null;
  const { res, url } = got;
  // A compressed body's Content-Length counts compressed bytes, while fetch hands us decompressed ones.
  const declared = res.headers.has("content-encoding") ? null : res.headers.get("content-length");
  const expected = declared === null ? null : Number(declared);
  const bar = opts.progress ? progressBar(file, expected ?? 0) : null;
  const hash = sha256Stream();
  const out = await open(dest, "w");
  let size = 0;
  try {
    const reader = res.body!.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        const of = expected === null ? "" : ` of ${expected}`;
        throw new MednerError("E511", `${file}: connection lost after ${size}${of} bytes from ${url}: ${reason(err)}`);
      }
      if (chunk.done) break;
      hash.update(chunk.value);
      await out.write(chunk.value);
      size += chunk.value.byteLength;
      bar?.update(size);
    }
  } finally {
    bar?.stop();
    await out.close();
  }
  if (expected !== null && size !== expected) throw new MednerError("E511", `${file}: truncated body: got ${size} of ${expected} bytes from ${url}`);
  const sha256 = hash.hex();
  if (got.sha256 && got.sha256 !== sha256) throw new MednerError("E511", `${file}: sha256 ${sha256} differs from the hub's ${got.sha256}`);
  return { path: dest, size, sha256, commit: got.commit };
}

export interface HubDownload {
  dir: string;
  /** The commit the revision resolved to, if the server said (the public hub does). */
  commit: string | null;
  /** file name → what was downloaded. */
  files: Record<string, DownloadedFile>;
}

/**
 * Downloads what an import needs into `dir` (which must exist): config.json, tokenizer_config.json, tokenizer.json
 * (or vocab.txt when the repository has no tokenizer.json) and model.safetensors. The small files come first so that
 * a wrong repository or revision fails before the big download.
 */
export async function downloadHubRepo(source: HubSource, dir: string, opts: { progress?: boolean } = {}): Promise<HubDownload> {
  const files: Record<string, DownloadedFile> = {};
  const fetchTo = async (file: string, optional = false, progress = false) => {
    const got = await downloadFile(source, file, join(dir, file), { optional, progress });
    if (got) files[file] = got;
    return got;
  };
  await fetchTo(HUB_FILES.config);
  await fetchTo(HUB_FILES.tokenizerConfig);
  if (!(await fetchTo(HUB_FILES.tokenizer, true))) await fetchTo(HUB_FILES.vocab);
  await fetchTo(HUB_FILES.weights, false, opts.progress ?? false);
  const commit = Object.values(files).find((f) => f.commit)?.commit ?? null;
  return { dir, commit, files };
}
