// The registry's failure log: versions (or a model's pointer, as name@current) that failed to load, for /health, and
// the answer to "did this very manifest fail moments ago?", so that a broken version is not downloaded on every request.
export interface LoadFailure {
  name: string;
  version: string;
  error: string;
  at: string;
}

type Entry = LoadFailure & { atMs: number; manifestSha256?: string };

export class FailureLog {
  /** Keyed by name@version: one entry, the latest, per version. */
  private readonly byId = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  record(name: string, version: string, error: string, manifestSha256?: string): void {
    const atMs = this.now();
    this.byId.set(`${name}@${version}`, { name, version, error, at: new Date(atMs).toISOString(), atMs, ...(manifestSha256 ? { manifestSha256 } : {}) });
  }

  /** Whether this version, with this very manifest, failed to load within the last `ttlMs`. */
  failedRecently(name: string, version: string, manifestSha256: string, ttlMs: number): boolean {
    const f = this.byId.get(`${name}@${version}`);
    return f?.manifestSha256 === manifestSha256 && this.now() - f.atMs < ttlMs;
  }

  clear(name: string, version: string): void {
    this.byId.delete(`${name}@${version}`);
  }

  /** Forgets every failure of `name`: once a good pointer serves, they are history, not the state to report. */
  clearModel(name: string): void {
    for (const [id, f] of this.byId) if (f.name === name) this.byId.delete(id);
  }

  list(): LoadFailure[] {
    return [...this.byId.values()].map(({ atMs, manifestSha256, ...f }) => f);
  }
}
