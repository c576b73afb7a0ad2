/**
 * The tus data store under the upload decorator (`upload-store.ts`), picked from the object store
 * adapter, so an upload's bytes land where the object store reads them:
 *
 * - `S3ObjectStore` → `@tus/s3-store` `S3Store` (S3 multipart, one part per `partBytes` or more),
 *   same bucket, endpoint and credentials, with tus's own objects kept off the file's folder:
 *   `_tus/<owner>/<uploadId>.info` (the upload's tus record) and `_tus/<owner>/<uploadId>.part`
 *   (the tail shorter than S3's 5 MiB minimum part, kept between PATCHes). No object tags
 *   (`useTags: false`: S3-compatible servers differ there; expiry is toolflow's sweeper).
 * - `LocalObjectStore` → `@tus/file-store` `FileStore` writing each upload at its object's path
 *   (`<objects root>/<owner>/<uploadId>/<name>`, folders made first), its JSON records kept out of
 *   the objects folder, in `<objects root>/../uploads-tus/<owner>/<uploadId>.json`.
 *
 * The S3 store (`tus-s3-store.ts`) is imported only when an S3 object store is used (embedded mode
 * never loads it).
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import type { DataStore, KvStore, Upload } from '@tus/utils';
import { ConfigError } from '../errors.js';
import { LocalObjectStore } from '../objects/local-object-store.js';
import { checkObjectKey, type ObjectStore } from '../objects/object-store.js';
import { UPLOAD_ID, type UploadSettings } from './upload-doc.js';

/** What the upload decorator needs of the tus store under it, beyond tus's `DataStore`. */
export interface InnerStore extends DataStore {
  /** The bytes of a finished upload (its object), from the first. @throws when there is none. */
  read(id: string): Readable | Promise<Readable>;
  /**
   * The first `bytes` bytes of an unfinished upload that holds no more than 64 KiB (S3: they are
   * all in its `.part` object, S3's minimum part being 5 MiB). @returns fewer when fewer are stored.
   */
  readStart(id: string, bytes: number): Promise<Buffer>;
  /** Releases the store's connections. */
  close(): Promise<void>;
  /** What the store is, for messages (`S3 bucket x`, `folder /y`). */
  readonly where: string;
}

/** `_tus/<owner>/<uploadId>` of a tus id `<owner>/<uploadId>/<name>`: where the S3 store keeps tus's own objects. */
export function tusPrefix(id: string): string {
  const [owner, uploadId] = id.split('/');
  return owner && uploadId && UPLOAD_ID.test(uploadId) ? `_tus/${owner}/${uploadId}` : `_tus/${id}`;
}

/**
 * The tus store for `objects`. @throws ConfigError for an object store that is neither S3 nor a
 * local folder.
 */
export async function tusDataStore(objects: ObjectStore, settings: UploadSettings): Promise<InnerStore> {
  if (objects instanceof LocalObjectStore) {
    const root = resolve(objects.root);
    return new ObjectFolderStore(root, join(dirname(root), 'uploads-tus'));
  }
  const { S3ObjectStore } = await import('../objects/s3-object-store.js');
  if (objects instanceof S3ObjectStore) {
    const { ToolflowS3Store } = await import('./tus-s3-store.js');
    return new ToolflowS3Store(objects, settings);
  }
  throw new ConfigError(`uploads need an S3 or a local-folder object store, not ${objects.constructor.name}`);
}

/**
 * tus's records (`Upload` JSON) in a folder: `<dir>/<owner>/<uploadId>.json` for the upload
 * `<owner>/<uploadId>/<name>`, written whole (a temporary file renamed into place).
 */
export class FolderKvStore implements KvStore<Upload> {
  constructor(private readonly dir: string) {}

  private pathOf(key: string): string {
    const [owner, uploadId] = checkObjectKey(key).split('/');
    if (!owner || !uploadId || !UPLOAD_ID.test(uploadId)) throw new Error(`not an upload key: ${JSON.stringify(key)}`);
    return join(this.dir, owner, `${uploadId}.json`);
  }

  async get(key: string): Promise<Upload | undefined> {
    try {
      return JSON.parse(await readFile(this.pathOf(key), 'utf8')) as Upload;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: Upload): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, path);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** `@tus/file-store` writing each upload at its object's path in the local object store (see the module's doc). */
export class ObjectFolderStore extends FileStore implements InnerStore {
  readonly where: string;
  constructor(
    private readonly root: string,
    configDir: string,
  ) {
    super({ directory: root, configstore: new FolderKvStore(configDir) });
    this.where = `folder ${root}`;
    // Expiry is the sweeper's (`uploads.ts` `sweep`): tus's own expiry would count from creation.
    this.extensions = this.extensions.filter((e) => e !== 'expiration');
  }

  private pathOf(id: string): string {
    return join(this.root, ...checkObjectKey(id).split('/'));
  }

  /** Removes the file, its record and its upload's folder (`<owner>/<uploadId>/`) when empty; a missing one is no error. */
  override async remove(id: string): Promise<void> {
    const path = this.pathOf(id);
    await rm(path, { force: true });
    await this.configstore.delete(id);
    await rmdir(dirname(path)).catch(() => undefined);
  }

  override read(id: string): ReturnType<typeof createReadStream> {
    return createReadStream(this.pathOf(id), { highWaterMark: 1024 * 1024 });
  }

  async readStart(id: string, bytes: number): Promise<Buffer> {
    const file = await open(this.pathOf(id), 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await file.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  async close(): Promise<void> {}
}
