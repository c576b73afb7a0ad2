/**
 * toolflow's tus DataStore: a decorator over the store that holds the bytes (`tus-data-stores.ts`:
 * S3 multipart or a local folder) where every rule of an upload is kept, whoever brings the bytes
 * (tus PATCHes, the one-request upload, `uploadFile`). Each upload `<owner>/<uploadId>/<name>` (the
 * tus id is the object key) has its status document `uploads/<owner>/<uploadId>` in coordination.
 *
 * - `create`: the declared size is checked against the per-file limit and the owner's quota, the
 *   declared SHA-256 and format against their forms, before anything is stored; then the
 *   `ongoing` document, then the inner upload. A 0-byte upload ends at once.
 * - `write`: the bytes are checked as the inner store reads them (`checked-bytes.ts`): counted
 *   (past the limit or the quota they stop), hashed (SHA-256, node's crypto, the live hash kept
 *   in this process between writes: `sha256-continuations.ts`), at offset 0 their first 64 KiB
 *   held back until their format is checked, and at the end of the file the
 *   declared SHA-256 compared before the store completes the object. When the last byte is
 *   stored the document becomes `successful` with size and SHA-256. A body that fails midway
 *   (the client went away) leaves what came stored and counted: the upload resumes from there.
 * - Every refusal fails the upload: the document becomes `failed` with the reason and what was
 *   stored is removed (S3: AbortMultipartUpload, tus's `.info`/`.part` deleted).
 *
 * Hashing: a write at offset 0 starts a hash; a write at offset N continues the live hash this
 * process kept when it has hashed exactly bytes [0, N) (the previous write of the upload went
 * through this store object and every byte it counted was stored). Otherwise (a write in another
 * process, after a restart, after a write that failed with bytes stored it did not count, a live
 * hash dropped from the bounded registry) nothing is hashed for the rest of the upload, and at
 * completion the SHA-256 is computed by streaming the finished object back from the store (one
 * more read of the file). The live hash is dropped when the upload ends, fails or is aborted.
 * Nothing of the hash is saved in the document (documents written before kept a `hashState`,
 * ignored now).
 *
 * Quota: the sum over the owner's documents that are not failed of `size ?? max(declaredSize,
 * offset)`. Two uploads created at once may both pass it (documents are not locked together).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataStore, ERRORS, Upload } from '@tus/utils';
import type { Coordination } from '../coordination/coordination.js';
import { recordUploadBytes, recordUploadEnded } from '../metrics/record.js';
import { checkedBytes, checksumMismatch } from './checked-bytes.js';
import { checkFormat, SNIFF_BYTES } from './format-check.js';
import { FILE_FORMATS, UPLOAD_ID, uploadDocKey, UPLOADS_PREFIX, type FileFormat, type UploadDoc, type UploadSettings } from './upload-doc.js';
import { FormatMismatchError, PayloadTooLargeError, QuotaExceededError, UploadGoneError, UploadRequestError } from './upload-errors.js';
import { Sha256Continuations } from './sha256-continuations.js';
import type { InnerStore } from './tus-data-stores.js';

/** Parts of a tus id `<owner>/<uploadId>/<name>`. */
export interface UploadRef {
  owner: string;
  uploadId: string;
  fileName: string;
}

/** The owner, upload id and name of a tus id. @throws the tus 404 (`ERRORS.FILE_NOT_FOUND`) for anything else. */
export function parseUploadId(id: string): UploadRef {
  const parts = id.split('/');
  if (parts.length !== 3 || !parts[0] || !parts[2] || !UPLOAD_ID.test(parts[1] ?? '')) throw ERRORS.FILE_NOT_FOUND;
  return { owner: parts[0], uploadId: parts[1]!, fileName: parts[2] };
}

/** Bytes a document holds against its owner's quota. */
export function heldBytes(doc: UploadDoc): number {
  return doc.status === 'failed' ? 0 : (doc.size ?? Math.max(doc.declaredSize ?? 0, doc.offset));
}

/** How often a long write moves the document's `updatedAt` (the sweeper sees it alive), ms: at most a minute. */
function touchEvery(settings: UploadSettings): number {
  return Math.max(1000, Math.min(60_000, Math.floor(settings.expireAfterMs / 4)));
}

/** The decorated store (see the module's doc). */
export class UploadStore extends DataStore {
  /**
   * @param hashes the live SHA-256 of this process's uploads between writes (one registry per
   *   store: a second store, as another process would, reads a resumed upload back at its end).
   */
  constructor(
    private readonly inner: InnerStore,
    private readonly coordination: Coordination,
    readonly settings: UploadSettings,
    readonly hashes: Sha256Continuations = new Sha256Continuations(),
  ) {
    super();
    // creation, creation-with-upload, creation-defer-length, termination: the inner store's, without its expiry.
    this.extensions = inner.extensions.filter((e) => e !== 'expiration');
  }

