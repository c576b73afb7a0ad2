import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRgw, type Rgw } from '../support/rgw.js';
import { tempDir } from '../support/tmp.js';

/** Multipart uploads and the object calls against a real S3 server: Ceph radosgw on loopback. */
const dir = tempDir('toolflow-rgw-test-');
let rgw: Rgw;
let s3: S3Client;
const bucket = `toolflow-mp-${process.pid}`;
const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  rgw = await startRgw();
  s3 = new S3Client({
    endpoint: rgw.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    // As shared/objects/s3-object-store.ts: radosgw 16 takes no aws-chunked bodies with checksum
    // trailers, which the SDK's default sends for a stream (it fails with MissingContentLength).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await rgw?.stop();
});

async function bodyOf(key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

describe('radosgw multipart uploads', () => {
  it('lists the parts and the upload, and an abort removes it', async () => {
    const key = 'aborted.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    expect(UploadId).toBeTruthy();
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB)];
    for (const [i, body] of parts.entries()) {
      await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }));
    }

    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 5 * MiB],
      [2, 5 * MiB],
    ]);

    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[key, UploadId]]);

    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(after.Uploads ?? []).toEqual([]);
    // AWS answers NoSuchUpload; radosgw 16 answers 404 NoSuchKey.
    await expect(s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('completes an upload of two 5 MiB parts and a short last one, read back byte for byte', async () => {
    const key = 'dir/completed.bin';
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(12345)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const done: { ETag: string; PartNumber: number }[] = [];
    for (const [i, body] of parts.entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }));
      done.push({ ETag: ETag!, PartNumber: i + 1 });
    }
    const completed = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: done } }));
    // radosgw 16 sends an empty <ETag/> here (a Ceph bug fixed after 16.2.15); HeadObject has it.
    const md5s = Buffer.concat(parts.map((b) => createHash('md5').update(b).digest()));
    const etag = `"${createHash('md5').update(md5s).digest('hex')}-3"`;
    expect(['', etag]).toContain(completed.ETag);

    const whole = Buffer.concat(parts);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect([head.ContentLength, head.ETag]).toEqual([whole.length, etag]);
    expect(sha(await bodyOf(key))).toBe(sha(whole));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });

  it('refuses to complete with a part under 5 MiB that is not the last', async () => {
    const key = 'small.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const done: { ETag: string; PartNumber: number }[] = [];
    for (const [i, body] of [randomBytes(1024), randomBytes(1024)].entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }));
      done.push({ ETag: ETag!, PartNumber: i + 1 });
    }
    await expect(
      s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: done } })),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' });
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
  });
});

describe('radosgw objects', () => {
  it('puts, heads, gets, copies, lists and deletes', async () => {
    const body = randomBytes(100_000);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/one.bin', Body: body, Metadata: { kind: 'test' } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a/one.bin' }));
    expect([head.ContentLength, head.Metadata]).toEqual([body.length, { kind: 'test' }]);
    expect(sha(await bodyOf('a/one.bin'))).toBe(sha(body));

    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'b/two.bin', CopySource: `${bucket}/a/one.bin` }));
    expect(sha(await bodyOf('b/two.bin'))).toBe(sha(body));

    const all = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(all.Contents?.map((o) => o.Key)).toEqual(['a/one.bin', 'b/two.bin']);
    const dirs = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    expect(dirs.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    const paged = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    expect([paged.Contents?.length, paged.IsTruncated]).toEqual([1, true]);
    const rest = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: paged.NextContinuationToken }));
    expect(rest.Contents?.map((o) => o.Key)).toEqual(['b/two.bin']);

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a/one.bin' }));
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a/one.bin' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/one.bin' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b/two.bin' }));
  });

  it('puts a file stream', async () => {
    const body = randomBytes(3 * MiB);
    const file = join(dir, 'streamed.bin');
    writeFileSync(file, body);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed.bin', Body: createReadStream(file) }));
    expect(sha(await bodyOf('streamed.bin'))).toBe(sha(body));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'streamed.bin' }));
  });

  it('tags an object and reads the tags back', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tagged.txt', Body: 'hello' }));
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'tagged.txt',
        Tagging: { TagSet: [{ Key: 'run', Value: '42' }, { Key: 'step', Value: 'align' }] },
      }),
    );
    const got = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged.txt' }));
    expect(got.TagSet?.map((t) => [t.Key, t.Value]).sort()).toEqual([
      ['run', '42'],
      ['step', 'align'],
    ]);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'tagged.txt' }));
  });

  it('deletes the emptied bucket', async () => {
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  });
});
