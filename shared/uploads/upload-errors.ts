/**
 * Errors of uploads (issue 11). Each carries the HTTP status it answers (`status`), and, for
 * `@tus/server`, which answers a thrown error with its `status_code` and `body` when it has them
 * (@tus/server 2.x `server.js` `onError`), the same status and the message as `status_code` and
 * `body`: a tus client sees the reason instead of a 500. The user API maps them by class or `code`.
 */
import { ChecksumMismatchError, NotFoundError, ToolflowError } from '../errors.js';

/** An upload error with its HTTP status, in the two forms the HTTP layers read. */
export class UploadError extends ToolflowError {
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(code, message);
    this.status = status;
  }

  /** The status as @tus/server reads it. */
  get status_code(): number {
    return this.status;
  }

  /** The answer's body as @tus/server sends it: the message. */
  get body(): string {
    return `${this.message}\n`;
  }
}

/**
 * A file larger than the per-file limit (`TOOLFLOW_UPLOAD_LIMIT`), or longer than the size it
 * declared: 413, code `PAYLOAD_TOO_LARGE` (the code the user API always used). Refused at creation
 * when the size is declared (before any byte is stored), else as soon as the limit is passed.
 */
export class PayloadTooLargeError extends UploadError {
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', 413, message);
  }
}

/**
 * An upload that would bring its owner's uploads past the quota (`TOOLFLOW_UPLOAD_QUOTA`): 413,
 * code `QUOTA_EXCEEDED`. The message gives the bytes held, the bytes asked and the quota.
 */
export class QuotaExceededError extends UploadError {
  /**
   * @param used bytes the owner holds in uploads that are not failed (this one left out).
   * @param adding bytes this upload would hold (its declared size, or what it sent so far).
   * @param quota the quota, bytes.
   */
  constructor(
    readonly used: number,
    readonly adding: number,
    readonly quota: number,
  ) {
    super(
      'QUOTA_EXCEEDED',
      413,
      `this upload of ${adding} bytes would pass your upload quota: you hold ${used} bytes in uploads, the quota is ${quota} bytes (TOOLFLOW_UPLOAD_QUOTA); ` +
        'delete uploads you no longer need (DELETE /v1/uploads/{uploadId}; GET /v1/uploads lists yours), or ask the operator for a larger quota',
    );
  }
}

/**
 * The first bytes of a file are not of the format it declared: 422, code `FORMAT_MISMATCH`. The
 * message is `format-check.ts` `checkFormat`'s, saying what was found ("expected fastq: …, found
 * gzip data (bytes 1f 8b 08 …)").
 */
export class FormatMismatchError extends UploadError {
  constructor(message: string) {
    super('FORMAT_MISMATCH', 422, message);
  }
}

/**
 * The bytes of an upload do not hash to the SHA-256 its client declared: a `ChecksumMismatchError`
 * (code `CHECKSUM_MISMATCH`) answering 460, the status of tus's checksum extension ("460 Checksum
 * Mismatch", tus resumable upload protocol 1.0, Checksum). The upload is failed and removed.
 */
export class DeclaredChecksumMismatchError extends ChecksumMismatchError {
  readonly status = 460;
  get status_code(): number {
    return this.status;
  }
  get body(): string {
    return `${this.message}\n`;
  }
}

/** No upload of this id for this owner (unknown, malformed, or another owner's: the same answer). A `NotFoundError` (404). */
export class UploadNotFoundError extends NotFoundError {
  readonly status = 404;
  constructor(uploadId: string) {
    super(`no upload ${JSON.stringify(uploadId.slice(0, 80))}: check the upload id (it is the one the upload answered)`);
  }
  get status_code(): number {
    return this.status;
  }
  get body(): string {
    return `${this.message}\n`;
  }
}

/**
 * Bytes sent to an upload that already ended as failed: 410, code `UPLOAD_FAILED`, with the reason
 * it failed (the upload must be started again).
 */
export class UploadGoneError extends UploadError {
  constructor(uploadId: string, reason: string) {
    super('UPLOAD_FAILED', 410, `upload ${uploadId} failed (${reason}); start the upload again`);
  }
}

/** A malformed upload request (a declared SHA-256 that is not 64 hex digits, an unknown format): 400, code `BAD_REQUEST`. */
export class UploadRequestError extends UploadError {
  constructor(message: string) {
    super('BAD_REQUEST', 400, message);
  }
}

/** Where `withUploadId` keeps an upload's id on an error. */
const UPLOAD_IDS = new WeakMap<object, string>();

/**
 * Marks `err` as the refusal of upload `uploadId` (one already created: its document is `failed`),
 * so an HTTP answer can carry the id (`{code, message, uploadId}`). @returns `err`.
 */
export function withUploadId<E>(err: E, uploadId: string): E {
  if (typeof err === 'object' && err !== null) UPLOAD_IDS.set(err, uploadId);
  return err;
}

/** The upload id `withUploadId` put on `err`, if any. */
export function uploadIdOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? UPLOAD_IDS.get(err) : undefined;
}
