/**
 * Object store in a local folder (embedded mode). Writes go to a temporary file first and are
 * renamed into place, so a reader never sees half an object.
 */
import { constants } from 'node:fs';
import { copyFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { ensureDir } from '../ensure-dir.js';
import { dirname, join, relative, sep } from 'node:path';
import { NotFoundError } from '../errors.js';
import { checkObjectKey, type ObjectInfo, type ObjectStore } from './object-store.js';

/** The local folder adapter. */
export class LocalObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    return join(this.root, ...checkObjectKey(key).split('/'));
  }

  async putFile(key: string, path: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    options.signal?.throwIfAborted();
    const target = this.pathOf(key);
    ensureDir(dirname(target));
    const tmp = `${target}.part-${process.pid}-${Date.now()}`;
    try {
      await copyFile(path, tmp, constants.COPYFILE_FICLONE);
      options.signal?.throwIfAborted();
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { key, size: (await stat(target)).size };
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
        .filter((d) => d.isFile() && !d.name.includes('.part-'))
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
