/**
 * upload: stores an input file as an object under `<owner>/<upload-id>/<file name>` and keeps the
 * upload's status document (`uploads/<id>`: ongoing → successful | failed) in coordination, as the
 * design doc's file transfer manager does. A failed upload leaves no object behind. `uploadFile` takes
 * a local file (`toolflow run`), `uploadStream` a stream (the user API's `POST /v1/uploads`).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ToolflowError } from '../errors.js';
import type { StoredInput } from '../events/catalog.js';
import { checkObjectKey, safeFileName } from '../objects/object-store.js';
import type { Ports } from '../runtime/ports.js';

/** The status document of an upload. */
export interface UploadDoc {
  status: 'ongoing' | 'successful' | 'failed';
  key: string;
  /** Bytes stored, once successful. */
  size?: number;
  /** SHA-256 of the bytes stored (lowercase hex), once successful: what cache keys use (`StoredInput.sha256`). */
  sha256?: string;
  error?: string;
}

/**
 * Uploads one local file. Its SHA-256 comes from the object store, which computes it as it stores
 * the file (`ObjectStore.putFile`): the file is read once for both.
 * @param owner the user the object belongs to (a key segment: no `/`).
 * @returns where the object is, with its size (`bytes`) and SHA-256: a `StoredInput` ready for a
 *   submission (and the upload's id).
 * @param signal aborts the upload (Ctrl-C): it is marked failed and nothing is left in the store.
 * @throws the object store's error, after marking the upload failed and deleting any partial object.
 */
export async function uploadFile(
  ports: Pick<Ports, 'objects' | 'coordination'>,
  owner: string,
  path: string,
  signal?: AbortSignal,
): Promise<StoredInput & Required<Pick<StoredInput, 'sha256' | 'bytes'>> & { uploadId: string }> {
  const uploadId = randomUUID();
  const fileName = safeFileName(basename(path));
  const key = checkObjectKey(`${owner}/${uploadId}/${fileName}`);
  const doc = `uploads/${uploadId}`;
  await ports.coordination.put(doc, { status: 'ongoing', key } satisfies UploadDoc);
  let info;
  try {
    info = await ports.objects.putFile(key, path, { signal });
    await ports.coordination.put(doc, { status: 'successful', key, size: info.size, sha256: info.sha256 } satisfies UploadDoc);
  } catch (err) {
    await ports.objects.delete(key).catch(() => undefined);
    await ports.coordination.put(doc, { status: 'failed', key, error: (err as Error).message } satisfies UploadDoc);
    throw err;
  }
  return { key, fileName, uploadId, sha256: info.sha256, bytes: info.size };
}

/** Thrown when a streamed upload is longer than its limit (nothing is left behind). */
export class PayloadTooLargeError extends ToolflowError {
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', message);
  }
}

/** Options of `uploadStream`. */
export interface UploadStreamOptions {
  /** Aborts the upload (the client went away): it is marked failed and nothing is left behind. */
  signal?: AbortSignal;
  /** Longest body accepted, bytes; a longer one fails with PayloadTooLargeError as soon as it is seen. Default: no limit. */
  maxBytes?: number;
  /** Folder of the temporary spool file (default the OS's temp dir). */
  spoolDir?: string;
}

/**
 * Uploads a file that arrives as a stream (an HTTP request body), under the same key and status
 * document as `uploadFile`. The status document is `ongoing` from the first byte. The body is never
 * held in memory: it is written to a spool file as it comes (and counted against `maxBytes`), then
 * stored as `uploadFile` stores a file, and the spool file removed. A spool file rather than a
 * direct stream because every object carries the SHA-256 of its bytes in its metadata, which S3
 * takes only when an upload begins (`objects/s3-object-store.ts`).
 * @param fileName the name the user gave; made safe with `safeFileName`.
 * @returns where the object is, its upload id, size in bytes (`size` and `bytes`) and SHA-256.
 * @throws PayloadTooLargeError past `maxBytes`; the stream's, the spool's or the object store's
 *   error otherwise (an AbortError after an abort); each after marking the upload failed and
 *   deleting any partial object.
 */
export async function uploadStream(
  ports: Pick<Ports, 'objects' | 'coordination'>,
  owner: string,
  fileName: string,
  body: Readable,
  options: UploadStreamOptions = {},
): Promise<StoredInput & Required<Pick<StoredInput, 'sha256' | 'bytes'>> & { uploadId: string; size: number }> {
  const uploadId = randomUUID();
  const name = safeFileName(fileName);
  const key = checkObjectKey(`${owner}/${uploadId}/${name}`);
  const doc = `uploads/${uploadId}`;
  await ports.coordination.put(doc, { status: 'ongoing', key } satisfies UploadDoc);
  const dir = await mkdtemp(join(options.spoolDir ?? tmpdir(), 'toolflow-upload-'));
  try {
    const spool = join(dir, name);
    let seen = 0;
    const max = options.maxBytes ?? Infinity;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > max) done(new PayloadTooLargeError(`the upload is larger than the limit of ${max} bytes`));
        else done(null, chunk);
      },
    });
    await pipeline(body, limit, createWriteStream(spool, { flags: 'wx' }), { signal: options.signal });
    const info = await ports.objects.putFile(key, spool, { signal: options.signal });
    await ports.coordination.put(doc, { status: 'successful', key, size: info.size, sha256: info.sha256 } satisfies UploadDoc);
    return { key, fileName: name, uploadId, size: info.size, sha256: info.sha256, bytes: info.size };
  } catch (err) {
    await ports.objects.delete(key).catch(() => undefined);
    await ports.coordination.put(doc, { status: 'failed', key, error: (err as Error).message } satisfies UploadDoc).catch(() => undefined);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An upload's id: a UUID, as `uploadFile` and `uploadStream` make them. */
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An upload as its owner sees it. */
export interface FoundUpload extends UploadDoc, StoredInput {
  uploadId: string;
}

/**
 * Finds an upload of `owner`: from its status document, or, where that is not kept (another process
 * made it, and documents live in process without etcd), from its object, which exists only once
 * the upload succeeded. An upload of another owner is not found: its key starts with that owner.
 * A successful upload carries its size (`size`, `bytes`) and, from the document, its SHA-256 (an
 * upload found by its object alone has none: `ObjectInfo` carries no checksum, so a task that uses
 * it runs uncached).
 * @returns undefined for an unknown id, a malformed one, or another owner's.
 */
export async function findUpload(ports: Pick<Ports, 'objects' | 'coordination'>, owner: string, uploadId: string): Promise<FoundUpload | undefined> {
  if (!UPLOAD_ID.test(uploadId)) return undefined;
  const prefix = `${owner}/${uploadId}/`;
  const doc = await ports.coordination.get<UploadDoc>(`uploads/${uploadId}`);
  if (doc) {
    if (!doc.key.startsWith(prefix)) return undefined;
    return { ...doc, uploadId, fileName: doc.key.slice(prefix.length), ...(doc.size !== undefined ? { bytes: doc.size } : {}) };
  }
  const [key] = await ports.objects.list(prefix);
  if (key === undefined) return undefined;
  const info = await ports.objects.head(key);
  return info && { status: 'successful', key, size: info.size, bytes: info.size, uploadId, fileName: key.slice(prefix.length) };
}
