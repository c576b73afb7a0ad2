/**
 * Uploads carry their inputs' SHA-256 and size (issue 10: the cache key hashes inputs by content):
 * `uploadFile` and `uploadStream` return them, the upload's status document keeps them, and
 * `findUpload` gives them back from the document (without one, only the size). The same over S3
 * is in test/uploads/upload-store-s3.test.ts (a real S3 server: tus needs ListParts).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryCoordination } from '../../shared/coordination/memory-coordination.js';
import { findUpload, PayloadTooLargeError, uploadFile, uploadStream } from '../../shared/handlers/upload.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const TEXT = '@r1\nACGT\n+\nIIII\n';
const SHA = createHash('sha256').update(TEXT).digest('hex');

describe.each([{ name: 'local folder', objects: () => new LocalObjectStore(join(dir, 'objects')) }])('upload checksums: $name', ({ objects }) => {
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
    const up = await uploadStream(ports, 'me', 'sheet.tsv', Readable.from([Buffer.from(TEXT)]));
    expect(up).toMatchObject({ fileName: 'sheet.tsv', size: TEXT.length, bytes: TEXT.length, sha256: SHA });
    expect(await findUpload(ports, 'me', up.uploadId)).toMatchObject({ status: 'successful', sha256: SHA, bytes: TEXT.length, key: `me/${up.uploadId}/sheet.tsv` });
  });

  it('uploadStream refuses a body past maxBytes, leaving the upload failed and nothing stored', async () => {
    const ports = { objects: objects(), coordination: new MemoryCoordination() };
    const err = await uploadStream(ports, 'mo', 'big.txt', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as Error).message).toBe('the upload is larger than the limit of 1000 bytes');
    const [[, doc]] = (await ports.coordination.list<{ status: string; error: string }>('uploads/mo/')) as [[string, { status: string; error: string }]];
    expect(doc).toMatchObject({ status: 'failed', error: 'the upload is larger than the limit of 1000 bytes' });
    expect(await ports.objects.list('mo/')).toEqual([]);
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
    expect(found).toMatchObject({ status: 'successful', key: up.key, size: TEXT.length, bytes: TEXT.length, uploadId: up.uploadId, fileName: 'reads2.fq' });
    expect(found?.sha256).toBeUndefined();
  });
});
