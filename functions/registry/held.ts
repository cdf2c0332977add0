// The versions this isolate holds, the requests running on each, and their release: a version that is no longer
// current (superseded, republished in place, unpublished, or only ever asked for by name@version) is released once no
// request has used it for `idleReleaseMs`, so an isolate or a long-lived Node server does not keep every version it
// ever served.
import type { Recognizer } from "../served-model.ts";

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

export interface HeldOptions {
  idleReleaseMs: number;
  now: () => number;
  log?: (line: Record<string, unknown>) => void;
}

export class HeldModels {
  /** The model that answers for name@version: the latest manifest loaded under it. */
  private readonly byId = new Map<string, LoadedModel>();
  /** Every model held and not yet released (one replaced in byId included), with its requests now and its last use. */
  private readonly uses = new Map<LoadedModel, { inflight: number; lastUsedMs: number }>();

  constructor(private readonly o: HeldOptions) {}

  get(name: string, version: string): LoadedModel | undefined {
    return this.byId.get(`${name}@${version}`);
  }

  /** Whether `model` is still held: false once released, even if a caller kept a reference to it. */
  holds(model: LoadedModel): boolean {
    return this.uses.has(model);
  }

  list(): LoadedModel[] {
    return [...this.byId.values()];
  }

  /** Holds a loaded engine as the model for name@version, counting the requests that run on it. */
  add(name: string, version: string, manifestSha256: string, loaded: Recognizer): LoadedModel {
    const use = { inflight: 0, lastUsedMs: this.o.now() };
    const engine: Recognizer = {
      ...loaded,
      predict: async (texts, options) => {
        use.inflight++;
        try {
          return await loaded.predict(texts, options);
        } catch (err) {
          // onnxruntime's wasm can throw a bare number (a C++ exception's address); Hono hands only Errors to onError,
          // so anything else would escape it and the runtime would answer its own plain-text 500. The value itself is
          // left out: it could hold a piece of the note.
          throw err instanceof Error ? err : new Error(`the model threw a non-Error value (${typeof err})`);
        } finally {
          use.inflight--;
          use.lastUsedMs = this.o.now();
        }
      },
    };
    // The loader verified the served file against its manifest entry, so its sha256 is known without hashing again.
    const model = { name, version, sha256: engine.servedSha256, manifestSha256, kind: engine.kind, engine, loadedAt: new Date(this.o.now()).toISOString() };
    this.uses.set(model, use);
    this.byId.set(`${name}@${version}`, model);
    return model;
  }

  /** Marks `model` used now: a route calls predict well within idleReleaseMs of resolving it. */
  touch(model: LoadedModel): void {
    const use = this.uses.get(model);
    if (use) use.lastUsedMs = this.o.now();
  }

  /** Releases the models that are not current and that no request has used for idleReleaseMs; returns them. */
  releaseIdle(currentVersion: (name: string) => string | undefined): LoadedModel[] {
    const released: LoadedModel[] = [];
    for (const [model, use] of this.uses) {
      const id = `${model.name}@${model.version}`;
      const isCurrent = this.byId.get(id) === model && currentVersion(model.name) === model.version;
      if (isCurrent || use.inflight > 0 || this.o.now() - use.lastUsedMs <= this.o.idleReleaseMs) continue;
      this.uses.delete(model);
      if (this.byId.get(id) === model) this.byId.delete(id);
      released.push(model);
      this.o.log?.({ level: "info", msg: "model released", model: model.name, version: model.version });
      model.engine.release().catch((err: unknown) => this.o.log?.({ level: "error", msg: "model release failed", model: model.name, version: model.version, error: (err as Error).message }));
    }
    return released;
  }
}
