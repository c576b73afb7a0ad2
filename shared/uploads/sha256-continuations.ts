/**
 * The SHA-256 of each upload this process is writing, kept live between its writes (tus PATCHes),
 * so a write that starts where the last one of this process ended hashes on without reading the
 * stored bytes back. Node's `crypto.createHash('sha256')` (OpenSSL) cannot save its state, so the
 * continuation lives only in this process: a write elsewhere (another replica, after a restart) or
 * at any other offset finds none, and the upload's SHA-256 is then computed at its end by streaming
 * the finished object back from the store (`upload-store.ts` `sha256Stored`).
 *
 * Bounded: at most `maxEntries` uploads (default 10,000; the oldest dropped first: their uploads
 * fall back to the read-back), each a few hundred bytes of OpenSSL state.
 */
import { createHash, type Hash } from 'node:crypto';

/** Uploads whose live hash is kept at most, by default. */
export const MAX_CONTINUATIONS = 10_000;

/** The live hashes of one process's uploads (see the module's doc). */
export class Sha256Continuations {
  /** Upload id → the hash of its bytes [0, at). Insertion order is age order (re-inserted on every keep). */
  private readonly live = new Map<string, { hash: Hash; at: number }>();

  /** @param maxEntries uploads kept at most (the oldest dropped first). */
  constructor(private readonly maxEntries = MAX_CONTINUATIONS) {}

  /**
   * The hash a write of upload `id` starting at byte `offset` continues, taken out of the registry
   * (a concurrent write finds none, and `keep` puts it back): a new one at offset 0, the live one
   * when it has hashed exactly the bytes before `offset`, else undefined (the write hashes nothing:
   * the SHA-256 is read back at the end). A live hash at another offset is dropped.
   */
  take(id: string, offset: number): Hash | undefined {
    const entry = this.live.get(id);
    this.live.delete(id);
    if (offset === 0) return createHash('sha256');
    return entry && entry.at === offset ? entry.hash : undefined;
  }

  /** Keeps `hash`, which has hashed the bytes [0, `at`) of upload `id`, for the next write. */
  keep(id: string, hash: Hash, at: number): void {
    this.live.delete(id);
    this.live.set(id, { hash, at });
    while (this.live.size > this.maxEntries) this.live.delete(this.live.keys().next().value as string);
  }

  /** Forgets upload `id` (it ended, was aborted or swept). */
  drop(id: string): void {
    this.live.delete(id);
  }

  /** Whether a live hash of upload `id` is kept, and at which offset (undefined: none). For tests and diagnostics. */
  offsetOf(id: string): number | undefined {
    return this.live.get(id)?.at;
  }

  /** How many uploads have a live hash. */
  get size(): number {
    return this.live.size;
  }
}