  /** The document of an upload, or undefined. */
  doc(ref: Pick<UploadRef, 'owner' | 'uploadId'>): Promise<UploadDoc | undefined> {
    return this.coordination.get<UploadDoc>(uploadDocKey(ref.owner, ref.uploadId));
  }

  private put(doc: UploadDoc): Promise<void> {
    return this.coordination.put(uploadDocKey(doc.owner, doc.uploadId), doc);
  }

  /** Bytes `owner` holds in uploads other than `uploadId` (see the module's doc on quota). */
  private async heldByOwner(owner: string, uploadId: string): Promise<number> {
    const docs = await this.coordination.list<UploadDoc>(`${UPLOADS_PREFIX}${owner}/`);
    return docs.reduce((sum, [, d]) => (d.uploadId === uploadId ? sum : sum + heldBytes(d)), 0);
  }

  /** @throws PayloadTooLargeError or QuotaExceededError when `size` more bytes are not allowed. */
  private async checkRoom(ref: UploadRef, size: number | undefined): Promise<void> {
    const { maxFileBytes, quotaBytes } = this.settings;
    if (size !== undefined && size > maxFileBytes) {
      throw new PayloadTooLargeError(`the upload is ${size} bytes, more than the limit of ${maxFileBytes} bytes (TOOLFLOW_UPLOAD_LIMIT); nothing was stored`);
    }
    if (size === 0) return;
    const held = await this.heldByOwner(ref.owner, ref.uploadId);
    // A deferred length needs room for one byte at least.
    if (held + (size ?? 1) > quotaBytes) throw new QuotaExceededError(held, size ?? 1, quotaBytes);
  }

