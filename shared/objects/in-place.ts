/**
 * Placing a user's file in the local object store without copying its bytes (embedded mode, issue
 * 11): the object at `<owner>/<uploadId>/<name>` becomes, in this order of preference,
 * 1. `link`: a hard link to the file (same filesystem): the same inode, no byte copied, and the bytes
 *    stay even if the user deletes or replaces the file (a replacement is a new inode; the object
 *    keeps the old one). An in-place edit of the file changes the object too: the local executor
 *    detects it (`executor/local/staged-inputs.ts`);
 * 2. `reflink`: a copy-on-write clone (`COPYFILE_FICLONE_FORCE`: btrfs, XFS, bcachefs… on the same
 *    filesystem, where the link is refused, e.g. `fs.protected_hardlinks` for another user's file):
 *    its own inode, sharing the blocks until one side is written, made read-only (`a-w`);
 * 3. `reference`: a symbolic link to the file's absolute path (another filesystem, no link, no
 *    clone): the object is the user's file itself, checked for changes before and after each use.
 * Nothing is ever written to the user's file, and its mode is never changed (a hard link shares it).
 */
import { constants } from 'node:fs';
import { chmod, copyFile, link, rename, rm, symlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ensureDir } from '../ensure-dir.js';
import { fileIdentity, type FileIdentity } from './file-identity.js';

/** How an object holds a user's file (`StoredInput.local.how`; `copy` is a pipe's bytes, stored by `runtime/embedded-upload.ts`). */
export type InPlaceHow = 'link' | 'reflink' | 'reference' | 'copy';

/** Errors of `link(2)` after which a clone is tried: another filesystem, links refused (protected_hardlinks) or unsupported, too many links. */
const LINK_REFUSED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'EACCES']);
/** Errors of a forced clone after which the file is referenced: no reflinks here (ext4, tmpfs), another filesystem. */
const CLONE_REFUSED = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'EPERM', 'EACCES', 'ETXTBSY']);

/** What `placeInPlace` made. */
export interface Placed {
  how: Exclude<InPlaceHow, 'copy'>;
  /** The object's file as it is once placed (symbolic links followed): the user's file's inode for `link` and `reference`, the clone's for `reflink`. */
  identity: FileIdentity;
}

/** Which ways `placeInPlace` may use, in its order (tests limit them to reach each fallback on any filesystem). */
export type PlaceWays = readonly Exclude<InPlaceHow, 'copy'>[];

/** Every way, best first. */
export const ALL_WAYS: PlaceWays = ['link', 'reflink', 'reference'];

/**
 * Makes `target` (a path in the object store whose folder may not exist yet; nothing there) hold
 * the regular file `source` (absolute), without copying a byte where the filesystem allows (module
 * comment). A clone is made under a temporary name and renamed into place; a link and a symbolic
 * link are made in place (each is atomic).
 * @throws the error of the last way tried (ENOENT when `source` is gone, EEXIST when `target` exists).
 */
export async function placeInPlace(source: string, target: string, ways: PlaceWays = ALL_WAYS): Promise<Placed> {
  ensureDir(dirname(target));
  let last: unknown;
  for (const how of ways) {
    try {
      if (how === 'link') await link(source, target);
      else if (how === 'reflink') await cloneInto(source, target);
      else await symlink(resolve(source), target); // absolute: the link is read from another folder
      return { how, identity: await fileIdentity(target) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const refused = how === 'link' ? LINK_REFUSED.has(code) : how === 'reflink' ? CLONE_REFUSED.has(code) : false;
      if (!refused) throw err;
      last = err;
    }
  }
  throw last ?? new Error(`no way to place ${source} in the object store was allowed`);
}

/** A forced copy-on-write clone of `source` at `target`, read-only, through a temporary file renamed into place. */
async function cloneInto(source: string, target: string): Promise<void> {
  const tmp = `${target}.part-${process.pid}-${Date.now()}`;
  try {
    await copyFile(source, tmp, constants.COPYFILE_FICLONE_FORCE);
    await chmod(tmp, 0o444);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
