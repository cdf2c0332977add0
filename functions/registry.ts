// The models this isolate serves: reads a model's current.json (cached for a short TTL), loads and verifies a version
// once, and reuses its session across requests. A new version that fails to load never replaces a good one: the
// failure is kept for /health and the old version goes on serving. A version that is no longer current (superseded,
// republished in place, unpublished, or only ever asked for by name@version) is released once no request has used it
// for `idleReleaseMs`, so an isolate or a long-lived Node server does not keep every version it ever served.
import { MednerError, modelKey, pointerKey, PointerSchema, sha256Hex, type OpenFile } from "../core/index.ts";
import { ApiError } from "./errors.ts";
import type { ReadFile, Recognizer } from "./load-model.ts";
import type { ModelStore } from "./store.ts";

export interface LoadedModel {
  name: string;
  version: string;
  /** sha256 of the ONNX file being served. */
  sha256: string;
  /** sha256 of the manifest it was loaded from (what current.json must name). */
  manifestSha256: string;
  kind: Recognizer["kind"];
  engine: Recognizer;
  loadedAt: string;
}

export interface LoadFailure {
  name: string;
  version: string;
  error: string;
  at: string;
}

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
  private readonly versions = new Map<string, LoadedModel>();
  private readonly loading = new Map<string, Promise<LoadedModel>>();
  private readonly current = new Map<string, { version: string; checkedAt: number }>();
  /** When an explicitly requested version (name@version) was last checked against its manifest. */
  private readonly checked = new Map<string, number>();
  /** Keyed by name@version: cleared when that version loads, or when a good pointer of that name serves again. */
  private readonly failed = new Map<string, LoadFailure & { atMs: number; manifestSha256?: string }>();
  /** Every model loaded and not yet released, with the requests using it now and when it was last used. */
  private readonly live = new Map<LoadedModel, { inflight: number; lastUsedMs: number }>();

  constructor(
    private readonly store: ModelStore,
    private readonly loadModel: (read: ReadFile, open?: OpenFile) => Promise<Recognizer>,
    private readonly options: RegistryOptions = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  loaded(): Array<Omit<LoadedModel, "engine">> {
    return [...this.versions.values()].map(({ engine, ...rest }) => rest);
  }

  failures(): LoadFailure[] {
    return [...this.failed.values()].map(({ atMs, ...f }) => f);
  }

  private fail(name: string, version: string, error: string, manifestSha256?: string): void {
    this.failed.set(`${name}@${version}`, { name, version, error, at: new Date(this.now()).toISOString(), atMs: this.now(), ...(manifestSha256 ? { manifestSha256 } : {}) });
    this.options.log?.({ level: "error", msg: "model failed to load", model: name, version, error });
  }

  /** The model to answer with: `version` if given, else the current one. Throws ApiError 404 or 503. */
  async resolve(name: string, version?: string): Promise<LoadedModel> {
    try {
      // A model is protected from release while a request runs on it (predict is counted) and for idleReleaseMs after
      // this returns it: a route must call predict well within that (the ensemble resolves two models, then predicts).
      const model = await this.resolveModel(name, version);
      const use = this.live.get(model);
      if (use) use.lastUsedMs = this.now();
      return model;
    } finally {
      this.releaseIdle();
    }
  }

  /** Releases the models that are not current and that no request has used for idleReleaseMs. */
  private releaseIdle(): void {
    const idle = this.options.idleReleaseMs ?? 60_000;
    for (const [model, use] of this.live) {
      const id = `${model.name}@${model.version}`;
      const isCurrent = this.versions.get(id) === model && this.current.get(model.name)?.version === model.version;
      if (isCurrent || use.inflight > 0 || this.now() - use.lastUsedMs <= idle) continue;
      this.live.delete(model);
      if (this.versions.get(id) === model) {
        this.versions.delete(id);
        this.checked.delete(id);
      }
      this.options.log?.({ level: "info", msg: "model released", model: model.name, version: model.version });
      model.engine.release().catch((err: unknown) => this.options.log?.({ level: "error", msg: "model release failed", model: model.name, version: model.version, error: (err as Error).message }));
    }
  }

  private async resolveModel(name: string, version?: string): Promise<LoadedModel> {
    const ttl = this.options.pointerTtlMs ?? 30_000;
    if (version) {
      // An explicit version is re-checked against its manifest once per TTL, like a pointer, not on every request.
      const id = `${name}@${version}`;
      const ready = this.versions.get(id);
      if (ready && this.now() - (this.checked.get(id) ?? -Infinity) < ttl) return ready;
      let manifest: Uint8Array | null;
      try {
        manifest = await this.store.get(modelKey(name, version, "manifest.json"));
      } catch (err) {
        this.fail(name, version, `store read failed: ${(err as Error).message}`);
        throw unavailable(name, version);
      }
      if (!manifest) throw new ApiError(404, "model_not_found", `model "${name}" has no version "${version}"`);
      const model = await this.load(name, version, await sha256Hex(manifest));
      this.checked.set(id, this.now());
      return model;
    }
    const cached = this.current.get(name);
    const cachedModel = cached ? this.versions.get(`${name}@${cached.version}`) : undefined;
    if (cached && cachedModel && this.now() - cached.checkedAt < ttl) return cachedModel;
    let raw: Uint8Array | null;
    try {
      raw = await this.store.get(pointerKey(name));
    } catch (err) {
      return this.keepOld(name, cachedModel, `store read failed: ${(err as Error).message}`, "current");
    }
    if (!raw) {
      // Unpublished (current.json deleted): the version it named is no longer current and is released when idle.
      this.current.delete(name);
      throw new ApiError(404, "model_not_found", `model "${name}" is not published`);
    }
    const pointer = (() => {
      try {
        return PointerSchema.parse(JSON.parse(new TextDecoder().decode(raw)));
      } catch {
        return null;
      }
    })();
    if (!pointer) return this.keepOld(name, cachedModel, `${pointerKey(name)} is not a valid pointer`, "current");
    this.failed.delete(`${name}@current`); // the pointer reads and parses again
    try {
      const model = await this.load(name, pointer.version, pointer.manifest_sha256);
      this.current.set(name, { version: pointer.version, checkedAt: this.now() });
      // A good pointer serves: failures of this name (a broken version since rolled back, a pointer since mended) are
      // history, not the state /health reports.
      for (const [id, f] of this.failed) if (f.name === name) this.failed.delete(id);
      return model;
    } catch (err) {
      return this.keepOld(name, cachedModel, null, pointer.version, err);
    }
  }

  /** After a failure, serve the version that was good, and look at the pointer again only after the TTL. */
  private keepOld(name: string, old: LoadedModel | undefined, error: string | null, version: string, cause?: unknown): LoadedModel {
    if (error) this.fail(name, version, error);
    // `old` was read before an await: a concurrent request may have released it since (a pointer that moved meanwhile).
    if (old && this.live.has(old)) {
      this.current.set(name, { version: old.version, checkedAt: this.now() });
      return old;
    }
    if (cause instanceof ApiError && cause.status !== 404) throw cause;
    throw unavailable(name, version);
  }

  private load(name: string, version: string, manifestSha256: string): Promise<LoadedModel> {
    const id = `${name}@${version}`;
    const ready = this.versions.get(id);
    // A version republished in place (a new manifest under the same version) is loaded again, never served stale.
    if (ready && ready.manifestSha256 === manifestSha256) return Promise.resolve(ready);
    // The same version and manifest failed moments ago: answer 503 without downloading it all again.
    const failed = this.failed.get(id);
    if (failed?.manifestSha256 === manifestSha256 && this.now() - failed.atMs < (this.options.failureTtlMs ?? 30_000)) return Promise.reject(unavailable(name, version));
    const key = `${id}#${manifestSha256}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.loadUncached(name, version, manifestSha256).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async loadUncached(name: string, version: string, manifestSha256: string): Promise<LoadedModel> {
    const id = `${name}@${version}`;
    const read = async (file: string) => {
      const bytes = await this.store.get(modelKey(name, version, file));
      if (bytes && file === "manifest.json" && (await sha256Hex(bytes)) !== manifestSha256)
        throw new MednerError("E402", `manifest.json of ${id}: sha256 does not match current.json`);
      return bytes;
    };
    const store = this.store;
    const open: OpenFile | undefined = store.open ? (file) => store.open!(modelKey(name, version, file)) : undefined;
    try {
      const loaded = await this.loadModel(read, open);
      const use = { inflight: 0, lastUsedMs: this.now() };
      // Requests in flight keep a version from being released under them.
      const engine: Recognizer = {
        ...loaded,
        predict: async (texts, options) => {
          use.inflight++;
          try {
            return await loaded.predict(texts, options);
          } finally {
            use.inflight--;
            use.lastUsedMs = this.now();
          }
        },
      };
      // The loader verified the served file against this manifest entry, so its sha256 is known without hashing again.
      const model = { name, version, sha256: engine.servedSha256, manifestSha256, kind: engine.kind, engine, loadedAt: new Date(this.now()).toISOString() };
      this.live.set(model, use);
      this.versions.set(id, model);
      this.failed.delete(id);
      this.options.log?.({ level: "info", msg: "model loaded", model: name, version });
      return model;
    } catch (err) {
      this.fail(name, version, err instanceof Error ? err.message : String(err), manifestSha256);
      throw unavailable(name, version);
    }
  }
}
