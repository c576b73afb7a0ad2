/**
 * An upload id given as a submission's input (the user API's `POST /v1/tasks`, the `validate`
 * function), turned into the stored input it names, or into why it cannot be one (issue 11): not
 * an upload of the submitter's (unknown, malformed, or another owner's: the same words, so that
 * ids of others are not confirmed), still uploading, failed, or not of the format the workflow
 * declares for that input (`format:`), judged on what the upload recorded of its first bytes
 * (`UploadDoc.detected`, see shared/uploads/format-check.ts `detectedName`), or, where nothing was
 * recorded (its document lives in another process), on the object's first 64 KiB.
 */
import type { StoredInput } from '../events/catalog.js';
import { findUpload, type FoundUpload } from '../handlers/upload.js';
import type { Ports } from '../runtime/ports.js';
import { LocalObjectStore } from '../objects/local-object-store.js';
import type { ObjectStore } from '../objects/object-store.js';
import { checkDetected, checkFormat, readFirstBytes, SNIFF_BYTES } from '../uploads/format-check.js';
import type { FileFormat } from '../uploads/upload-doc.js';
import { shownName } from '../uploads/upload-names.js';

/** An id for a message: JSON-quoted (escapes any control character), cut to 80 characters. */
function shownId(id: string): string {
  return JSON.stringify(id.length > 80 ? `${id.slice(0, 77)}...` : id);
}

/** The format an input declares, and where (for messages: `inputs.reads`, `inputs.samples.columns.fastq`). */
export interface DeclaredFormat {
  format: FileFormat;
  declaredAt: string;
}

/**
 * Why an upload found for an id cannot be the input, or undefined when it can.
 * Rules: only a `successful` upload is an input; with a declared format, the upload's recorded
 * `detected` must fit it (`checkDetected`: the rules of `checkFormat`); when nothing was recorded,
 * the upload must have been checked against that same format (`UploadDoc.format`: the upload
 * refused bytes that did not fit), or its first bytes (`first`, read from its object) must fit. A
 * 0-byte upload is `empty`.
 * @param first the object's first SNIFF_BYTES, when the caller read them (see `uploadInput`).
 * @returns the message, naming the upload by id and (escaped) original name.
 */
export function uploadProblem(upload: FoundUpload, declared?: DeclaredFormat, first?: Buffer): string | undefined {
  const name = `upload ${upload.uploadId} ("${shownName(upload.originalName || upload.fileName)}")`;
  if (upload.status === 'ongoing') {
    const of = upload.declaredSize !== undefined ? ` of ${upload.declaredSize}` : '';
    return `${name} is still uploading (${upload.offset ?? 0}${of} bytes so far); submit once it has finished`;
  }
  if (upload.status === 'failed') return `${name} failed: ${upload.error ?? 'no reason recorded'}; upload the file again`;
  if (!declared) return undefined;
  const detected = upload.detected ?? (upload.size === 0 ? 'empty' : undefined);
  const where = `${declared.declaredAt} declares format: ${declared.format}`;
  let why: string | undefined;
  if (detected !== undefined) why = checkDetected(declared.format, detected);
  else if (upload.format === declared.format) why = undefined;
  else if (first !== undefined) why = checkFormat(declared.format, first);
  else return `${name} has no record of what its bytes are, and ${where}: upload the file again`;
  return why && `${name}: ${why} (${where})`;
}

/** Whether `uploadProblem` would need the object's first bytes to judge the upload. */
function needsFirstBytes(upload: FoundUpload, declared?: DeclaredFormat): boolean {
  return declared !== undefined && upload.status === 'successful' && upload.detected === undefined && upload.size !== 0 && upload.format !== declared.format;
}

/**
 * The first SNIFF_BYTES of an object (fewer when it is shorter), for an upload that recorded no
 * `detected` (found by its object alone: its document lives in another process, coordination
 * without etcd), from a local folder's file or by an S3 ranged GET, as `uploads/tus-data-stores.ts`
 * tells the two stores apart. @returns undefined for another kind of store.
 * @throws the file system's or S3's error.
 */
async function objectStart(objects: ObjectStore, key: string): Promise<Buffer | undefined> {
  if (objects instanceof LocalObjectStore) return readFirstBytes(objects.fileOf(key));
  const { S3ObjectStore } = await import('../objects/s3-object-store.js');
  if (!(objects instanceof S3ObjectStore)) return undefined;
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const out = await objects.client.send(new GetObjectCommand({ Bucket: objects.bucket, Key: key, Range: `bytes=0-${SNIFF_BYTES - 1}` }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

/**
 * Resolves an upload id of `owner` to the stored input it is.
 * @param declared the format the input declares, when it does.
 * @returns the stored input (with its SHA-256 and size when recorded: the cache key reads them),
 *   or `{problem}` saying why it cannot be used (see `uploadProblem`; an unknown id, a malformed
 *   one and another owner's upload are all "no upload … of yours", with `notFound`).
 * @throws the coordination's or object store's error.
 */
export async function uploadInput(ports: Pick<Ports, 'objects' | 'coordination'>, owner: string, id: string, declared?: DeclaredFormat): Promise<StoredInput | { problem: string; notFound?: true }> {
  const upload = await findUpload(ports, owner, id);
  if (!upload) return { notFound: true, problem: `no upload ${shownId(id)} of yours: upload the file (POST /v1/uploads?name=FILE, or toolflow upload) and give the uploadId it answers` };
  const first = needsFirstBytes(upload, declared) ? await objectStart(ports.objects, upload.key) : undefined;
  const problem = uploadProblem(upload, declared, first);
  if (problem) return { problem };
  return { key: upload.key, fileName: upload.fileName, ...(upload.sha256 ? { sha256: upload.sha256 } : {}), ...(upload.bytes !== undefined ? { bytes: upload.bytes } : {}) };
}
