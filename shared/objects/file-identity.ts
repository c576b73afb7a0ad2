/**
 * A file's identity and stamp, as embedded-mode inputs are recorded and checked (issue 11,
 * "Embedded mode"): `stat(2)` with 64-bit numbers (`{bigint: true}`), kept as decimal text, since
 * device and inode numbers and nanosecond times pass 2^53.
 *
 * - The **checksum cache** (`runtime/input-checksums.ts`) trusts a recorded SHA-256 while the file's
 *   device, inode, size, mtime and ctime are unchanged: a write changes mtime and ctime, a `touch -d`
 *   that puts mtime back still changes ctime, a replacement (editors, `sed -i`, `rsync`) changes the inode.
 * - The **stamp** (inode, size, mtime) is what the local executor compares before and after a tool
 *   runs, and against what was recorded at submission. ctime is left out there: a hard link made or
 *   removed by another run of the same file (`link(2)`, `unlink(2)`) changes it without changing a byte.
 */
import { statSync, type BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';

/** What `stat(2)` says of a file (symbolic links followed), numbers as decimal text where they may pass 2^53. */
export interface FileIdentity {
  dev: string;
  ino: string;
  /** Bytes. */
  size: number;
  /** Modification time, ns since the epoch. */
  mtimeNs: string;
  /** Status change time, ns since the epoch. */
  ctimeNs: string;
  /** Hard links to the inode. */
  nlink: number;
  /** A regular file (not a pipe, a device, a directory). */
  isFile: boolean;
}

/** The part of an identity a tool's run or a user's edit changes: inode, size, modification time. */
export type FileStamp = Pick<FileIdentity, 'ino' | 'size' | 'mtimeNs'>;

/** An identity from 64-bit stats. */
export function identityOf(st: BigIntStats): FileIdentity {
  return {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    size: Number(st.size),
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
    nlink: Number(st.nlink),
    isFile: st.isFile(),
  };
}

/** The identity of the file at `path` (symbolic links followed). @throws the `stat` error (ENOENT…). */
export async function fileIdentity(path: string): Promise<FileIdentity> {
  return identityOf(await stat(path, { bigint: true }));
}

/** `fileIdentity`, synchronous (a stat: microseconds), or undefined when there is nothing at `path`. @throws other `stat` errors. */
export function fileIdentitySync(path: string): FileIdentity | undefined {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  return st && identityOf(st);
}

/** Whether two identities have the same inode, size and mtime (`FileStamp`). */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** Whether two identities are of the same, unchanged file: device, inode, size, mtime and ctime. */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && sameStamp(a, b) && a.ctimeNs === b.ctimeNs;
}

/** An mtime in ns as an ISO time (ms precision), for messages. */
export function mtimeText(mtimeNs: string): string {
  return new Date(Number(BigInt(mtimeNs) / 1_000_000n)).toISOString();
}

/**
 * How `after` differs from `before`, for people: `400000000 → 400000006 bytes`, `modified at
 * 2025-01-02T03:04:05.678Z (was 2025-…)`, `replaced by another file (inode 12 → 13)`; several
 * joined with `, `. Empty when the stamps are the same.
 */
export function describeChange(before: FileStamp, after: FileStamp): string {
  const parts: string[] = [];
  if (before.ino !== after.ino) parts.push(`replaced by another file (inode ${before.ino} → ${after.ino})`);
  if (before.size !== after.size) parts.push(`${before.size} → ${after.size} bytes`);
  if (before.mtimeNs !== after.mtimeNs) parts.push(`modified at ${mtimeText(after.mtimeNs)} (was ${mtimeText(before.mtimeNs)})`);
  return parts.join(', ');
}
