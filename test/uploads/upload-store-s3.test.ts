/**
 * The upload decorator over a real S3 server (@tus/s3-store on Ceph radosgw: ListParts,
 * ListMultipartUploads and AbortMultipartUpload, which s3rver lacks), status documents in etcd.
 * What an upload left behind is read from the server itself: its objects, tus's `_tus/` objects,
 * and its open multipart uploads (ListMultipartUploads).
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListMultipartUploadsCommand, ListObjectsV2Command, AbortMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EtcdCoordination } from '../../shared/coordination/etcd-coordination.js';
import { MemoryCoordination } from '../../shared/coordination/memory-coordination.js';
import { S3ObjectStore } from '../../shared/objects/s3-object-store.js';
import { createUploads } from '../../shared/uploads/uploads.js';
import { ensureRgw, type Rgw } from '../support/rgw.js';
import { skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';
import { chunks, MiB, sha, uploadSuite } from './upload-suite.js';

const dir = tempDir('toolflow-uploads-s3-');
const run = randomBytes(4).toString('hex');
const bucket = `toolflow-uploads-${run}`;
let rgw: Rgw;
let s3: S3Client;
let objects: S3ObjectStore;
let etcd: EtcdCoordination | undefined;

async function setup(): Promise<void> {
  if (objects) return;
  rgw = await ensureRgw();
  const credentials = { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
  s3 = new S3Client({ endpoint: rgw.endpoint, region: 'us-east-1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  objects = new S3ObjectStore({ bucket, endpoint: rgw.endpoint, credentials });
  if (!skipped('etcd')) etcd = await EtcdCoordination.connect({ endpoints: inject('etcdEndpoints'), log: pino({ level: 'silent' }) });
}
beforeAll(setup, 180_000);

afterAll(async () => {
  if (s3) {
    for (;;) {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      if (!out.Contents?.length) break;
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: out.Contents.map((o) => ({ Key: o.Key! })) } }));
    }
    for (const u of (await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    s3.destroy();
  }
  await objects?.close();
  await etcd?.close();
});

/** What the server holds for an upload (see `Backend.leftovers`). */
async function leftovers(owner: string, uploadId: string): Promise<string[]> {
  const found: string[] = [];
  for (const prefix of [`${owner}/${uploadId}/`, `_tus/${owner}/${uploadId}.`]) {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    for (const o of out.Contents ?? []) found.push(o.Key!.endsWith('.info') ? 'tus-record' : o.Key!.endsWith('.part') ? 'tus-part' : o.Key!);
  }
  const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${owner}/${uploadId}/` }));
  for (const u of open.Uploads ?? []) found.push(`multipart:${u.Key}`);
  return found.sort();
}

const memory = new MemoryCoordination();
uploadSuite({ name: 'S3 (radosgw), documents in etcd', ports: () => ({ objects, coordination: etcd ?? memory }), leftovers, dir: () => dir, setup }, run);

describe('uploads over S3 (radosgw)', () => {
  it('keeps tus\'s objects under _tus/, parts in the multipart upload until its end', async () => {
    const uploads = await createUploads({ objects, coordination: etcd ?? memory }, { partBytes: 5 * MiB });
    const data = randomBytes(8 * MiB);
    const doc = await uploads.create(`eve-${run}`, { originalName: 'p.bin', declaredSize: data.length });
    await uploads.store.write(chunks(data.subarray(0, 6 * MiB)), doc.key, 0);
    expect(await leftovers(`eve-${run}`, doc.uploadId)).toEqual([`multipart:${doc.key}`, 'tus-part', 'tus-record'].sort());
    expect(await objects.list(`eve-${run}/`)).toEqual([]);
    await uploads.store.write(chunks(data.subarray(6 * MiB)), doc.key, 6 * MiB);
    expect(await leftovers(`eve-${run}`, doc.uploadId)).toEqual([doc.key, 'tus-record']);
    expect((await uploads.find(`eve-${run}`, doc.uploadId))?.sha256).toBe(sha(data));
    await uploads.close();
  });
});
