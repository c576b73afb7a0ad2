/**
 * The upload decorator over a local object store folder (@tus/file-store, real files), status
 * documents in process and in etcd; and what only a folder shows: a resumed upload hashes on from
 * the live hash of the same process (the stored bytes are not read again), a fresh process reads
 * them back once at the end, an unfinished upload's
 * file is not taken for a finished one, tus's records stay out of the objects folder.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { EtcdCoordination } from '../../shared/coordination/etcd-coordination.js';
import { MemoryCoordination } from '../../shared/coordination/memory-coordination.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { uploadDocKey, type UploadDoc } from '../../shared/uploads/upload-doc.js';
import { ObjectFolderStore } from '../../shared/uploads/tus-data-stores.js';
import { createUploads } from '../../shared/uploads/uploads.js';
import { skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';
import { chunks, MiB, sha, uploadSuite } from './upload-suite.js';

const dir = tempDir('toolflow-uploads-');
const root = join(dir, 'objects');
const objects = new LocalObjectStore(root);
const run = randomBytes(4).toString('hex');

/** What a folder holds for an upload (see `Backend.leftovers`). */
async function leftovers(owner: string, uploadId: string): Promise<string[]> {
  const found = (await objects.list(`${owner}/${uploadId}/`)).slice();
  if (existsSync(join(root, owner, uploadId)) && found.length === 0) found.push(`folder:${owner}/${uploadId}`);
  if (existsSync(join(dir, 'uploads-tus', owner, `${uploadId}.json`))) found.push('tus-record');
  return found.sort();
}

const memory = new MemoryCoordination();
uploadSuite({ name: 'a local folder, documents in process', ports: () => ({ objects, coordination: memory }), leftovers, dir: () => dir }, run);

let etcd: EtcdCoordination | undefined;
afterAll(async () => {
  await etcd?.close();
});
if (!skipped('etcd')) {
  const setup = async () => {
    etcd ??= await EtcdCoordination.connect({ endpoints: inject('etcdEndpoints'), log: pino({ level: 'silent' }) });
  };
  uploadSuite({ name: 'a local folder, documents in etcd', ports: () => ({ objects, coordination: etcd! }), leftovers, dir: () => dir, setup }, `${run}e`);
}

describe('uploads over a local folder', () => {
  it('hashes a resumed upload on in the same process without reading the stored bytes again', async () => {
    const coordination = new MemoryCoordination();
    const data = randomBytes(3 * MiB);
    const uploads = await createUploads({ objects, coordination });
    const doc = await uploads.create('bo', { originalName: 'r.bin', declaredSize: data.length });
    await uploads.store.write(chunks(data.subarray(0, MiB)), doc.key, 0);
    // The stored bytes change under it: a decorator that read them back would hash these.
    const path = join(root, ...doc.key.split('/'));
    const stored = readFileSync(path);
    stored[0] = stored[0]! ^ 0xff;
    writeFileSync(path, stored);
    const reads = vi.spyOn(ObjectFolderStore.prototype, 'read');
    try {
      await uploads.store.write(chunks(data.subarray(MiB, 2 * MiB)), doc.key, MiB);
      await uploads.store.write(chunks(data.subarray(2 * MiB)), doc.key, 2 * MiB);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
    expect(await coordination.get<UploadDoc>(uploadDocKey('bo', doc.uploadId))).toMatchObject({ status: 'successful', sha256: sha(data) });
    await uploads.close();
  });

  it('reads a resumed upload back once at its end in a fresh process (no live hash there), with the right SHA-256', async () => {
    const coordination = new MemoryCoordination();
    const data = randomBytes(3 * MiB);
    const first = await createUploads({ objects, coordination });
    const doc = await first.create('bo', { originalName: 'r.bin', declaredSize: data.length });
    await first.store.write(chunks(data.subarray(0, MiB)), doc.key, 0);
    const second = await createUploads({ objects, coordination }); // as a restarted process: no live hashes
    const reads = vi.spyOn(ObjectFolderStore.prototype, 'read');
    try {
      await second.store.write(chunks(data.subarray(MiB, 2 * MiB)), doc.key, MiB);
      expect(reads).not.toHaveBeenCalled(); // not before the end
      await second.store.write(chunks(data.subarray(2 * MiB)), doc.key, 2 * MiB);
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
    expect(await coordination.get<UploadDoc>(uploadDocKey('bo', doc.uploadId))).toMatchObject({ status: 'successful', sha256: sha(data) });
    // The first process's live hash (at 1 MiB) is not at any later write's offset: never used.
    expect(first.store.hashes.offsetOf(doc.key)).toBe(MiB);
    await first.close();
    await second.close();
  });

  it('moves the document\'s updatedAt while a long write streams, so the sweeper does not take it for abandoned', async () => {
    const coordination = new MemoryCoordination();
    const uploads = await createUploads({ objects, coordination }, { expireAfterMs: 4000 }); // touched every second
    const doc = await uploads.create('di', { originalName: 'slow.txt', declaredSize: 30 * 1024 });
    const seen: UploadDoc[] = [];
    coordination.watch('uploads/di/', (_k, v) => seen.push(v as UploadDoc));
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent === 30) return void this.push(null);
        sent++;
        setTimeout(() => this.push(Buffer.alloc(1024, 65)), 100); // 3 s in all
      },
    });
    await uploads.store.write(body, doc.key, 0);
    const touches = seen.filter((d) => d.status === 'ongoing');
    expect(touches.length).toBeGreaterThanOrEqual(1);
    expect(touches.every((d) => d.offset === 0 && d.updatedAt > doc.updatedAt)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ status: 'successful', size: 30 * 1024 });
  });

  it('keeps tus records out of the objects folder, and finds an upload by its object when no document is kept here', async () => {
    const a = new MemoryCoordination();
    const uploads = await createUploads({ objects, coordination: a });
    const done = await uploads.uploadStream('cy', chunks(Buffer.from('@r\nA\n+\nI\n')), { originalName: 'r.fq', declaredSize: 9 });
    const ongoing = await uploads.create('cy', { originalName: 'half.fq', declaredSize: 15 });
    await uploads.store.write(chunks(Buffer.from('@r\nACGT\n')), ongoing.key, 0);
    expect(readdirSync(join(root, 'cy', done.uploadId))).toEqual(['r.fq']);
    expect(await objects.list('_tus/')).toEqual([]);

    // Another process, whose documents are its own (embedded mode's in-process documents).
    const elsewhere = await createUploads({ objects, coordination: new MemoryCoordination() });
    expect(await elsewhere.find('cy', done.uploadId)).toMatchObject({ status: 'successful', key: done.key, fileName: 'r.fq', size: 9, offset: 9 });
    expect(await elsewhere.find('cy', ongoing.uploadId)).toMatchObject({ status: 'ongoing', offset: 8 });
    expect(await elsewhere.find('dee', done.uploadId)).toBeUndefined();
    expect(await elsewhere.find('cy', 'not-an-id')).toBeUndefined();
    // It goes on with the upload, its document rebuilt (no hash state: the SHA-256 is read back at the end).
    expect(await elsewhere.store.write(chunks(Buffer.from('+\nIIII\n')), ongoing.key, 8)).toBe(15);
    expect(await elsewhere.find('cy', ongoing.uploadId)).toMatchObject({ status: 'successful', size: 15, sha256: sha('@r\nACGT\n+\nIIII\n'), originalName: 'half.fq', createdAt: ongoing.createdAt.slice(0, 0) || expect.any(String) });
  });
});
