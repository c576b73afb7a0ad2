/**
 * The uploads facade (issue 11): one object per process over the object store and coordination,
 * whose decorated tus store (`upload-store.ts`) every way in shares: the tus server (`store`,
 * `newKey`), the one-request upload (`uploadStream`), a local file (`uploadFile`: `toolflow run
 * --input` in services mode, the `upload` function). Status documents: `uploads/<owner>/<id>`
 * (`upload-doc.ts`); objects: `<owner>/<uploadId>/<safe name>` (`upload-names.ts`).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { Upload } from '@tus/utils';
import { AbortedError, ToolflowError } from '../errors.js';
import { checkObjectKey } from '../objects/object-store.js';
import type { Ports } from '../runtime/ports.js';
import { tusDataStore, type InnerStore } from './tus-data-stores.js';
import { DEFAULT_UPLOAD_SETTINGS, UPLOAD_ID, UPLOADS_PREFIX, uploadDocKey, type FileFormat, type UploadDoc, type UploadSettings } from './upload-doc.js';
import { UploadNotFoundError, UploadRequestError, withUploadId } from './upload-errors.js';
import { safeUploadName, shownName } from './upload-names.js';
import { UploadStore } from './upload-store.js';

/** An upload to create. */
export interface NewUpload {
  /** The name the client gave (any string: made safe for the key, kept as given in the document). */
  originalName: string;
  /** Size, bytes; undefined: told at the end (tus creation-defer-length). */
  declaredSize?: number;
  /** SHA-256 the bytes must hash to (64 hex digits, any case). */
  declaredSha256?: string;
  /** Format the first bytes must fit. */
  format?: FileFormat;
}

/** The uploads facade. */
export interface Uploads {
  readonly settings: UploadSettings;
  /** The decorated tus store: give it to the tus server (`tus-server.ts`). */
  readonly store: UploadStore;
  /**
   * Makes an upload's id, key and safe name for `owner` (the tus `namingFunction` uses it).
   * @returns `{uploadId: <UUID>, key: '<owner>/<uploadId>/<safe name>', fileName: <safe name>}`.
   * @throws UploadRequestError for an owner that is not one key segment (empty, `/`, `.`, `..`, `_tus`).
   */
  newKey(owner: string, originalName: string): { uploadId: string; key: string; fileName: string };
  /**
   * Creates an upload: checks (limit, quota, forms), `ongoing` document, the store's upload.
   * @returns its document (`successful` already for a declared size of 0).
   * @throws PayloadTooLargeError, QuotaExceededError (nothing stored, no document), UploadRequestError,
   *   FormatMismatchError or DeclaredChecksumMismatchError (a 0-byte upload, failed).
   */
  create(owner: string, u: NewUpload): Promise<UploadDoc>;
  /**
   * Uploads one stream (one request's body) whole: create, one write, and for an undeclared size
   * the length declared at its end. Never held whole in memory (on S3, @tus/s3-store writes each
   * part to a temporary file in `os.tmpdir()` before sending it); one write, so it is hashed on the
   * way (no read-back).
   * @returns the `successful` document.
   * @throws what `create` and the store's `write` throw; AbortedError after `signal` aborts;
   *   the stream's own error; UploadRequestError when the body ends before its declared size.
   *   Every failure leaves the document `failed` and nothing stored.
   */
  uploadStream(owner: string, body: Readable, u: NewUpload & { signal?: AbortSignal }): Promise<UploadDoc>;
  /**
   * Uploads a local file (its base name is the original name, its size declared), read once
   * (hashed and checked on the way). A pipe or a character device is read once too, its size
   * undeclared (tus's deferred length: the limits apply as its bytes come). `onProgress` gets the bytes read and handed to the store so far.
   * @returns the `successful` document. @throws as `uploadStream`; the file's ENOENT/EISDIR before anything is made.
   */
  uploadFile(owner: string, path: string, o?: { format?: FileFormat; signal?: AbortSignal; onProgress?: (bytes: number) => void }): Promise<UploadDoc>;
  /**
   * An upload of `owner`: its document, or, where coordination has none (documents kept in one
   * process only: embedded mode, services mode without etcd), one made from its object (status
   * `successful`, or `ongoing` while the store's tus record says bytes are missing; no SHA-256, no
   * original name but the safe one; `createdAt` from the tus record or '', `updatedAt` '').
   * @returns undefined for a malformed id, an unknown one, or another owner's.
   */
  find(owner: string, uploadId: string): Promise<UploadDoc | undefined>;
  /**
   * Aborts an ongoing upload: its multipart upload aborted, tus's objects removed, its document
   * failed with `reason`. An upload that already ended is left as it is.
   * @throws UploadNotFoundError for an unknown one.
   */
  abort(owner: string, uploadId: string, reason: string): Promise<void>;
  /**
   * Deletes an upload of `owner` at its owner's asking (`DELETE /v1/uploads/{uploadId}`), whatever
   * its status: an ongoing one is aborted (its multipart upload and `_tus` objects removed); a
   * successful one has its object and tus's record (`_tus/<owner>/<id>.info`, locally
   * `uploads-tus/<owner>/<id>.json`) removed. Its document becomes `failed` with error
   * `deleted by its owner`, so it no longer counts against the quota; one failed already stays as
   * it is (nothing of it is stored).
   * @returns the document as it is now. @throws UploadNotFoundError for an unknown one, a malformed
   *   id or another owner's (the same words).
   */
  remove(owner: string, uploadId: string): Promise<UploadDoc>;
  /**
   * The uploads of `owner`, newest first (`createdAt`, then the id), from coordination's
   * `uploads/<owner>/` documents.
   * @param o.status only these statuses; o.limit most documents (default 100); o.after the
   *   `{createdAt, uploadId}` of the last one of the page before.
   * @returns the page and whether more follow.
   */
  list(owner: string, o?: { status?: UploadDoc['status'][]; limit?: number; after?: { createdAt: string; uploadId: string } }): Promise<{ uploads: UploadDoc[]; more: boolean }>;
  /** Aborts the ongoing uploads idle past `expireAfterMs` ("abandoned: no bytes for N s"). @param now epoch ms. @returns their ids. */
  sweep(now?: number): Promise<string[]>;
  /** Releases the store's connections. */
  close(): Promise<void>;
}

