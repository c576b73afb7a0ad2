/**
 * `@tus/s3-store` `S3Store` over toolflow's S3 object store (`tus-data-stores.ts` picks it): same
 * bucket and client configuration (endpoint, path style, credentials, timeouts, checksum modes),
 * a client of its own. tus's objects are kept under `_tus/` (`tusPrefix`), never beside the file.
 *
 * Changes to S3Store's behaviour, each for a reason found in its 2.0 source:
 * - `remove` aborts the multipart upload when there is one and deletes the object, the `.info` and
 *   the `.part` objects in every case (S3Store's own gives up with 404 once the multipart upload is
 *   completed, leaving the object, and never deletes the `.part`);
 * - a deferred-length upload's part size is reckoned from the largest file allowed
 *   (`maxFileBytes`) instead of S3's 5 TiB (which makes every part ~550 MB, spooled to disk);
 * - its metadata cache keeps only uploads whose length is known: another process may declare a
 *   deferred length, which a cached record would never see;
 * - no object tags, no tus expiry (toolflow's sweeper aborts idle uploads);
 * - a server without ListParts (405/501: s3rver, some gateways), which S3Store calls before every
 *   write, is a ConfigError naming the bucket and endpoint, not an internal error.
 */
import type { Part } from '@aws-sdk/client-s3';
import { S3Store, type MetadataValue } from '@tus/s3-store';
import type { KvStore } from '@tus/utils';
import { ConfigError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import type { S3ObjectStore } from '../objects/s3-object-store.js';
import type { InnerStore } from './tus-data-stores.js';
import { tusPrefix } from './tus-data-stores.js';
import type { UploadSettings } from './upload-doc.js';

/** Uploads whose tus record is cached at most (the oldest go first). */
const CACHED_RECORDS = 10_000;

/** S3Store's metadata cache, keeping only records with a known length (see the module's doc). */
class SizedRecordCache implements KvStore<MetadataValue> {
  private readonly records = new Map<string, MetadataValue>();
  async get(key: string): Promise<MetadataValue | undefined> {
    return this.records.get(key);
  }
  async set(key: string, value: MetadataValue): Promise<void> {
    if (value.file.size === undefined) return;
    this.records.set(key, value);
    if (this.records.size > CACHED_RECORDS) this.records.delete(this.records.keys().next().value as string);
  }
  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }
}

/** S3 error names of a missing key or multipart upload. */
const MISSING = new Set(['NotFound', 'NoSuchKey', 'NoSuchUpload']);
function isMissing(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return MISSING.has(e?.name ?? '') || MISSING.has(e?.Code ?? '') || e?.$metadata?.httpStatusCode === 404;
}

/** The S3 tus store (see the module's doc). */
/** The status and code of an S3 error answering that the server does not implement the call (405, 501), else undefined. */
function unsupported(err: unknown): string | undefined {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (status !== 405 && status !== 501) return undefined;
  const code = e?.Code ?? e?.name;
  return code && code !== 'Error' ? `${status} ${code}` : String(status);
}

export class ToolflowS3Store extends S3Store implements InnerStore {
  readonly where: string;
  private readonly maxFileBytes: number;
  /** `S3 bucket <bucket> at <endpoint>` (password masked), or `… at AWS`, for the unsupported-server message. */
  private readonly whereAt: string;

  /** @param objects the object store whose bucket and client configuration it uses. */
  constructor(objects: S3ObjectStore, settings: UploadSettings) {
    super({
      partSize: settings.partBytes,
      useTags: false,
      cache: new SizedRecordCache(),
      s3ClientConfig: { ...objects.clientConfig, bucket: objects.bucket },
    });
    this.maxFileBytes = settings.maxFileBytes;
    this.where = `S3 bucket ${objects.bucket}`;
    const endpoint = objects.clientConfig.endpoint;
    this.whereAt = `${this.where} at ${typeof endpoint === 'string' ? maskUrl(endpoint) : 'AWS'}`;
    this.extensions = this.extensions.filter((e) => e !== 'expiration');
  }

  protected override infoKey(id: string): string {
    return `${tusPrefix(id)}.info`;
  }

  protected override partKey(id: string, isIncomplete = false): string {
    return isIncomplete ? `${tusPrefix(id)}.part` : id;
  }

  /**
   * S3Store's ListParts (before every write, and for an upload's offset).
   * @throws ConfigError when the server does not implement it (405/501).
   */
  protected override async retrieveParts(id: string, partNumberMarker?: string): Promise<Part[]> {
    try {
      return await super.retrieveParts(id, partNumberMarker);
    } catch (err) {
      const answer = unsupported(err);
      if (answer === undefined) throw err;
      throw Object.assign(
        new ConfigError(`${this.whereAt} does not implement ListParts (${answer}), which uploads need (resumable S3 multipart uploads): use an S3 server that has it with AbortMultipartUpload (AWS S3, Ceph radosgw, MinIO; not s3rver)`),
        { cause: err },
      );
    }
  }

  protected override calcOptimalPartSize(size?: number): number {
    return super.calcOptimalPartSize(size ?? this.maxFileBytes);
  }

  /** Aborts the multipart upload if it is open, then deletes the object, `.info` and `.part` (see the module's doc). */
  override async remove(id: string): Promise<void> {
    let uploadId: string | undefined;
    try {
      uploadId = (await this.getMetadata(id))['upload-id'];
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    if (uploadId) {
      await this.client.abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: uploadId }).catch((err: unknown) => {
        if (!isMissing(err)) throw err;
      });
    }
    await this.client.deleteObjects({ Bucket: this.bucket, Delete: { Objects: [{ Key: id }, { Key: this.infoKey(id) }, { Key: this.partKey(id, true) }] } });
    await this.clearCache(id);
  }

  async readStart(id: string, bytes: number): Promise<Buffer> {
    if (bytes <= 0) return Buffer.alloc(0);
    try {
      const out = await this.client.getObject({ Bucket: this.bucket, Key: this.partKey(id, true), Range: `bytes=0-${bytes - 1}` });
      return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    } catch (err) {
      if (isMissing(err)) return Buffer.alloc(0);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
