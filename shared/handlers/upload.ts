/**
 * upload: the handlers' way to the uploads facade (`uploads/uploads.ts`, issue 11), one facade per
 * pair of ports, opened at first use with `uploadSettingsFromEnv()`. An input file is stored as the
 * object `<owner>/<upload-id>/<safe name>` with its status document `uploads/<owner>/<upload-id>`
 * (ongoing → successful | failed) in coordination; a failed upload leaves nothing stored. Every way
 * in goes through the facade's decorated tus store: `uploadFile` (a local file: `toolflow run` in
 * services mode), `uploadStream` (one request's body: streamed, never held whole in memory; on S3
 * @tus/s3-store writes each part to a temporary file in `os.tmpdir()` before sending it).
 */
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import type { StoredInput } from '../events/catalog.js';
import type { Ports } from '../runtime/ports.js';
import type { FileFormat, UploadDoc } from '../uploads/upload-doc.js';
import { PayloadTooLargeError } from '../uploads/upload-errors.js';
import type { Uploads } from '../uploads/uploads.js';

export type { UploadDoc } from '../uploads/upload-doc.js';
export { PayloadTooLargeError } from '../uploads/upload-errors.js';

type UploadPorts = Pick<Ports, 'objects' | 'coordination'>;

/** Facades by object store, then coordination. */
const facades = new WeakMap<object, WeakMap<object, Promise<Uploads>>>();

/**
 * The uploads facade of `ports` (made once per object store and coordination pair, settings from
 * the environment). @throws ConfigError for a malformed upload setting or an object store that is
 * neither S3 nor a folder.
 */
export function uploadsFor(ports: UploadPorts): Promise<Uploads> {
  let byCoordination = facades.get(ports.objects);
  if (!byCoordination) facades.set(ports.objects, (byCoordination = new WeakMap()));
  let uploads = byCoordination.get(ports.coordination);
  if (!uploads) {
    uploads = import('../uploads/uploads.js').then(({ createUploads, uploadSettingsFromEnv }) => createUploads(ports, uploadSettingsFromEnv()));
    uploads.catch(() => byCoordination.delete(ports.coordination));
    byCoordination.set(ports.coordination, uploads);
  }
  return uploads;
}

/** What `uploadFile` and `uploadStream` return: a `StoredInput` ready for a submission, with the upload's id. */
export type StoredUpload = StoredInput & Required<Pick<StoredInput, 'sha256' | 'bytes'>> & { uploadId: string };

function stored(doc: UploadDoc): StoredUpload & { size: number } {
  const size = doc.size ?? doc.offset;
  return { key: doc.key, fileName: doc.fileName, uploadId: doc.uploadId, sha256: doc.sha256 ?? '', bytes: size, size };
}

/** Options of `uploadFile`. */
export interface UploadFileOptions {
  /** Aborts the upload (Ctrl-C): it is marked failed and nothing is left in the store. */
  signal?: AbortSignal;
  /** Format the first bytes must fit (FormatMismatchError otherwise). */
  format?: FileFormat;
  /** Called with the bytes read and handed to the store so far. */
  onProgress?: (bytes: number) => void;
}

/**
 * Uploads one local file, read once (hashed as it is stored).
 * @param owner the user the object belongs to (a key segment: no `/`).
 * @param options the options, or the abort signal alone (the older form).
 * @returns `{key, fileName, uploadId, sha256, bytes}`.
 * @throws the file's error (ENOENT…) before anything is made; the facade's (`Uploads.uploadFile`)
 *   after marking the upload failed and removing what was stored.
 */
export async function uploadFile(ports: UploadPorts, owner: string, path: string, options: UploadFileOptions | AbortSignal = {}): Promise<StoredUpload> {
  const o: UploadFileOptions = options instanceof AbortSignal ? { signal: options } : options;
  const doc = await (await uploadsFor(ports)).uploadFile(owner, path, o);
  const { size: _size, ...rest } = stored(doc);
  return rest;
}

/** Options of `uploadStream`. */
export interface UploadStreamOptions {
  /** Aborts the upload (the client went away): it is marked failed and nothing is left behind. */
  signal?: AbortSignal;
  /** Longest body accepted, bytes, when lower than the per-file limit (`TOOLFLOW_UPLOAD_LIMIT`); past it, PayloadTooLargeError. */
  maxBytes?: number;
  /** The body's size when known (Content-Length): a larger one is refused before any byte is stored. */
  declaredSize?: number;
  /** Format the first bytes must fit. */
  format?: FileFormat;
}

/**
 * Uploads a file that arrives as a stream (an HTTP request body), under the same key and status
 * document as `uploadFile`, streamed to the store as it comes (never held whole: see the module's doc).
 * @param fileName the name the user gave (made safe: `upload-names.ts` `safeUploadName`).
 * @returns `{key, fileName, uploadId, size, sha256, bytes}`.
 * @throws PayloadTooLargeError past `maxBytes` or the per-file limit; the facade's errors
 *   (`Uploads.uploadStream`), each after marking the upload failed and removing what was stored.
 */
export async function uploadStream(ports: UploadPorts, owner: string, fileName: string, body: Readable, options: UploadStreamOptions = {}): Promise<StoredUpload & { size: number }> {
  const uploads = await uploadsFor(ports);
  const max = options.maxBytes;
  let source = body;
  if (max !== undefined && max < uploads.settings.maxFileBytes) {
    if (options.declaredSize !== undefined && options.declaredSize > max) throw new PayloadTooLargeError(`the upload is ${options.declaredSize} bytes, more than the limit of ${max} bytes; nothing was stored`);
    let seen = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > max) done(new PayloadTooLargeError(`the upload is larger than the limit of ${max} bytes`));
        else done(null, chunk);
      },
    });
    body.on('error', (err) => limit.destroy(err));
    source = body.pipe(limit);
  }
  const doc = await uploads.uploadStream(owner, source, {
    originalName: fileName,
    ...(options.declaredSize !== undefined ? { declaredSize: options.declaredSize } : {}),
    ...(options.format ? { format: options.format } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return stored(doc);
}

/** An upload as its owner sees it: its status document, with its size as `bytes` once known. */
export interface FoundUpload extends UploadDoc, StoredInput {
  uploadId: string;
}

/**
 * Finds an upload of `owner` (`Uploads.find`: its document, or where coordination keeps none, its
 * object, without SHA-256). An upload of another owner is not found: its document is under that owner.
 * @returns undefined for an unknown id, a malformed one, or another owner's.
 */
export async function findUpload(ports: UploadPorts, owner: string, uploadId: string): Promise<FoundUpload | undefined> {
  const doc = await (await uploadsFor(ports)).find(owner, uploadId);
  return doc && { ...doc, ...(doc.size !== undefined ? { bytes: doc.size } : {}) };
}
