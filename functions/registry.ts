// The models this isolate serves: reads a model's current.json (cached for a short TTL), loads and verifies a version
// once, and reuses its session across requests. A new version that fails to load never replaces a good one: the
// failure is kept for /health and the old version goes on serving.
import {
  loadExportedTagger,
  MednerError,
  modelKey,
  pointerKey,
  PointerSchema,
  sha256Hex,
  type TaggerEngine,
  type TaggerRunner,
} from "../core/index.ts";
import { ApiError } from "./errors.ts";
import type { ModelStore } from "./store.ts";

export interface LoadedModel {
  name: string;
  version: string;
  /** sha256 of the ONNX file being served. */
  sha256: string;
  engine: TaggerEngine;
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
  now?: () => number;
  log?: (line: Record<string, unknown>) => void;
}

export class ModelRegistry {
  private readonly versions = new Map<string, LoadedModel>();
  private readonly loading = new Map<string, Promise<LoadedModel>>();
  private readonly current = new Map<string, { version: string; checkedAt: number }>();
  private readonly failed = new Map<string, LoadFailure>();

  constructor(
    private readonly store: ModelStore,
    private readonly createRunner: (onnx: Uint8Array) => Promise<TaggerRunner>,
    private readonly options: RegistryOptions = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  loaded(): Array<Omit<LoadedModel, "engine">> {
    return [...this.versions.values()].map(({ engine, ...rest }) => rest);
  }

  failures(): LoadFailure[] {
    return [...this.failed.values()];
  }

  /** The model to answer with: `version` if given, else the current one. Throws ApiError 404 or 503. */
  async resolve(name: string, version?: string): Promise<LoadedModel> {
    if (version) return this.load(name, version, null);
    const cached = this.current.get(name);
    const ttl = this.options.pointerTtlMs ?? 30_000;
    if (cached && this.now() - cached.checkedAt < ttl && this.versions.has(`${name}@${cached.version}`)) return this.versions.get(`${name}@${cached.version}`)!;
    const raw = await this.store.get(pointerKey(name));
    if (!raw) {
      if (cached && this.versions.has(`${name}@${cached.version}`)) return this.versions.get(`${name}@${cached.version}`)!;
      throw new ApiError(404, "model_not_found", `model "${name}" is not published`);
    }
    let pointer;
    try {
      pointer = PointerSchema.parse(JSON.parse(new TextDecoder().decode(raw)));
    } catch {
      return this.keepOld(name, cached, new MednerError("E401", `${pointerKey(name)} is not a valid pointer`), "current");
    }
    try {
      const model = await this.load(name, pointer.version, pointer.manifest_sha256);
      this.current.set(name, { version: pointer.version, checkedAt: this.now() });
      return model;
    } catch (err) {
      return this.keepOld(name, cached, err, pointer.version);
    }
  }

  private keepOld(name: string, cached: { version: string } | undefined, err: unknown, version: string): LoadedModel {
    const old = cached ? this.versions.get(`${name}@${cached.version}`) : undefined;
    if (old) {
      // Serve the good version, and look at the pointer again only after the TTL.
      this.current.set(name, { version: old.version, checkedAt: this.now() });
      return old;
    }
    if (err instanceof ApiError) throw err;
    throw new ApiError(503, "model_unavailable", `model "${name}" version ${version} could not be loaded`, { "Retry-After": "30" });
  }

  private load(name: string, version: string, manifestSha256: string | null): Promise<LoadedModel> {
    const id = `${name}@${version}`;
    const ready = this.versions.get(id);
    if (ready) return Promise.resolve(ready);
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.loadUncached(name, version, manifestSha256).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private async loadUncached(name: string, version: string, manifestSha256: string | null): Promise<LoadedModel> {
    const id = `${name}@${version}`;
    let served = "";
    const read = async (file: string) => {
      const bytes = await this.store.get(modelKey(name, version, file));
      if (bytes && file === "manifest.json" && manifestSha256 && (await sha256Hex(bytes)) !== manifestSha256)
        throw new MednerError("E402", `manifest.json of ${id}: sha256 does not match current.json`);
      if (bytes && file.endsWith(".onnx")) served = await sha256Hex(bytes);
      return bytes;
    };
    if (!(await this.store.get(modelKey(name, version, "manifest.json"))))
      throw new ApiError(404, "model_not_found", `model "${name}" has no version "${version}"`);
    try {
      const engine = await loadExportedTagger(read, this.createRunner);
      const model = { name, version, sha256: served, engine, loadedAt: new Date(this.now()).toISOString() };
      this.versions.set(id, model);
      this.failed.delete(name);
      this.options.log?.({ level: "info", msg: "model loaded", model: name, version });
      return model;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.failed.set(name, { name, version, error, at: new Date(this.now()).toISOString() });
      this.options.log?.({ level: "error", msg: "model failed to load", model: name, version, error });
      throw new ApiError(503, "model_unavailable", `model "${name}" version ${version} could not be loaded`, { "Retry-After": "30" });
    }
  }
}
