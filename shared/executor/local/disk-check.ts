/**
 * Telling a full filesystem from the work dir itself. When a tool's work dir is on a full
 * filesystem, its `stderr.log` is on that filesystem too and stays empty, so "No space left on
 * device" is never read there; the executor therefore asks the filesystem (statfs(2)) when a failed
 * attempt ends, and treats ENOSPC from its own writes (`command.sh`, staged inputs) as proof.
 */
import { statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ExitDetails } from '../../events/catalog.js';

/** A filesystem's state: its mount point, bytes the tool's user may still write, its size, free inodes (null: not counted). */
export type DiskState = NonNullable<ExitDetails['diskFull']>;

/** Below this many free bytes a filesystem counts as full (one MiB: less than most tools write in one go). */
export const FULL_BELOW_BYTES = 1024 * 1024;
/** …or below this share of its size, up to `FULL_SHARE_CAP_BYTES` (a big disk with 0.1 % left is full for data tools). */
export const FULL_BELOW_SHARE = 0.001;
export const FULL_SHARE_CAP_BYTES = 100 * 1024 * 1024;

/** True for the errors a write gets on a full filesystem or an exhausted quota (ENOSPC, EDQUOT). */
export function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The nearest existing folder at or above `path`. */
function existingAncestor(path: string): string {
  let at = resolve(path);
  for (;;) {
    try {
      statSync(at);
      return at;
    } catch {
      const up = dirname(at);
      if (up === at) return at;
      at = up;
    }
  }
}

/** The mount point of the filesystem holding `path`: its highest ancestor on the same device. */
function mountPoint(path: string): string {
  let at = existingAncestor(path);
  const dev = statSync(at).dev;
  for (;;) {
    const up = dirname(at);
    if (up === at) return at;
    try {
      if (statSync(up).dev !== dev) return at;
    } catch {
      return at;
    }
    at = up;
  }
}

/**
 * The state of the filesystem holding `path` (or its nearest existing ancestor). Free bytes are
 * `bfree` for root, who may use the blocks ext4 reserves for it, and `bavail` for anyone else, since
 * tools run as toolflow's own user. @returns null when statfs fails (not Linux, path unreachable).
 */
export function filesystemState(path: string): DiskState | null {
  try {
    const at = existingAncestor(path);
    const s = statfsSync(at);
    const root = process.getuid?.() === 0;
    return {
      path: mountPoint(at),
      freeBytes: Number(root ? s.bfree : s.bavail) * Number(s.bsize),
      totalBytes: Number(s.blocks) * Number(s.bsize),
      freeInodes: Number(s.files) > 0 ? Number(s.ffree) : null,
    };
  } catch {
    return null;
  }
}

/** Whether a filesystem state counts as full: free bytes below the thresholds above, or no inode left. */
export function isFull(state: DiskState): boolean {
  const threshold = Math.max(FULL_BELOW_BYTES, Math.min(state.totalBytes * FULL_BELOW_SHARE, FULL_SHARE_CAP_BYTES));
  return state.freeBytes < threshold || state.freeInodes === 0;
}

/**
 * The first full filesystem among those holding `paths` (each filesystem looked at once).
 * @param paths e.g. the attempt's work dir and its TMPDIR.
 * @returns its state, or null when none is full.
 */
export function fullFilesystem(paths: readonly string[]): DiskState | null {
  const seen = new Set<string>();
  for (const p of paths) {
    const state = filesystemState(p);
    if (!state || seen.has(state.path)) continue;
    seen.add(state.path);
    if (isFull(state)) return state;
  }
  return null;
}
