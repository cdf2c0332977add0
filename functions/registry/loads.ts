// Load de-duplication: concurrent first requests for one version share one download and one session, instead of
// each building its own (sixteen requests on a cold isolate would otherwise load the model sixteen times).
export class SharedLoads<T> {
  private readonly pending = new Map<string, Promise<T>>();

  /** The load in flight under `key`, or a new one from `start`; forgotten once it settles, so a failure is retried. */
  run(key: string, start: () => Promise<T>): Promise<T> {
    let p = this.pending.get(key);
    if (!p) {
      p = start().finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }
}