  /**
   * Creates an upload (tus POST): checks, `ongoing` document, inner upload (see the module's doc).
   * Metadata read: `filename` (or `name`; default the id's name), `sha256` (64 hex digits), `format`.
   * @throws PayloadTooLargeError / QuotaExceededError (nothing stored, no document);
   *   UploadRequestError (400) for a malformed sha256 or an unknown format; the inner store's error
   *   after marking the document failed.
   */
  override async create(upload: Upload): Promise<Upload> {
    const ref = parseUploadId(upload.id);
    const meta = upload.metadata ?? {};
    const declaredSha256 = meta.sha256 ?? undefined;
    if (declaredSha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(declaredSha256)) throw new UploadRequestError('the declared SHA-256 must be 64 hex digits');
    const format = meta.format ?? undefined;
    if (format !== undefined && !(FILE_FORMATS as readonly string[]).includes(format)) throw new UploadRequestError(`the declared format must be one of ${FILE_FORMATS.join(', ')}`);
    if (upload.size !== undefined && !(Number.isSafeInteger(upload.size) && upload.size >= 0)) throw new UploadRequestError('the declared size must be a whole number of bytes');
    await this.checkRoom(ref, upload.size);
    if (upload.size === 0) {
      // All there is to check of an empty file is known already: refused before anything is made.
      const problem = format !== undefined ? checkFormat(format as FileFormat, Buffer.alloc(0)) : undefined;
      if (problem) throw new FormatMismatchError(problem);
      const empty = createHash('sha256').digest('hex');
      if (declaredSha256 !== undefined && declaredSha256.toLowerCase() !== empty) throw checksumMismatch(declaredSha256.toLowerCase(), empty);
    }
    const now = new Date().toISOString();
    const doc: UploadDoc = {
      status: 'ongoing',
      uploadId: ref.uploadId,
      owner: ref.owner,
      key: upload.id,
      fileName: ref.fileName,
      originalName: meta.filename ?? meta.name ?? ref.fileName,
      ...(upload.size !== undefined ? { declaredSize: upload.size } : {}),
      ...(declaredSha256 !== undefined ? { declaredSha256: declaredSha256.toLowerCase() } : {}),
      ...(format !== undefined ? { format: format as FileFormat } : {}),
      offset: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.put(doc);
    let created: Upload;
    try {
      created = await this.inner.create(upload);
    } catch (err) {
      await this.fail(doc, `the ${this.inner.where} did not take it: ${(err as Error).message}`);
      throw err;
    }
    // Nothing more will come: the upload ends here (S3: one empty part completes it).
    if (upload.size === 0) await this.write(Readable.from([]), upload.id, 0);
    return created;
  }

  /**
   * The upload as tus sees it (HEAD, and before every PATCH).
   * @throws UploadGoneError (410, with the reason) for a failed upload; the tus 404 for an unknown one.
   */
  override async getUpload(id: string): Promise<Upload> {
    const doc = await this.doc(parseUploadId(id));
    if (doc?.status === 'failed') throw new UploadGoneError(doc.uploadId, doc.error ?? 'no reason recorded');
    return this.inner.getUpload(id);
  }

  /**
   * Declares the length of a deferred-length upload (a PATCH with `Upload-Length`).
   * @throws PayloadTooLargeError / QuotaExceededError (the upload is failed and removed);
   *   UploadGoneError for a failed one.
   */
  override async declareUploadLength(id: string, length: number): Promise<void> {
    const doc = await this.ongoingDoc(id);
    try {
      await this.checkRoom(doc, length);
    } catch (err) {
      await this.fail(doc, (err as Error).message);
      throw err;
    }
    await this.inner.declareUploadLength(id, length);
    await this.put({ ...doc, declaredSize: length, updatedAt: new Date().toISOString() });
  }

  /** tus DELETE: removes what was stored and marks the upload failed. */
  override async remove(id: string): Promise<void> {
    await this.abort(id, 'terminated by the client');
  }

  /**
   * Removes what an upload stored and marks it failed with `reason`; an upload that already ended
   * (successful or failed) is left as it is. @returns whether it was ongoing.
   */
  async abort(id: string, reason: string): Promise<boolean> {
    const doc = await this.doc(parseUploadId(id));
    if (doc && doc.status !== 'ongoing') return false;
    if (doc) await this.fail(doc, reason);
    else await this.inner.remove(id).catch(() => undefined);
    return true;
  }

  /**
   * Marks an upload failed with `reason` and removes what it stored; a removal that fails is added
   * to the reason (its bytes stay until the store's own expiry).
   */
  private async fail(doc: UploadDoc, reason: string): Promise<void> {
    this.hashes.drop(doc.key);
    let error = reason;
    await this.inner.remove(doc.key).catch((err: unknown) => {
      const e = err as { status_code?: number; message?: string };
      if (e?.status_code !== 404) error += ` (what it stored could not be removed: ${e?.message ?? String(err)})`;
    });
    const { hashState: _state, ...rest } = doc;
    await this.put({ ...rest, status: 'failed', error, updatedAt: new Date().toISOString() });
    recordUploadEnded('failed');
  }

  /** The document of an ongoing upload, rebuilt from the inner store when this process has none. @throws UploadGoneError when failed. */
  private async ongoingDoc(id: string): Promise<UploadDoc> {
    const ref = parseUploadId(id);
    const doc = (await this.doc(ref)) ?? (await this.recover(id, ref));
    if (doc.status === 'failed') throw new UploadGoneError(doc.uploadId, doc.error ?? 'no reason recorded');
    return doc;
  }

  /**
   * A document for an upload the inner store has and coordination does not (documents kept in one
   * process, that process gone): its SHA-256 is read back at completion (no live hash here).
   */
  private async recover(id: string, ref: UploadRef): Promise<UploadDoc> {
    const upload = await this.inner.getUpload(id);
    const meta = upload.metadata ?? {};
    const now = new Date().toISOString();
    const doc: UploadDoc = {
      status: 'ongoing',
      ...ref,
      key: id,
      originalName: meta.filename ?? meta.name ?? ref.fileName,
      ...(upload.size !== undefined ? { declaredSize: upload.size } : {}),
      ...(meta.sha256 ? { declaredSha256: meta.sha256.toLowerCase() } : {}),
      ...(meta.format && (FILE_FORMATS as readonly string[]).includes(meta.format) ? { format: meta.format as FileFormat } : {}),
      offset: upload.offset,
      createdAt: upload.creation_date ?? now,
      updatedAt: now,
    };
    await this.put(doc);
    return doc;
  }

  /**
   * Stores `stream` at `offset` (tus PATCH; see the module's doc for counting, hashing, the
   * format check and completion). @returns the new offset.
   * @throws PayloadTooLargeError, QuotaExceededError, FormatMismatchError,
   *   DeclaredChecksumMismatchError (each after failing the upload); UploadGoneError for a failed
   *   upload; the inner store's error otherwise (the upload stays ongoing, to be resumed).
   */
  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    const doc = await this.ongoingDoc(id);
    if (doc.status === 'successful') {
      for await (const _chunk of stream); // an empty body after the end (tus creation-with-upload of 0 bytes)
      return doc.size ?? offset;
    }
    const hasher = this.hashes.take(id, offset);

    const size = doc.declaredSize;
    const sniffing = doc.detected === undefined && offset < SNIFF_BYTES;
    let touching: Promise<unknown> = Promise.resolve();
    const { bytes, result } = checkedBytes(stream, {
      offset,
      size,
      maxFileBytes: this.settings.maxFileBytes,
      quotaBytes: this.settings.quotaBytes,
      heldElsewhere: await this.heldByOwner(doc.owner, doc.uploadId),
      hasher,
      sniffing,
      prefix: sniffing && offset > 0 ? await this.inner.readStart(id, offset) : Buffer.alloc(0),
      format: doc.format,
      declaredSha256: doc.declaredSha256,
      touch: () => (touching = touching.then(() => this.put({ ...doc, updatedAt: new Date().toISOString() })).catch(() => undefined)),
      touchEveryMs: touchEvery(this.settings),
    });

    let newOffset: number;
    try {
      newOffset = await this.inner.write(bytes, id, offset);
    } catch (err) {
      await touching;
      // The store failed: keep what it holds, to be resumed.
      const stored = await this.inner.getUpload(id).then((u) => u.offset, () => undefined);
      if (stored !== undefined) recordUploadBytes(stored - offset); // one count per write, not per chunk
      if (hasher && stored === offset + result.counted && !result.sha256) this.hashes.keep(id, hasher, stored);
      if (stored !== undefined) await this.saveProgress(doc, stored, result.detected ?? doc.detected).catch(() => undefined);
      throw err;
    }
    recordUploadBytes(newOffset - offset);
    await touching;
    if (result.refusal) {
      await this.fail(doc, result.refusal.message);
      throw result.refusal;
    }
    const usable = hasher !== undefined && newOffset === offset + result.counted;
    const detected = result.detected ?? doc.detected;
    // A body that failed after its last byte still completes the upload.
    if (size === undefined || newOffset < size) {
      if (usable && !result.sha256) this.hashes.keep(id, hasher, newOffset);
      await this.saveProgress(doc, newOffset, detected);
      if (result.sourceError) throw result.sourceError;
      return newOffset;
    }
    // The last byte is stored.
    let sha256 = usable ? (result.sha256 ?? hasher.digest('hex')) : undefined;
    if (sha256 === undefined) sha256 = await this.sha256Stored(id);
    if (doc.declaredSha256 && sha256 !== doc.declaredSha256) {
      const err = checksumMismatch(doc.declaredSha256, sha256);
      await this.fail(doc, err.message);
      throw err;
    }
    const { hashState: _state, ...rest } = doc;
    await this.put({ ...rest, status: 'successful', offset: newOffset, size: newOffset, sha256, ...(detected !== undefined ? { detected } : {}), updatedAt: new Date().toISOString() });
    recordUploadEnded('successful', Date.now() - Date.parse(doc.createdAt));
    return newOffset;
  }

