/**
 * The sidecar's reads and writes in the Pod's shared folder. The tool runs beside it and can write
 * anything there (as its own user), so the sidecar never trusts a name to be what it says:
 * - hand-over files (`exit`, `mem`, `started`…) are opened with `O_NOFOLLOW` and must be regular
 *   files; their text is parsed strictly and never put in a log or a message (a symlink to the
 *   sidecar's own `/proc/self/environ` would otherwise hand its credentials to the tool's user);
 * - files read from the work dir (outputs to upload, `stderr.log` for the tail) are opened first
 *   and checked after, on the open descriptor: regular file, and its real path (the kernel's
 *   `/proc/self/fd/N` link) inside the work dir's real path. Symlinks within the work dir are
 *   fine; one out of it is refused whatever the tool swaps meanwhile;
 * - the sidecar's own files are written to a fresh temporary name (`O_EXCL`, so no planted symlink is
 *   followed) and renamed into place, so the wrapper never sees half of one.
 * Linux only (`/proc/self/fd`), as the sidecar's container is.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';

/** Longest hand-over file read, bytes (they hold a line of numbers or a message). */
const HAND_OVER_MAX_BYTES = 64 * 1024;

/** True when `name` exists in `dir` (as anything: the wrapper's markers are tested with `[ -e ]`). */
export function present(dir: string, name: string): boolean {
  try {
    lstatSync(join(dir, name));
    return true;
  } catch {
    return false;
  }
}

/**
 * The text of hand-over file `name` in `dir`, at most 64 KiB. @returns undefined when it is absent,
 * a symlink, or not a regular file.
 */
export function readHandOver(dir: string, name: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(HAND_OVER_MAX_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Writes `content` to `dir/name` whole: a fresh temporary file (`O_EXCL`), then a rename over the name. */
export function writeHandOver(dir: string, name: string, content: string, mode = 0o644): void {
  const tmp = join(dir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, content, { flag: 'wx', mode });
    renameSync(tmp, join(dir, name));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A file of the work dir opened for reading: `path` is its `/proc/self/fd/N` link (reads the very file opened). */
export interface OpenedFile {
  fd: number;
  path: string;
  size: number;
  close(): void;
}

/** Why a file of the work dir cannot be read (see `openInside`). */
export type NotOpened = 'absent' | 'not a regular file' | 'outside the work dir' | 'not readable by the sidecar (permissions)';

/**
 * Opens `root/<segments…>` for reading, following symlinks, then checks the descriptor: a regular
 * file whose real path is inside `root`. Only `root`'s parent is resolved (the Pod's volume mount,
 * which the tool cannot replace), never `root` itself: a tool that turns `work/` into a symlink to
 * `/` gets nothing. Opened non-blocking, so a FIFO cannot hang it.
 * @returns the opened file, or why not (nothing opened then).
 */
export function openInside(root: string, segments: readonly string[]): OpenedFile | NotOpened {
  let rootReal: string;
  let fd: number;
  try {
    rootReal = join(realpathSync(dirname(root)), basename(root));
    fd = openSync(join(rootReal, ...segments), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    return code === 'EACCES' || code === 'EPERM' ? 'not readable by the sidecar (permissions)' : 'not a regular file';
  }
  let keep = false;
  try {
    const st = fstatSync(fd);
    const real = readlinkSync(`/proc/self/fd/${fd}`).replace(/ \(deleted\)$/, '');
    if (!real.startsWith(rootReal + sep)) return 'outside the work dir';
    if (!st.isFile()) return 'not a regular file';
    keep = true;
    return { fd, path: `/proc/self/fd/${fd}`, size: st.size, close: () => closeSync(fd) };
  } catch {
    return 'not a regular file';
  } finally {
    if (!keep) closeSync(fd);
  }
}

/** The last `bytes` bytes of an opened file as UTF-8 (a character cut at the start shows as U+FFFD, as the local executor's tail). */
export function tailOf(file: OpenedFile, bytes: number): string {
  const length = Math.min(file.size, bytes);
  const buf = Buffer.alloc(length);
  const n = length > 0 ? readSync(file.fd, buf, 0, length, file.size - length) : 0;
  return buf.subarray(0, n).toString('utf8');
}
