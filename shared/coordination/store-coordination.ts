/**
 * Coordination whose locks live in the database every process already shares (the `locks` table):
 * embedded mode, where several `toolflow` processes on one machine share one SQLite file, and services
 * mode without etcd (MySQL). Documents (upload status) stay in process.
 *
 * A lock is a row with a fencing token, its holder's identity and an expiry; the holder renews it
 * every third of its TTL. It is free once released, once expired, or at once when its holder ran on
 * this machine and is known to be dead (its pid is gone or reused: `process-identity.ts`), so a
 * `toolflow resume` after a crash need not wait for the TTL, and one of a task a live process drives
 * is refused. A holder that cannot renew before expiry is told its lease is lost (as with etcd).
 *
 * Why a row rather than an OS file lock (flock): it works the same on MySQL between machines, carries
 * a fencing token for the store's fenced writes, and needs no native module; liveness by pid and
 * start time gives the immediate take-over a file lock would.
 */
import type { Logger } from 'pino';
import { LeaseLostError } from '../errors.js';
import { currentProcess, isKnownDead, parseIdentity, type ProcessIdentity } from '../process-identity.js';
import type { Store } from '../store/store.js';
import type { Coordination, Lease, LockHolder } from './coordination.js';
import { MemoryCoordination } from './memory-coordination.js';

/** Options of the store-backed coordination. */
export interface StoreCoordinationOptions {
  log: Logger;
  /** What this process is, recorded on its locks for messages (`toolflow run`). */
  what?: string;
}

/** The store-backed adapter of the coordination port. */
export class StoreCoordination implements Coordination {
  private readonly docs = new MemoryCoordination();
  private readonly held = new Set<{ stop(): void; release(): Promise<void> }>();
  private readonly identity: ProcessIdentity;

  constructor(
    private readonly store: Store,
    private readonly options: StoreCoordinationOptions,
  ) {
    this.identity = currentProcess(options.what);
  }

  async tryLock(key: string, ttlSeconds: number): Promise<Lease | null> {
    const ttlMs = ttlSeconds * 1000;
    const token = await this.store.acquireLock(key, JSON.stringify(this.identity), ttlMs, (holder) => {
      const who = parseIdentity(holder);
      return who !== null && isKnownDead(who);
    });
    if (token === null) return null;
    const listeners: (() => void)[] = [];
    let expiresAt = Date.now() + ttlMs;
    let released = false;
    const log = this.options.log;
    const loseIt = () => {
      if (lease.lost || released) return;
      lease.lost = true;
      stop();
      log.warn({ key, token }, 'lock lease lost');
      for (const l of listeners) l();
    };
    const timer = setInterval(() => {
      const started = Date.now();
      this.store.renewLock(key, token, ttlMs).then(
        (ok) => {
          if (released) return;
          if (ok) expiresAt = started + ttlMs;
          else loseIt();
        },
        (err: unknown) => {
          log.warn({ key, err: (err as Error).message }, 'lock renewal failed; trying again');
          if (Date.now() >= expiresAt) loseIt();
        },
      );
    }, Math.max(250, ttlMs / 3));
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      this.held.delete(handle);
    };
    const handle = {
      stop,
      release: async () => {
        if (released) return;
        released = true;
        stop();
        await this.store.releaseLock(key, token).catch((err: unknown) => log.warn({ key, err: (err as Error).message }, 'lock release failed; it will expire'));
      },
    };
    this.held.add(handle);
    const lease = {
      key,
      token,
      lost: false,
      onLost(listener: () => void) {
        if (lease.lost) listener();
        else listeners.push(listener);
      },
      release: handle.release,
    };
    return lease;
  }

  async lockHolder(key: string): Promise<LockHolder | null> {
    const row = await this.store.getLock(key);
    if (!row || row.expires_at <= Date.now()) return null;
    const who = parseIdentity(row.holder);
    if (who && isKnownDead(who)) return null;
    return { holder: who ?? undefined, expiresAt: row.expires_at };
  }

  async put(key: string, value: unknown, options: { fence?: Lease } = {}): Promise<void> {
    const fence = options.fence;
    if (fence && (fence.lost || (await this.store.getLock(fence.key))?.token !== fence.token)) {
      throw new LeaseLostError(`write to ${key} refused: the lock ${fence.key} (token ${fence.token}) is no longer held`);
    }
    return this.docs.put(key, value);
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.docs.get<T>(key);
  }

  list<T>(prefix: string): Promise<Array<[string, T]>> {
    return this.docs.list<T>(prefix);
  }

  watch(prefix: string, listener: (key: string, value: unknown) => void): () => void {
    return this.docs.watch(prefix, listener);
  }

  /** Releases every lock still held (a closing process frees its tasks for others at once). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.held].map((h) => h.release()));
    await this.docs.close();
  }
}
