/**
 * Object store in a local folder (embedded mode). Writes go to a temporary file first and are
 * renamed into place, so a reader never sees half an object. Inputs of embedded runs are placed in
 * place instead (`placeInput`, `in-place.ts`): an object may be a hard link to a user's file, a
 * reflink clone, or a symbolic link to it; reads follow the link, `delete` removes the link only.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, link, readdir, rename, rm, stat } from 'node:fs/promises';
import { ensureDir } from '../ensure-dir.js';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { NotFoundError } from '../errors.js';
import { checkObjectKey, type ObjectInfo, type ObjectStore, type StoredObject } from './object-store.js';
import { placeInPlace, type Placed, type PlaceWays } from './in-place.js';

/** Link errors after which `copy` copies the file instead: another filesystem, links refused or not supported, too many links. */
const LINK_REFUSED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

/** The local folder adapter. */
export class LocalObjectStore implements ObjectStore {
  /** The folder of the objects, absolute (a staged input is a symbolic link to a file under it, so a relative root would point nowhere from the work dir). */
  readonly root: string;

  /** @param root the folder of the objects, made absolute (the upload store, `uploads/tus-data-stores.ts`, writes uploads into it). */
  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkObjectKey(key).split('/'));
  }

  /**
   * The file of the object at `key` (it may not exist), for the local executor, which links inputs
   * to it instead of copying them. @throws Error for an invalid key (`checkObjectKey`).
   */
  fileOf(key: string): string {
    return this.pathOf(key);
  }

  /**
   * Makes the object at `key` (none there yet) hold the user's regular file `path` (absolute)
   * without copying its bytes: a hard link, else a reflink clone, else a symbolic link to it
   * (`in-place.ts`). `ways` limits the ways tried (tests). @returns how, and the object's file's identity.
   * @throws the filesystem's error (ENOENT when `path` is gone; EEXIST when the key is taken).
   */
  placeInput(key: string, path: string, ways?: PlaceWays): Promise<Placed> {
    return placeInPlace(path, this.pathOf(key), ways);
  }

  /** Copies the file in (`COPYFILE_FICLONE`: a reflink where the filesystem has them), hashing the copy before it is renamed into place. */
  async putFile(key: string, path: string, options: { signal?: AbortSignal } = {}): Promise<StoredObject> {
    options.signal?.throwIfAborted();
    const target = this.pathOf(key);
    ensureDir(dirname(target));
    const tmp = `${target}.part-${process.pid}-${Date.now()}`;
    let sha256: string;
    try {
      await copyFile(path, tmp, constants.COPYFILE_FICLONE);
      options.signal?.throwIfAborted();
      sha256 = await sha256Of(tmp);
      options.signal?.throwIfAborted();
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { key, size: (await stat(target)).size, sha256 };
  }

  /**
   * A hard link of the object's file at the new key (objects are never changed in place: a put
   * renames a new file over the name), or a copy where the link is refused; made under a temporary
   * name and renamed into place, so it replaces any object there whole.
   */
  async copy(fromKey: string, toKey: string): Promise<ObjectInfo> {
    const source = this.pathOf(fromKey);
    const target = this.pathOf(toKey);
    const st = await stat(source).catch(() => undefined);
    if (!st?.isFile()) throw new NotFoundError(`no object ${fromKey}`);
    ensureDir(dirname(target));
    const tmp = `${target}.part-${process.pid}-${Date.now()}`;
    try {
      try {
        await link(source, tmp);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new NotFoundError(`no object ${fromKey}`);
        if (!code || !LINK_REFUSED.has(code)) throw err;
        await copyFile(source, tmp, constants.COPYFILE_FICLONE);
      }
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no object ${fromKey}`);
      throw err;
    }
    return { key: toKey, size: (await stat(target)).size };
  }

  async getToFile(key: string, path: string): Promise<void> {
    try {
      await copyFile(this.pathOf(key), path, constants.COPYFILE_FICLONE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no object ${key}`);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const st = await stat(this.pathOf(key));
      return st.isFile() ? { key, size: st.size } : undefined;
    } catch {
      return undefined;
    }
  }

  async list(prefix: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = (await readdir(this.root, { recursive: true, withFileTypes: true }))
        // A symbolic link is an input referenced in place (`placeInput`), not followed here.
        .filter((d) => (d.isFile() || d.isSymbolicLink()) && !d.name.includes('.part-'))
        .map((d) => relative(this.root, join(d.parentPath, d.name)).split(sep).join('/'));
    } catch {
      return [];
    }
    return entries.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** SHA-256 of a file's bytes, lowercase hex, streamed. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
