// Aggregates (light counts, property summaries) cost a scan of every device in scope, yet change
// only when a device changes — and every such change arrives as a live event (NOTIFY). So they are
// kept until the next live event, or for a few seconds at most (changes made without NOTIFY,
// e.g. a bulk import, show up after that). Concurrent requests for the same key share one query.
import { liveHub, type LiveHub } from './live';

export class LiveCache<T> {
  private readonly entries = new Map<string, { expires: number; value: Promise<T> }>();
  private hub: LiveHub | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    this.followHub();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = compute();
    const entry = { expires: now + this.ttlMs, value };
    // Failures are not cached: the next request tries again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Any live event may change what is cached; a replaced hub (after shutdown in tests) is followed. */
  private followHub(): void {
    const hub = liveHub();
    if (this.hub === hub) return;
    this.hub = hub;
    this.clear();
    hub.subscribe(() => this.clear());
  }
}
