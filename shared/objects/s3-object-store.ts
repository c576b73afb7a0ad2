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
 *
 * Timeouts (the SDK's NodeHttpHandler): a connection must be made within `connectTimeoutMs` (5 s),
 * and a socket that carries no byte either way for `idleTimeoutMs` (30 s) is given up, so a server
 * that takes the connection and never answers, or stops in the middle of a body, fails the request
 * while an object of any size still streams for as long as bytes flow (an idle timeout, not a total
 * one). The SDK retries such a failure (3 attempts in all, its standard retry mode), then the error
 * is a ServiceUnavailableError naming the server; a 403 is a ConfigError saying access was refused
 * (the credentials are never printed), a missing bucket a ConfigError naming it.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ChecksumMismatchError, ConfigError, NotFoundError, ServiceUnavailableError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { checkObjectKey, type ObjectInfo, type ObjectStore, type StoredObject } from './object-store.js';

// The SDK warns at its first client that its releases after January 2027 need Node.js 22; toolflow
// pins its SDK version and supports Node.js 20, so the warning is noise to toolflow's users (set the
// variable to "false" to see it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Part size of multipart uploads, bytes (S3's minimum is 5 MiB). */
export const PART_BYTES = 8 * 1024 * 1024;
/** Parts uploaded at once. */
export const PARTS_IN_FLIGHT = 4;
/** Largest object S3's CopyObject copies, bytes (5 GiB); `copy` streams a larger one through this process. */
export const MAX_COPY_OBJECT_BYTES = 5 * 1024 ** 3;
/** Default time to open a TCP connection to the server, ms. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Default time a socket may carry no byte either way before its request fails, ms. */
export const IDLE_TIMEOUT_MS = 30_000;
/** Default time `check` waits for the bucket to answer, ms (the README's start-up bound is ~15 s). */
export const CHECK_TIMEOUT_MS = 10_000;

/** Socket error codes of a server that is down, unreachable or gone mid-request. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/** Where the objects go. */
export interface S3Options {
  bucket: string;
  /** Custom endpoint for S3-compatible servers (path-style addressing is then used). */
  endpoint?: string;
  region?: string;
  /** Explicit credentials; default: the SDK's chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Time to open a connection, ms. Default `CONNECT_TIMEOUT_MS` (5 s). */
  connectTimeoutMs?: number;
  /** Time a socket may stay silent (no byte sent or received) before its request fails, ms. Default `IDLE_TIMEOUT_MS` (30 s). */
  idleTimeoutMs?: number;
  /** Time `check` waits for the bucket, ms. Default `CHECK_TIMEOUT_MS` (10 s). */
  checkTimeoutMs?: number;
  /** Largest object `copy` copies with CopyObject, bytes. Default `MAX_COPY_OBJECT_BYTES` (S3's limit; tests lower it). */
  maxCopyObjectBytes?: number;
}

/** The S3 adapter. */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  /** The bucket (the upload store, `uploads/tus-data-stores.ts`, stores in it too). */
  readonly bucket: string;
  /** The configuration the client was made with (the upload store makes its own client from it). */
  readonly clientConfig: Readonly<S3ClientConfig>;
  private readonly endpoint: string | undefined;
  private readonly idleTimeoutMs: number;
  private readonly checkTimeoutMs: number;
  private readonly maxCopyObjectBytes: number;

  constructor(options: S3Options) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    this.maxCopyObjectBytes = options.maxCopyObjectBytes ?? MAX_COPY_OBJECT_BYTES;
    this.checkTimeoutMs = options.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
    const config: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // NodeHttpHandler options: `socketTimeout` is an idle timeout (no byte either way), where
      // `requestTimeout` would bound a whole request and cut a big object's transfer short.
      requestHandler: { connectionTimeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, socketTimeout: this.idleTimeoutMs },
    };
    if (options.endpoint) Object.assign(config, { endpoint: options.endpoint, forcePathStyle: true });
    if (options.credentials) config.credentials = options.credentials;
    this.clientConfig = config;
    this.client = new S3Client(config);
    this.bucket = options.bucket;
    this.endpoint = options.endpoint;
  }

  /** `S3 bucket <bucket> at <endpoint>` (credentials masked), or `… at AWS`. */
  private get where(): string {
    return `S3 bucket ${this.bucket} at ${this.endpoint ? maskUrl(this.endpoint) : 'AWS'}`;
  }

  /**
   * The error for a failed request: ServiceUnavailableError when the server cannot be reached, does
   * not answer (connect or idle timeout), drops the connection or answers 5xx; ConfigError when it
   * refuses access (403: `refused access (403 <code>): check AWS_ACCESS_KEY_ID…`, the keys never
   * shown), has no such bucket, or no credentials can be found; the error itself otherwise (a 404
   * of a key, a checksum mismatch…).
   * @param doing what was being done, for the message (`downloading me/u/reads.fq`), or undefined.
   */
  private failure(err: unknown, doing?: string): unknown {
    if (err instanceof ConfigError || err instanceof ServiceUnavailableError) return err;
    const e = err as { name?: string; code?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    const status = e?.$metadata?.httpStatusCode;
    const during = doing ? ` while ${doing}` : '';
    const code = e?.Code ?? (e?.name && !/^(Unknown|Error|\d+)$/.test(e.name) ? e.name : undefined);
    if (status === 403) {
      return Object.assign(
        new ConfigError(`${this.where} refused access (403${code ? ` ${code}` : ''})${during}: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the SDK's other credential sources), and that they may use this bucket`),
        { cause: err },
      );
    }
    if (e?.name === 'NoSuchBucket' || (status === 404 && doing === undefined)) {
      return Object.assign(new ConfigError(`${this.where} does not exist (404${code ? ` ${code}` : ''}): create it, or set TOOLFLOW_S3_BUCKET to one that exists`), { cause: err });
    }
    if (e?.name === 'CredentialsProviderError') {
      return Object.assign(new ConfigError(`${this.where}: no credentials${during} (${e.message}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`), { cause: err });
    }
    let why: string | undefined;
    if (e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT') {
      why = /connect|connection/i.test(e.message ?? '') && !/inactivity/.test(e.message ?? '') ? `no connection within the connect timeout (${e.message})` : `no answer for ${this.idleTimeoutMs} ms (the server took the connection and went silent)`;
    } else if (e?.name === 'AbortError' && doing === undefined) {
      why = `no answer within ${this.checkTimeoutMs} ms`;
    } else if ((e?.code !== undefined && NETWORK_CODES.has(e.code)) || /socket hang up|ECONNREFUSED|ECONNRESET/i.test(e?.message ?? '')) {
      why = e?.message ?? String(err);
    } else if (status !== undefined && status >= 500) {
      why = `HTTP ${status}${code ? ` ${code}` : ''}`;
    }
    if (why === undefined) return err;
    return new ServiceUnavailableError(`${this.where} is unreachable${during}: ${why}`, { cause: err });
  }

  /**
   * Checks that the bucket answers (HeadBucket), within `checkTimeoutMs`.
   * @throws ServiceUnavailableError naming the endpoint and bucket when it does not answer;
   *   ConfigError when it refuses access (403) or does not exist (404).
   */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(this.checkTimeoutMs) });
    } catch (err) {
      const failure = this.failure(err);
      if (failure instanceof ConfigError || failure instanceof ServiceUnavailableError) throw failure;
      throw new ServiceUnavailableError(`${this.where} is unreachable: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Closes the client's connections. */
  async close(): Promise<void> {
    this.client.destroy();
  }

  async putFile(key: string, path: string, options: { signal?: AbortSignal } = {}): Promise<StoredObject> {
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
    } catch (err) {
      if (signal?.aborted) throw err;
      throw this.failure(err, `uploading ${key}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
    const info = await this.head(key);
    if (!info) throw new Error(`object ${key} is missing right after its upload`);
    return { ...info, sha256 };
  }

  /**
   * CopyObject (the bytes stay in the bucket; the metadata, `sha256` included, is copied with them).
   * An object larger than CopyObject takes (`maxCopyObjectBytes`, S3's 5 GiB) is streamed instead:
   * downloaded and uploaded in parts at once (memory bounded as in `putFile`), with its metadata,
   * and hashed on the way: a copy whose bytes differ from the stored `sha256` is deleted and refused.
   * @throws NotFoundError when there is no object at `fromKey`; ChecksumMismatchError (see above);
   *   the store's error (`failure`) otherwise.
   */
  async copy(fromKey: string, toKey: string): Promise<ObjectInfo> {
    checkObjectKey(fromKey);
    checkObjectKey(toKey);
    let size: number;
    let metadata: Record<string, string> | undefined;
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fromKey }));
      size = out.ContentLength ?? 0;
      metadata = out.Metadata;
    } catch (err) {
      if (isNotFound(err) && (err as { name?: string }).name !== 'NoSuchBucket') throw new NotFoundError(`no object ${fromKey}`);
      throw this.failure(err, `reading ${fromKey}`);
    }
    if (size <= this.maxCopyObjectBytes) {
      // CopySource is `<bucket>/<key>`, URL-encoded (a key may hold `[`, `]`, spaces); `/` stays.
      const source = `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
      try {
        await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: toKey, CopySource: source }));
      } catch (err) {
        if (isNotFound(err) && (err as { name?: string }).name !== 'NoSuchBucket') throw new NotFoundError(`no object ${fromKey}`);
        throw this.failure(err, `copying ${fromKey} to ${toKey}`);
      }
    } else {
      await this.streamCopy(fromKey, toKey, metadata);
    }
    const info = await this.head(toKey);
    if (!info) throw new Error(`object ${toKey} is missing right after its copy`);
    return info;
  }

  /** `copy` of an object too large for CopyObject: GetObject streamed into a multipart upload (see `copy`). */
  private async streamCopy(fromKey: string, toKey: string, metadata: Record<string, string> | undefined): Promise<void> {
    let body: Readable;
    try {
      body = (await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fromKey }))).Body as Readable;
    } catch (err) {
      if (isNotFound(err) && (err as { name?: string }).name !== 'NoSuchBucket') throw new NotFoundError(`no object ${fromKey}`);
      throw this.failure(err, `downloading ${fromKey}`);
    }
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    body.on('error', (err) => hashing.destroy(err));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: toKey, Body: body.pipe(hashing), ...(metadata ? { Metadata: metadata } : {}) },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      throw this.failure(err, `copying ${fromKey} to ${toKey}`);
    }
    const actual = hash.digest('hex');
    const expected = metadata?.sha256;
    if (expected !== undefined && actual !== expected) {
      await this.delete(toKey).catch(() => undefined);
      throw new ChecksumMismatchError(`object ${fromKey} is corrupt: its SHA-256 is ${actual}, it was stored with ${expected}`);
    }
  }

  /**
   * Streams the object to a temporary file renamed into place, hashing it on the way: refused
   * (ChecksumMismatchError, the partial file removed) when the bytes differ from `options.sha256`
   * or, without it, from the object's `x-amz-meta-sha256`; an object with neither (one an upload
   * stored by multipart through tus, whose SHA-256 is in its upload document only) is not checked.
   */
  async getToFile(key: string, path: string, options: { sha256?: string } = {}): Promise<void> {
    checkObjectKey(key);
    let body: Readable;
    let expected: string | undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      body = out.Body as Readable;
      expected = options.sha256 ?? out.Metadata?.sha256;
    } catch (err) {
      if (isNotFound(err) && (err as { name?: string }).name !== 'NoSuchBucket') throw new NotFoundError(`no object ${key}`);
      throw this.failure(err, `downloading ${key}`);
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
      throw this.failure(err, `downloading ${key}`);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      checkObjectKey(key);
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: out.ContentLength ?? 0 };
    } catch (err) {
      if ((isNotFound(err) && (err as { name?: string }).name !== 'NoSuchBucket') || (err as Error).message?.startsWith('invalid object key')) return undefined;
      throw this.failure(err, `reading ${key}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })).catch((err: unknown) => {
        throw this.failure(err, `listing ${prefix}`);
      });
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkObjectKey(key) })).catch((err: unknown) => {
      throw this.failure(err, `deleting ${key}`);
    });
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
