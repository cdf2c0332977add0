// The models this isolate serves: reads a model's current.json (cached for a short TTL), loads and verifies a version
// once, and reuses its session across requests. A new version that fails to load never replaces a good one: the
// failure is kept for /health and the old version goes on serving. Each job has its own small object in registry/:
// the pointer cache, load de-duplication, the failure log, and the versions held and their release when idle.
import { MednerError, modelKey, pointerKey, sha256Hex, type OpenFile } from "../core/index.ts";
import { parsePointer } from "../core/published.ts";
import { ApiError } from "./errors.ts";
import { FailureLog, type LoadFailure } from "./registry/failures.ts";
import { HeldModels, type LoadedModel } from "./registry/held.ts";
import { SharedLoads } from "./registry/loads.ts";
import { PointerCache } from "./registry/pointers.ts";
import type { ReadFile, Recognizer } from "./served-model.ts";
import type { ModelStore } from "./store.ts";

export type { LoadFailure, LoadedModel };

export interface RegistryOptions {
  pointerTtlMs?: number;
  /** How long a failed version is not retried (default 30 s, the Retry-After we send). */
  failureTtlMs?: number;
  /** How long a version that is not current stays loaded after its last use (default 60 s). */
  idleReleaseMs?: number;
  now?: () => number;
  log?: (line: Record<string, unknown>) => void;
}

const unavailable = (name: string, version: string) =>
  new ApiError(503, "model_unavailable", `model "${name}" version ${version} could not be loaded`, { "Retry-After": "30" });

export class ModelRegistry {
  private readonly now: () => number;
  private readonly pointers: PointerCache;
  private readonly loads = new SharedLoads<LoadedModel>();
  private readonly failed: FailureLog;
  private readonly held: HeldModels;

  constructor(
    private readonly store: ModelStore,
    private readonly loadModel: (read: ReadFile, open?: OpenFile) => Promise<Recognizer>,
    private readonly options: RegistryOptions = {},
  ) {
    this.now = () => options.now?.() ?? Date.now();
    this.pointers = new PointerCache(options.pointerTtlMs ?? 30_000, this.now);
    this.failed = new FailureLog(this.now);
    this.held = new HeldModels({ idleReleaseMs: options.idleReleaseMs ?? 60_000, now: this.now, ...(options.log ? { log: options.log } : {}) });
  }

  loaded(): Array<Omit<LoadedModel, "engine">> {
    return this.held.list().map(({ engine, ...rest }) => rest);
  }

  failures(): LoadFailure[] {
    return this.failed.list();
  }

  private fail(name: string, version: string, error: string, manifestSha256?: string): void {
    this.failed.record(name, version, error, manifestSha256);
    this.options.log?.({ level: "error", msg: "model failed to load", model: name, version, error });
  }

  /** The model to answer with: `version` if given, else the current one. Throws ApiError 404 or 503. */
  async resolve(name: string, version?: string): Promise<LoadedModel> {
    try {
      // A model is protected from release while a request runs on it (predict is counted) and for idleReleaseMs after
      // this returns it: a route must call predict well within that (the ensemble resolves two models, then predicts).
      const model = await (version ? this.resolvePinned(name, version) : this.resolveCurrent(name));
      this.held.touch(model);
      return model;
    } finally {
      for (const m of this.held.releaseIdle((n) => this.pointers.currentVersion(n)))
        if (!this.held.get(m.name, m.version)) this.pointers.forgetPinned(m.name, m.version);
    }
  }

  /**
   * An explicit version, re-checked against its manifest once per TTL, like a pointer, not on every request. When the
   * check fails (the store is down, or the version was republished in place with a broken file), the copy held goes
   * on serving, as the current version does; the check is due again after the TTL.
   */
  private async resolvePinned(name: string, version: string): Promise<LoadedModel> {
    const ready = this.held.get(name, version);
    if (ready && this.pointers.isPinnedFresh(name, version)) return ready;
    const keepHeld = (err: unknown, error?: string) => {
      if (error) this.fail(name, version, error);
      if (ready && this.held.holds(ready)) {
        this.pointers.pinnedChecked(name, version);
        return ready;
      }
      throw err;
    };
    let manifest: Uint8Array | null;
    try {
      manifest = await this.store.get(modelKey(name, version, "manifest.json"));
    } catch (err) {
      return keepHeld(unavailable(name, version), `store read failed: ${(err as Error).message}`);
    }
    if (!manifest) throw new ApiError(404, "model_not_found", `model "${name}" has no version "${version}"`);
    try {
      const model = await this.load(name, version, await sha256Hex(manifest));
      this.pointers.pinnedChecked(name, version);
      return model;
    } catch (err) {
      return keepHeld(err);
    }
  }

