/**
 * Checksummed once (issue 11, embedded inputs): the SHA-256 of an input file is kept in the store
 * (`input_checksums`, migration 0007) by the file's identity on this machine (host, device, inode)
 * with the size, mtime and ctime it had when its bytes were read. A later run of the same,
 * unchanged file takes the SHA-256 from there without reading a byte. Any write to the file changes
 * its mtime and ctime (a `touch -d` that puts mtime back still changes ctime), and a replacement
 * (editors, `sed -i`, `rsync`) is a new inode, so a recorded checksum is used only for the very
 * bytes it was computed from. What this cannot see: a write that keeps the size and puts both times
 * back, which takes the clock being set back, or privileges (`debugfs`), by design of ctime.
 *
 * A hard link changes the file's ctime (`link(2)` updates the inode's change time): the embedded
 * upload, after linking the file into the object store, records the ctime it now has
 * (`recordChecksum`), and `toolflow gc` does the same after removing such a link.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { hostname } from 'node:os';
import type { FileIdentity } from '../objects/file-identity.js';
import type { InputChecksumRow, Store } from '../store/store.js';

/** Read size of the hash, bytes. */
const HASH_CHUNK_BYTES = 1024 * 1024;

/**
 * What this process has hashed: files and bytes read to checksum inputs. Tests read it to prove
 * that a second run of an unchanged file reads none of its bytes.
 */
export const hashed = { files: 0, bytes: 0 };

/** This machine's name in `input_checksums.host`. */
export const HOST = hostname();

/**
 * SHA-256 of the file at `path`, streamed (1 MiB reads), lowercase hex. `onProgress` gets the bytes
 * read so far after each read. @throws the read's error; an AbortError after `signal` aborts.
 */
export async function sha256OfInput(path: string, options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {}): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  hashed.files++;
  for await (const chunk of createReadStream(path, { highWaterMark: HASH_CHUNK_BYTES, signal: options.signal })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    hashed.bytes += (chunk as Buffer).length;
    options.onProgress?.(bytes);
  }
  return hash.digest('hex');
}

/** A checksum, and whether the file's bytes were read for it. */
export interface InputChecksum {
  sha256: string;
  /** False when the recorded checksum was used (no byte read). */
  hashed: boolean;
  /** When the bytes were read, epoch ms (now, or the recorded time). */
  hashedAt: number;
}

/**
 * The SHA-256 of the regular file at `path`, whose identity (`stat` just before) is `identity`:
 * the recorded one when its row matches device, inode, size, mtime and ctime, else read and hashed
 * (`sha256OfInput`). The caller checks that the file did not change while it was read (its identity
 * after equals `identity`) and records the checksum (`recordChecksum`).
 * @throws the store's error; the read's error; an AbortError after `signal` aborts.
 */
export async function checksumOf(
  store: Pick<Store, 'getInputChecksum'>,
  path: string,
  identity: FileIdentity,
  options: { signal?: AbortSignal; onProgress?: (bytes: number) => void; host?: string } = {},
): Promise<InputChecksum> {
  const row = await store.getInputChecksum({ host: options.host ?? HOST, dev: identity.dev, ino: identity.ino });
  if (row && row.size === identity.size && row.mtime_ns === identity.mtimeNs && row.ctime_ns === identity.ctimeNs) {
    options.onProgress?.(identity.size);
    return { sha256: row.sha256, hashed: false, hashedAt: row.hashed_at };
  }
  const hashedAt = Date.now();
  return { sha256: await sha256OfInput(path, options), hashed: true, hashedAt };
}

/**
 * Records the checksum of the file at `path` as it is now (`identity`: its stat now, which may
 * differ from the one it was hashed at only by its ctime, after a link toolflow made itself).
 * @throws the store's error.
 */
export async function recordChecksum(store: Pick<Store, 'putInputChecksum'>, path: string, identity: FileIdentity, sum: Pick<InputChecksum, 'sha256' | 'hashedAt'>, host = HOST): Promise<void> {
  const row: InputChecksumRow = {
    host,
    dev: identity.dev,
    ino: identity.ino,
    size: identity.size,
    mtime_ns: identity.mtimeNs,
    ctime_ns: identity.ctimeNs,
    sha256: sum.sha256,
    path,
    hashed_at: sum.hashedAt,
    seen_at: Date.now(),
  };
  await store.putInputChecksum(row);
}