  /** Saves the offset and the detected format (a `hashState` of an older document is dropped). */
  private async saveProgress(doc: UploadDoc, offset: number, detected: string | undefined): Promise<void> {
    const { hashState: _old, ...rest } = doc;
    await this.put({
      ...rest,
      offset,
      ...(detected !== undefined ? { detected } : {}),
      updatedAt: new Date().toISOString(),
    });
  }

  /** SHA-256 of a finished upload, streamed back from the store (when no live hash covered every byte: see the module's doc). */
  private async sha256Stored(id: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of await this.inner.read(id)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /**
   * Aborts every ongoing upload whose document stored no byte for longer than `expireAfterMs`
   * (its `updatedAt`): what it stored is removed, the document failed "abandoned: no bytes for N s".
   * @param now epoch ms (tests pass a later one). @returns the upload ids aborted.
   */
  async sweep(now = Date.now()): Promise<string[]> {
    const aborted: string[] = [];
    for (const [, doc] of await this.coordination.list<UploadDoc>(UPLOADS_PREFIX)) {
      if (doc.status !== 'ongoing') continue;
      const idle = now - Date.parse(doc.updatedAt);
      if (!(idle > this.settings.expireAfterMs)) continue;
      // Read again: another process may have stored bytes since the list.
      const fresh = await this.doc(doc);
      if (fresh?.status !== 'ongoing' || !(now - Date.parse(fresh.updatedAt) > this.settings.expireAfterMs)) continue;
      await this.fail(fresh, `abandoned: no bytes for ${Math.round(idle / 1000)} s`);
      aborted.push(doc.uploadId);
    }
    return aborted;
  }

  /** Sweeps (tus's name for it). @returns how many uploads were aborted. */
  override async deleteExpired(): Promise<number> {
    return (await this.sweep()).length;
  }

  /** Releases the inner store's connections. */
  close(): Promise<void> {
    return this.inner.close();
  }
}
