/**
 * In-process coordination for embedded mode: one process, so a lock is a map entry and a lease
 * never expires while the process lives (`expire` ends one early, for tests of lease loss).
 */
import { LeaseLostError } from '../errors.js';
import type { Coordination, Lease, LockHolder } from './coordination.js';

interface MemoryLease extends Lease {
  lost: boolean;
  listeners: (() => void)[];
}

/** The in-process adapter. */
export class MemoryCoordination implements Coordination {
  private readonly locks = new Map<string, MemoryLease>();
  private readonly docs = new Map<string, string>();
  private readonly watchers = new Set<{ prefix: string; listener: (key: string, value: unknown) => void }>();
  /** Fencing tokens: microseconds since the epoch at start, so they keep growing across restarts of the one process that uses a store. */
  private revision = Date.now() * 1000;

  async tryLock(key: string): Promise<Lease | null> {
    if (this.locks.has(key)) return null;
    const locks = this.locks;
    const lease: MemoryLease = {
      key,
      token: ++this.revision,
      lost: false,
      listeners: [],
      onLost(listener) {
        lease.listeners.push(listener);
      },
      async release() {
        if (locks.get(key) === lease) locks.delete(key);
      },
    };
    locks.set(key, lease);
    return lease;
  }

  async lockHolder(key: string): Promise<LockHolder | null> {
    return this.locks.has(key) ? {} : null;
  }

  /** Ends a lock's lease as if its TTL had run out: the lock is free, its holder is told. */
  expire(key: string): void {
    const lease = this.locks.get(key);
    if (!lease) return;
    this.locks.delete(key);
    lease.lost = true;
    for (const l of lease.listeners) l();
  }

  async put(key: string, value: unknown, options: { fence?: Lease } = {}): Promise<void> {
    const fence = options.fence;
    if (fence && this.locks.get(fence.key)?.token !== fence.token) throw new LeaseLostError(`write to ${key} refused: the lock ${fence.key} (token ${fence.token}) is no longer held`);
    this.revision++;
    this.docs.set(key, JSON.stringify(value));
    for (const w of this.watchers) if (key.startsWith(w.prefix)) w.listener(key, JSON.parse(this.docs.get(key)!));
  }

  async get<T>(key: string): Promise<T | undefined> {
    const text = this.docs.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async list<T>(prefix: string): Promise<Array<[string, T]>> {
    return [...this.docs.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, JSON.parse(v) as T]);
  }

  watch(prefix: string, listener: (key: string, value: unknown) => void): () => void {
    const w = { prefix, listener };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }
}
