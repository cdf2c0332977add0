// What the store last said, and when: the version each model's current.json named, and when a version asked for by
// name@version was last checked against its manifest. Both are trusted for `ttlMs`, so a request does not read the
// store every time, and a pointer flip or a version republished in place is seen within the TTL.
export class PointerCache {
  private readonly current = new Map<string, { version: string; checkedAt: number }>();
  private readonly pinned = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The version current.json named when last read, fresh or not (a stale one is what serves when the store fails). */
  currentVersion(name: string): string | undefined {
    return this.current.get(name)?.version;
  }

  /** Whether current.json was read within the TTL. */
  isFresh(name: string): boolean {
    const c = this.current.get(name);
    return c !== undefined && this.now() - c.checkedAt < this.ttlMs;
  }

  setCurrent(name: string, version: string): void {
    this.current.set(name, { version, checkedAt: this.now() });
  }

  /** current.json is gone: the model is unpublished, and no version of it is current. */
  unpublished(name: string): void {
    this.current.delete(name);
  }

  /** Whether name@version was checked against its manifest within the TTL. */
  isPinnedFresh(name: string, version: string): boolean {
    return this.now() - (this.pinned.get(`${name}@${version}`) ?? -Infinity) < this.ttlMs;
  }

  pinnedChecked(name: string, version: string): void {
    this.pinned.set(`${name}@${version}`, this.now());
  }

  forgetPinned(name: string, version: string): void {
    this.pinned.delete(`${name}@${version}`);
  }
}