  private async resolveCurrent(name: string): Promise<LoadedModel> {
    const cachedVersion = this.pointers.currentVersion(name);
    const cachedModel = cachedVersion === undefined ? undefined : this.held.get(name, cachedVersion);
    if (cachedModel && this.pointers.isFresh(name)) return cachedModel;
    let raw: Uint8Array | null;
    try {
      raw = await this.store.get(pointerKey(name));
    } catch (err) {
      return this.keepOld(name, cachedModel, `store read failed: ${(err as Error).message}`, "current");
    }
    if (!raw) {
      // Unpublished (current.json deleted): the version it named is no longer current and is released when idle.
      this.pointers.unpublished(name);
      throw new ApiError(404, "model_not_found", `model "${name}" is not published`);
    }
    const pointer = parsePointer(raw);
    if (!pointer) return this.keepOld(name, cachedModel, `${pointerKey(name)} is not a valid pointer`, "current");
    this.failed.clear(name, "current"); // the pointer reads and parses again
    try {
      const model = await this.load(name, pointer.version, pointer.manifest_sha256);
      this.pointers.setCurrent(name, pointer.version);
      // A good pointer serves: failures of this name (a broken version since rolled back, a pointer since mended) are
      // history, not the state /health reports.
      this.failed.clearModel(name);
      return model;
    } catch (err) {
      return this.keepOld(name, cachedModel, null, pointer.version, err);
    }
  }

  /** After a failure, serve the version that was good, and look at the pointer again only after the TTL. */
  private keepOld(name: string, old: LoadedModel | undefined, error: string | null, version: string, cause?: unknown): LoadedModel {
    if (error) this.fail(name, version, error);
    // `old` was read before an await: a concurrent request may have released it since (a pointer that moved meanwhile).
    if (old && this.held.holds(old)) {
      this.pointers.setCurrent(name, old.version);
      return old;
    }
    if (cause instanceof ApiError && cause.status !== 404) throw cause;
    throw unavailable(name, version);
  }

  private load(name: string, version: string, manifestSha256: string): Promise<LoadedModel> {
    const ready = this.held.get(name, version);
    // A version republished in place (a new manifest under the same version) is loaded again, never served stale.
    if (ready && ready.manifestSha256 === manifestSha256) return Promise.resolve(ready);
    // The same version and manifest failed moments ago: answer 503 without downloading it all again.
    if (this.failed.failedRecently(name, version, manifestSha256, this.options.failureTtlMs ?? 30_000)) return Promise.reject(unavailable(name, version));
    return this.loads.run(`${name}@${version}#${manifestSha256}`, () => this.loadUncached(name, version, manifestSha256));
  }

  private async loadUncached(name: string, version: string, manifestSha256: string): Promise<LoadedModel> {
    const read = async (file: string) => {
      const bytes = await this.store.get(modelKey(name, version, file));
      if (bytes && file === "manifest.json" && (await sha256Hex(bytes)) !== manifestSha256)
        throw new MednerError("E402", `manifest.json of ${name}@${version}: sha256 does not match current.json`);
      return bytes;
    };
    const store = this.store;
    const open: OpenFile | undefined = store.open ? (file) => store.open!(modelKey(name, version, file)) : undefined;
    try {
      const model = this.held.add(name, version, manifestSha256, await this.loadModel(read, open));
      this.failed.clear(name, version);
      this.options.log?.({ level: "info", msg: "model loaded", model: name, version });
      return model;
    } catch (err) {
      this.fail(name, version, err instanceof Error ? err.message : String(err), manifestSha256);
      throw unavailable(name, version);
    }
  }
}
