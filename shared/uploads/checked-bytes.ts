/**
 * The bytes of one write of an upload as the store under the decorator reads them
 * (`upload-store.ts`): counted against the per-file limit, the declared size and the quota,
 * hashed, their first 64 KiB held back until their format is checked, and the declared SHA-256
 * compared at the end of the file.
 *
 * They are pulled from the source only as the store reads (an async generator, not a transform
 * that would run ahead). A refusal, or an error of the source (the client went away), ends them
 * early and normally: the store keeps what it was given (as @tus/server does with a cut request)
 * and the caller acts on `result` afterwards. The stores' own error paths are never taken that way
 * (@tus/s3-store leaves temporary part files behind when its stream fails mid-part, and its
 * MultiStream listens to a stream only once it reaches it). The last chunk is held until the end,
 * so a declared SHA-256 that does not match keeps the store from completing the object.
 */
import type { Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { checkFormat, detectedOf, SNIFF_BYTES } from './format-check.js';
import type { FileFormat } from './upload-doc.js';
import { DeclaredChecksumMismatchError, FormatMismatchError, PayloadTooLargeError, QuotaExceededError } from './upload-errors.js';

/** What the bytes are checked against. */
export interface ByteChecks {
  /** Where the write starts, bytes. */
  offset: number;
  /** The file's size when known (declared), bytes. */
  size: number | undefined;
  /** The per-file limit, bytes. */
  maxFileBytes: number;
  /** The quota, and what the owner holds in other uploads, bytes. */
  quotaBytes: number;
  heldElsewhere: number;
  /** The SHA-256 of the bytes before `offset` (node's crypto, live: `sha256-continuations.ts`), or undefined when it is not known (nothing is hashed). */
  hasher: Hash | undefined;
  /** Whether the first 64 KiB are still to be checked, and the bytes stored before `offset` (fewer than 64 KiB) when so. */
  sniffing: boolean;
  prefix: Buffer;
  format: FileFormat | undefined;
  declaredSha256: string | undefined;
  /** Called at most every `touchEveryMs` while bytes flow (the caller moves the document's `updatedAt`). */
  touch: () => void;
  touchEveryMs: number;
}

/** What the bytes showed, read once the store is done with them. */
export interface ByteResult {
  /** Bytes taken from the source. */
  counted: number;
  /** Why the upload must fail: PayloadTooLargeError, QuotaExceededError, FormatMismatchError, DeclaredChecksumMismatchError. */
  refusal?: Error;
  /** The source's error (the rest of the file is still to come: the upload may be resumed). */
  sourceError?: Error;
  /** `detectedOf` the first bytes, once they were checked. */
  detected?: string;
  /** SHA-256 of the whole file, when this write ended it and the hash state was known. */
  sha256?: string;
}

/** The message of a declared SHA-256 that does not match. */
export function checksumMismatch(declared: string, actual: string): DeclaredChecksumMismatchError {
  return new DeclaredChecksumMismatchError(`the upload's bytes hash to SHA-256 ${actual}, not the ${declared} it declared; it was removed: upload the file again`);
}

/**
 * The checked bytes of `source` (see the module's doc).
 * @returns the stream to give the store, and the result it fills in as the store reads.
 */
export function checkedBytes(source: Readable, c: ByteChecks): { bytes: Readable; result: ByteResult } {
  const result: ByteResult = { counted: 0 };
  const { offset, size, hasher } = c;
  const room = c.quotaBytes - c.heldElsewhere;
  let held: Buffer[] | undefined = c.sniffing ? [] : undefined;
  let heldBytes = 0;
  let touched = Date.now();
  const refuse = (err: Error): void => void (result.refusal = err);
  /** Checks the first bytes: @returns the refusal, or undefined. */
  const sniff = (): Error | undefined => {
    const first = Buffer.concat([c.prefix, ...(held ?? [])]).subarray(0, SNIFF_BYTES);
    result.detected = detectedOf(first);
    const problem = c.format ? checkFormat(c.format, first) : undefined;
    return problem ? new FormatMismatchError(problem) : undefined;
  };

  async function* checked(): AsyncGenerator<Buffer> {
    let pending: Buffer | undefined;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        result.counted += chunk.length;
        const at = offset + result.counted;
        if (at > c.maxFileBytes) return refuse(new PayloadTooLargeError(`the upload passed the limit of ${c.maxFileBytes} bytes (TOOLFLOW_UPLOAD_LIMIT); it was stopped and removed`));
        if (size !== undefined && at > size) return refuse(new PayloadTooLargeError(`the upload sent more than the ${size} bytes it declared; it was stopped and removed`));
        if (at > room) return refuse(new QuotaExceededError(c.heldElsewhere, at, c.quotaBytes));
        hasher?.update(chunk);
        if (Date.now() - touched >= c.touchEveryMs) {
          touched = Date.now();
          c.touch();
        }
        let ready: Buffer | undefined = chunk;
        if (held) {
          held.push(chunk);
          heldBytes += chunk.length;
          ready = undefined;
          if (c.prefix.length + heldBytes >= SNIFF_BYTES) {
            const problem = sniff();
            if (problem) return refuse(problem);
            ready = Buffer.concat(held);
            held = undefined;
          }
        }
        if (ready) {
          if (pending) yield pending;
          pending = ready;
        }
      }
    } catch (err) {
      result.sourceError = err as Error;
    }
    const whole = !result.sourceError && size !== undefined && offset + result.counted === size;
    if (held) {
      // Fewer than 64 KiB came: checked now when they are the whole file, else at the next write.
      if (whole) {
        const problem = sniff();
        if (problem) return refuse(problem);
      }
      const rest = Buffer.concat(held);
      held = undefined;
      if (rest.length > 0) {
        if (pending) yield pending;
        pending = rest;
      }
    }
    if (whole && hasher) {
      result.sha256 = hasher.digest('hex');
      if (c.declaredSha256 && result.sha256 !== c.declaredSha256) return refuse(checksumMismatch(c.declaredSha256, result.sha256));
    }
    if (pending) yield pending;
  }
  return { bytes: Readable.from(checked(), { objectMode: false, highWaterMark: 64 * 1024 }), result };
}
