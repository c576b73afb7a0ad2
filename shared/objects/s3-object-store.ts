/**
 * The object store port over S3 or any S3-compatible server (@aws-sdk/client-s3,
 * @aws-sdk/lib-storage). Uploads stream in parts of 8 MiB, at most 4 in flight, so memory stays
 * bounded whatever the file size; a failed upload aborts its multipart upload (lib-storage's
 * `leavePartsOnError: false`). Downloads stream to a temporary file renamed into place.
 * Checksums: the SDK's default trailing checksums (aws-chunked bodies) are stored inside the object
 * by some S3-compatible servers (seen with s3rver 3.7), so they are sent only where S3 requires them;
 * instead every object carries the SHA-256 of its bytes in its metadata (`x-amz-meta-sha256`,
 * computed from the file before the upload), and a download is hashed as it streams and refused
 * (its partial file removed) when the hash differs.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ChecksumMismatchError, NotFoundError, ServiceUnavailableError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { checkObjectKey, type ObjectInfo, type ObjectStore } from './object-store.js';

// The SDK warns at its first client that its releases after January 2027 need Node.js 22; toolflow
// pins its SDK version and supports Node.js 20, so the warning is noise to toolflow's users (set the
// variable to "false" to see it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Part size of multipart uploads, bytes (S3's minimum is 5 MiB). */
export const PART_BYTES = 8 * 1024 * 1024;
/** Parts uploaded at once. */
export const PARTS_IN_FLIGHT = 4;

/** Where the objects go. */
export interface S3Options {
  bucket: string;
  /** Custom endpoint for S3-compatible servers (path-style addressing is then used). */
  endpoint?: string;
  region?: string;
  /** Explicit credentials; default: the SDK's chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The S3 adapter. */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly endpoint: string | undefined;

  constructor(options: S3Options) {
    const config: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (options.endpoint) Object.assign(config, { endpoint: options.endpoint, forcePathStyle: true });
    if (options.credentials) config.credentials = options.credentials;
    this.client = new S3Client(config);
    this.bucket = options.bucket;
    this.endpoint = options.endpoint;
  }

  /**
   * Checks that the bucket answers (HeadBucket).
   * @throws ServiceUnavailableError naming the endpoint and bucket when it does not.
   */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(10_000) });
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const why = status ? `HTTP ${status}${status === 404 ? ' (no such bucket)' : status === 403 ? ' (access denied)' : ''}` : (err as Error).message;
      throw new ServiceUnavailableError(`S3 bucket ${this.bucket} at ${this.endpoint ? maskUrl(this.endpoint) : 'AWS'} is unreachable: ${why}`, { cause: err });
    }
  }

  /** Closes the client's connections. */
  async close(): Promise<void> {
    this.client.destroy();
  }

  async putFile(key: string, path: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    checkObjectKey(key);
    const { signal } = options;
    signal?.throwIfAborted();
    const sha256 = await sha256OfFile(path);
    signal?.throwIfAborted();
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: createReadStream(path), Metadata: { sha256 } },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    // An abort stops the parts in flight and sends AbortMultipartUpload (lib-storage's `abort`).
    const onAbort = () => void upload.abort().catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
    const info = await this.head(key);
    if (!info) throw new Error(`object ${key} is missing right after its upload`);
    return info;
  }

  async getToFile(key: string, path: string): Promise<void> {
    checkObjectKey(key);
    let body: Readable;
    let expected: string | undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      body = out.Body as Readable;
      expected = out.Metadata?.sha256;
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError(`no object ${key}`);
      throw err;
    }
    const tmp = `${path}.part-${process.pid}`;
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, hashing, createWriteStream(tmp));
      const actual = hash.digest('hex');
      if (expected !== undefined && actual !== expected) {
        throw new ChecksumMismatchError(`object ${key} is corrupt: its SHA-256 is ${actual}, it was stored with ${expected}`);
      }
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      checkObjectKey(key);
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: out.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err) || (err as Error).message?.startsWith('invalid object key')) return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkObjectKey(key) }));
  }
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
