/**
 * The coordination port (etcd in services mode, in-process in embedded mode): task locks held as
 * leases with a TTL, and small status documents (upload status) with watch. Adapters: in-process
 * (`memory-coordination.ts`), the database's `locks` table (`store-coordination.ts`: embedded mode,
 * and services mode without etcd), etcd (`etcd-coordination.ts`).
 */
import type { ProcessIdentity } from '../process-identity.js';

/**
 * A held lock. `lost` becomes true, and `onLost` listeners run, when the lease ends without release
 * (its TTL ran out: the holder was paused or cut off).
 */
export interface Lease {
  readonly key: string;
  /**
   * Fencing token: grows with every new holder of any lock (etcd: the revision at which the lock key
   * was created). A write fenced by this lease is refused once another holder has the lock
   * (M. Kleppmann, "How to do distributed locking", 2016).
   */
  readonly token: number;
  readonly lost: boolean;
  onLost(listener: () => void): void;
  release(): Promise<void>;
}

/** Who holds a lock, as far as the adapter knows. */
export interface LockHolder {
  /** The holding process, where the adapter records it (store-held locks do; etcd's do not). */
  holder?: ProcessIdentity;
  /** Epoch ms when the lease runs out unless renewed, where known. */
  expiresAt?: number;
}

/** Upload status documents of the design doc. */
export type UploadStatus = 'ongoing' | 'successful' | 'failed';

/** The coordination port. */
export interface Coordination {
  /**
   * Tries to take the lock `key` (e.g. `locks/task/<id>`) for `ttlSeconds`, renewed while held.
   * @returns the lease, or null when someone else holds it (the caller then ignores the work).
   * @param options.signal stops the attempt (AbortedError) where the adapter may wait on a server
   *   (etcd: bounded by a deadline too, ServiceUnavailableError naming etcd).
   */
  tryLock(key: string, ttlSeconds: number, options?: { signal?: AbortSignal }): Promise<Lease | null>;
  /**
   * Who holds the lock `key` now: null when it is free (never taken, released, expired, or its
   * holder is known to be dead). `toolflow status` uses it to tell a task whose driver is gone.
   */
  lockHolder(key: string): Promise<LockHolder | null>;
  /**
   * Stores a JSON document. With `fence`, the write happens only while that lease still holds its lock.
   * @throws LeaseLostError when fenced by a lease whose lock is gone or held by someone else.
   */
  put(key: string, value: unknown, options?: { fence?: Lease }): Promise<void>;
  /** @returns the document, or undefined. */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Every document whose key starts with `prefix`, sorted by key (the upload sweeper and the
   * per-owner quota read `uploads/<owner>/`). @returns `[key, document]` pairs.
   */
  list<T>(prefix: string): Promise<Array<[string, T]>>;
  /** Calls `listener` on every later put under `prefix`. @returns a function that stops watching. */
  watch(prefix: string, listener: (key: string, value: unknown) => void): () => void;
  close(): Promise<void>;
}
