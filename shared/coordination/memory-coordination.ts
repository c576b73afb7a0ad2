/**
 * In-process coordination for embedded mode: one process, so a lock is a map entry and a lease
 * never expires while the process lives.
 */
import type { Coordination, Lease } from './coordination.js';

/** The in-process adapter. */
export class MemoryCoordination implements Coordination {
  private readonly locks = new Set<string>();
  private readonly docs = new Map<string, string>();
  private readonly watchers = new Set<{ prefix: string; listener: (key: string, value: unknown) => void }>();

  async tryLock(key: string): Promise<Lease | null> {
    if (this.locks.has(key)) return null;
    this.locks.add(key);
    const locks = this.locks;
    return {
      key,
      lost: false,
      onLost() {},
      async release() {
        locks.delete(key);
      },
    };
  }

  async put(key: string, value: unknown): Promise<void> {
    this.docs.set(key, JSON.stringify(value));
    for (const w of this.watchers) if (key.startsWith(w.prefix)) w.listener(key, JSON.parse(this.docs.get(key)!));
  }

  async get<T>(key: string): Promise<T | undefined> {
    const text = this.docs.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
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