export { uploadSettingsFromEnv } from './upload-settings.js';

/** @throws UploadRequestError unless `owner` is one key segment, and not tus's `_tus`. */
function checkOwner(owner: string): void {
  const bad = owner === '' || owner === '.' || owner === '..' || owner === '_tus' || /[/\\\0]/.test(owner);
  if (bad) throw new UploadRequestError(`the owner ${JSON.stringify(owner.slice(0, 80))} cannot name uploads: it must be one key segment`);
}

/** The error of an upload its owner deleted (`Uploads.remove`). */
export const DELETED_BY_OWNER = 'deleted by its owner';

/** A thrown value as an Error (tus's own errors are `{status_code, body}` objects). */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  const body = (err as { body?: unknown })?.body;
  return Object.assign(new Error(typeof body === 'string' ? body.trim() : String(err)), { cause: err });
}

/**
 * Opens the uploads facade over `ports` (the tus store is picked from the object store adapter:
 * `tus-data-stores.ts`). @param settings over `DEFAULT_UPLOAD_SETTINGS` (callers pass
 * `uploadSettingsFromEnv()`). @throws ConfigError for an object store that is neither S3 nor a folder.
 */
export async function createUploads(ports: Pick<Ports, 'objects' | 'coordination'>, settings: Partial<UploadSettings> = {}): Promise<Uploads> {
  const full: UploadSettings = { ...DEFAULT_UPLOAD_SETTINGS, ...settings };
  const inner: InnerStore = await tusDataStore(ports.objects, full);
  const store = new UploadStore(inner, ports.coordination, full);

  const newKey = (owner: string, originalName: string) => {
    checkOwner(owner);
    const uploadId = randomUUID();
    const fileName = safeUploadName(originalName);
    return { uploadId, fileName, key: checkObjectKey(`${owner}/${uploadId}/${fileName}`) };
  };

  const create = async (owner: string, u: NewUpload): Promise<UploadDoc> => {
    const { uploadId, key } = newKey(owner, u.originalName);
    const metadata: Record<string, string> = { filename: u.originalName };
    if (u.declaredSha256 !== undefined) metadata.sha256 = u.declaredSha256;
    if (u.format !== undefined) metadata.format = u.format;
    await store.create(new Upload({ id: key, size: u.declaredSize, offset: 0, metadata }));
    const doc = await store.doc({ owner, uploadId });
    if (!doc) throw new Error(`upload ${uploadId} has no status document right after its creation`);
    return doc;
  };

  const find = async (owner: string, uploadId: string): Promise<UploadDoc | undefined> => {
    if (!UPLOAD_ID.test(uploadId)) return undefined;
    try {
      checkOwner(owner);
    } catch {
      return undefined;
    }
    const doc = await store.doc({ owner, uploadId });
    if (doc) return doc;
    const prefix = `${owner}/${uploadId}/`;
    const [key] = (await ports.objects.list(prefix)).filter((k) => !k.startsWith('_tus/'));
    if (key === undefined) return undefined;
    const info = await ports.objects.head(key);
    if (!info) return undefined;
    // A local folder holds an unfinished tus upload at its key already: its tus record tells.
    const tus = await inner.getUpload(key).catch(() => undefined);
    const ongoing = tus !== undefined && tus.size !== tus.offset;
    const fileName = key.slice(prefix.length);
    return {
      status: ongoing ? 'ongoing' : 'successful',
      uploadId,
      owner,
      key,
      fileName,
      originalName: fileName,
      offset: ongoing ? tus.offset : info.size,
      ...(ongoing ? {} : { size: info.size }),
      createdAt: tus?.creation_date ?? '',
      updatedAt: '',
    };
  };

  const uploadStream = async (owner: string, body: Readable, u: NewUpload & { signal?: AbortSignal }): Promise<UploadDoc> => {
    const { signal, ...rest } = u;
    signal?.throwIfAborted();
    let sourceError: Error | undefined;
    body.once('error', (err) => (sourceError ??= err));
    const doc = await create(owner, rest);
    if (doc.status !== 'ongoing') {
      body.resume();
      return doc;
    }
    const stop = () => body.destroy(new AbortedError('the upload was stopped before its end'));
    signal?.addEventListener('abort', stop, { once: true });
    try {
      let offset = await store.write(body, doc.key, 0);
      if (rest.declaredSize === undefined) {
        await store.declareUploadLength(doc.key, offset);
        offset = await store.write(Readable.from([]), doc.key, offset);
      } else if (offset < rest.declaredSize) {
        throw new UploadRequestError(`the body ended after ${offset} of the ${rest.declaredSize} bytes declared`);
      }
      const done = await store.doc(doc);
      if (done?.status !== 'successful') throw new Error(`upload ${doc.uploadId} is ${done?.status ?? 'gone'} after its last byte (${done?.error ?? 'no reason recorded'})`);
      return done;
    } catch (thrown) {
      // The store's own refusals first: the body it stopped reading reports an AbortError of its own.
      const err = signal?.aborted ? new AbortedError('the upload was stopped before its end') : thrown instanceof ToolflowError ? thrown : (sourceError ?? asError(thrown));
      await store.abort(doc.key, err.message).catch(() => undefined);
      throw withUploadId(err, doc.uploadId);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  };

  const uploadFile = async (owner: string, path: string, o: { format?: FileFormat; signal?: AbortSignal; onProgress?: (bytes: number) => void } = {}): Promise<UploadDoc> => {
    const st = await stat(path);
    // A pipe or a character device (`<(zcat r.fq.gz)`, `/dev/stdin`) has no size ahead: read once, its length declared at its end.
    const stream = st.isFIFO() || st.isCharacterDevice();
    if (!st.isFile() && !stream) throw Object.assign(new Error(`${shownName(path)} is not a file`), { code: 'EISDIR' });
    const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
    let body: Readable = source;
    const { onProgress } = o;
    if (onProgress) {
      let read = 0;
      const counting = new Transform({
        transform(chunk: Buffer, _enc, done) {
          read += chunk.length;
          onProgress(read);
          done(null, chunk);
        },
      });
      body = pipeline(source, counting, () => undefined);
    }
    try {
      return await uploadStream(owner, body, { originalName: basename(path), ...(stream ? {} : { declaredSize: st.size }), ...(o.format ? { format: o.format } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    } finally {
      source.destroy(); // refused before a byte was read: the file is closed all the same
    }
  };

  return {
    settings: full,
    store,
    newKey,
    create,
    uploadStream,
    uploadFile,
    find,
    async abort(owner, uploadId, reason) {
      const doc = await find(owner, uploadId);
      if (!doc) throw new UploadNotFoundError(uploadId);
      await store.abort(doc.key, reason);
    },
    async remove(owner, uploadId) {
      const doc = await find(owner, uploadId);
      if (!doc) throw new UploadNotFoundError(uploadId);
      if (doc.status === 'failed') return doc;
      if (doc.status === 'ongoing' && (await store.abort(doc.key, DELETED_BY_OWNER))) {
        const after = await store.doc(doc);
        if (after) return after;
      }
      // Successful (or ongoing in a store that keeps no document): the object and tus's record go.
      await inner.remove(doc.key);
      const { hashState: _state, ...rest } = doc;
      const failed: UploadDoc = { ...rest, status: 'failed', error: DELETED_BY_OWNER, updatedAt: new Date().toISOString() };
      await ports.coordination.put(uploadDocKey(owner, uploadId), failed);
      return failed;
    },
    async list(owner, o = {}) {
      checkOwner(owner);
      const limit = o.limit ?? 100;
      const newestFirst = (a: UploadDoc, b: UploadDoc) => (a.createdAt === b.createdAt ? (a.uploadId < b.uploadId ? 1 : a.uploadId > b.uploadId ? -1 : 0) : a.createdAt < b.createdAt ? 1 : -1);
      const after = o.after;
      const docs = (await ports.coordination.list<UploadDoc>(`${UPLOADS_PREFIX}${owner}/`))
        .map(([, d]) => d)
        .filter((d) => d.owner === owner && (!o.status || o.status.includes(d.status)))
        .filter((d) => !after || newestFirst(d, { ...d, createdAt: after.createdAt, uploadId: after.uploadId }) > 0)
        .sort(newestFirst);
      return { uploads: docs.slice(0, limit), more: docs.length > limit };
    },
    sweep: (now) => store.sweep(now),
    close: () => store.close(),
  };
}
