/**
 * Uploads carry their inputs' SHA-256 and size (issue 10: the cache key hashes inputs by content):
 * `uploadFile` and `uploadStream` return them, the upload's status document keeps them, and
 * `findUpload` gives them back from the document (without one, only the size).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCoordination } from '../../shared/coordination/memory-coordination.js';
import { findUpload, uploadFile, uploadStream } from '../../shared/handlers/upload.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { S3ObjectStore } from '../../shared/objects/s3-object-store.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const TEXT = '@r1\nACGT\n+\nIIII\n';
const SHA = createHash('sha256').update(TEXT).digest('hex');

let s3rver: S3rver;
let s3: S3ObjectStore;
beforeAll(async () => {
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3rver'), configureBuckets: [{ name: 'toolflow', configs: [] }] });
  const { port } = (await s3rver.run()) as unknown as { port: number };
  s3 = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
afterAll(async () => {
  await s3?.close();
  await s3rver?.close();
});

describe.each([
  { name: 'local folder', objects: () => new LocalObjectStore(join(dir, 'objects')) },
  { name: 'S3', objects: () => s3 },
])('upload checksums: $name', ({ objects }) => {
  it('uploadFile returns the SHA-256 and size, and findUpload gives them back from the status document', async () => {
    const src = join(dir, 'reads.fq');
    writeFileSync(src, TEXT);
    const ports = { objects: objects(), coordination: new MemoryCoordination() };
    const up = await uploadFile(ports, 'me', src);
    expect(up).toEqual({ key: `me/${up.uploadId}/reads.fq`, fileName: 'reads.fq', uploadId: up.uploadId, sha256: SHA, bytes: TEXT.length });
    expect(await findUpload(ports, 'me', up.uploadId)).toMatchObject({ status: 'successful', sha256: SHA, bytes: TEXT.length, size: TEXT.length });
  });

  it('uploadStream returns them too', async () => {
    const ports = { objects: objects(), coordination: new MemoryCoordination() };
    const up = await uploadStream(ports, 'me', 'sheet.tsv', Readable.from([Buffer.from(TEXT)]), { spoolDir: dir });
    expect(up).toMatchObject({ fileName: 'sheet.tsv', size: TEXT.length, bytes: TEXT.length, sha256: SHA });
  });
});

describe('findUpload without a status document', () => {
  it('gives the size but no SHA-256 (the object store\'s head carries none): a task using it runs uncached', async () => {
    const src = join(dir, 'reads2.fq');
    writeFileSync(src, TEXT);
    const local = new LocalObjectStore(join(dir, 'objects'));
    const up = await uploadFile({ objects: local, coordination: new MemoryCoordination() }, 'me', src);
    // Another process's upload: this process has no document for it.
    const found = await findUpload({ objects: local, coordination: new MemoryCoordination() }, 'me', up.uploadId);
    expect(found).toEqual({ status: 'successful', key: up.key, size: TEXT.length, bytes: TEXT.length, uploadId: up.uploadId, fileName: 'reads2.fq' });
  });
});
