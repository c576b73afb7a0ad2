import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCoordination } from '../../shared/coordination/memory-coordination.js';
import { uploadFile, type UploadDoc } from '../../shared/handlers/upload.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { checkObjectKey, safeFileName, type ObjectStore } from '../../shared/objects/object-store.js';
import { S3ObjectStore } from '../../shared/objects/s3-object-store.js';
import { ChecksumMismatchError, NotFoundError } from '../../shared/errors.js';
import { startHttpRecorder } from '../support/http-recorder.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));

/** An S3 server on loopback for the S3 adapter (the s3rver npm package, in process). */
let s3rver: S3rver;
let s3Port: number;
let s3: S3ObjectStore;
beforeAll(async () => {
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3rver'), configureBuckets: [{ name: 'toolflow', configs: [] }] });
  const { port } = (await s3rver.run()) as unknown as { port: number };
  s3Port = port;
  s3 = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
afterAll(async () => {
  s3?.client.destroy();
  await s3rver?.close();
});

/** The object store contract: the same suite against the local folder and S3. */
describe.each([
  { name: 'local folder', store: () => objects as ObjectStore },
  { name: 's3', store: () => s3 as ObjectStore },
])('object store contract: $name', ({ store }) => {
  it('puts, heads, lists, gets and deletes', async () => {
    const src = join(dir, 'in.txt');
    writeFileSync(src, 'hello');
    expect(await store().putFile('me/u1/in.txt', src)).toEqual({ key: 'me/u1/in.txt', size: 5, sha256: createHash('sha256').update('hello').digest('hex') });
    expect(await store().head('me/u1/in.txt')).toEqual({ key: 'me/u1/in.txt', size: 5 });
    expect(await store().list('me/')).toEqual(['me/u1/in.txt']);
    const out = join(dir, `out-${randomBytes(3).toString('hex')}.txt`);
    await store().getToFile('me/u1/in.txt', out);
    expect(readFileSync(out, 'utf8')).toBe('hello');
    await store().delete('me/u1/in.txt');
    expect(await store().head('me/u1/in.txt')).toBeUndefined();
    await expect(store().getToFile('me/u1/in.txt', join(dir, 'x'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('moves a 20 MiB file in parts and back, byte for byte', async () => {
    const src = join(dir, 'big.bin');
    const data = randomBytes(20 * 1024 * 1024);
    writeFileSync(src, data);
    expect((await store().putFile('me/u2/big.bin', src)).size).toBe(data.length);
    const out = join(dir, `big-out-${randomBytes(3).toString('hex')}.bin`);
    await store().getToFile('me/u2/big.bin', out);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(readFileSync(out))).toBe(sha(data));
    await store().delete('me/u2/big.bin');
  });

  it('copies an object to another key (keys with brackets too), replacing what is there; the copy outlives its source', async () => {
    const src = join(dir, `copy-src-${randomBytes(3).toString('hex')}.txt`);
    writeFileSync(src, 'the bam');
    const from = 'attempts/t1/align[A]/attempt-1/A.bam';
    const to = 'attempts/t2/align[A]/attempt-1/A.bam';
    await store().putFile(from, src);
    writeFileSync(src, 'an older object, longer');
    await store().putFile(to, src);
    expect(await store().copy(from, to)).toEqual({ key: to, size: 7 });
    expect(await store().head(to)).toEqual({ key: to, size: 7 });
    await store().delete(from);
    const out = join(dir, `copy-out-${randomBytes(3).toString('hex')}.txt`);
    await store().getToFile(to, out); // the stored SHA-256 (S3 metadata) came with the copy: the download checks it
    expect(readFileSync(out, 'utf8')).toBe('the bam');
    expect(await store().list('attempts/t2/')).toEqual([to]);
    await store().delete(to);
  });

  it('refuses to copy a key that has no object (NotFoundError), and makes nothing', async () => {
    const err = await store().copy('attempts/t1/none/attempt-1/x.txt', 'attempts/t3/none/attempt-1/x.txt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe('no object attempts/t1/none/attempt-1/x.txt');
    expect(await store().list('attempts/t3/')).toEqual([]);
  });

  it.each(['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/./b', '', 'a\\b', 'a\0b'])('refuses the key %j', async (key) => {
    expect(() => checkObjectKey(key)).toThrow(/invalid object key/);
    await expect(store().head(key)).resolves.toBeUndefined();
    await expect(store().putFile(key, join(dir, 'in.txt'))).rejects.toThrow(/invalid object key/);
    await expect(store().copy(key, 'me/ok.txt')).rejects.toThrow(/invalid object key/);
    await expect(store().copy('me/ok.txt', key)).rejects.toThrow(/invalid object key/);
  });
});

describe('local folder copy across filesystems', () => {
  it('copies the file where the hard link is refused (EXDEV): same bytes, another inode', async () => {
    const storeRoot = join(dir, 'objects-exdev');
    const shm = join('/dev/shm', `toolflow-test-${process.pid}-${Date.now()}`);
    mkdirSync(shm);
    try {
      mkdirSync(storeRoot);
      symlinkSync(shm, join(storeRoot, 'attempts')); // keys under attempts/ live on tmpfs
      expect(statSync(shm).dev).not.toBe(statSync(storeRoot).dev);
      const store = new LocalObjectStore(storeRoot);
      writeFileSync(join(dir, 'exdev.txt'), 'across');
      await store.putFile('me/u/exdev.txt', join(dir, 'exdev.txt'));
      expect(await store.copy('me/u/exdev.txt', 'attempts/t/x/attempt-1/exdev.txt')).toEqual({ key: 'attempts/t/x/attempt-1/exdev.txt', size: 6 });
      expect(readFileSync(join(shm, 't/x/attempt-1/exdev.txt'), 'utf8')).toBe('across');
      expect(statSync(join(shm, 't/x/attempt-1/exdev.txt')).ino).not.toBe(statSync(join(storeRoot, 'me/u/exdev.txt')).ino);
      // On one filesystem: a hard link.
      await store.copy('me/u/exdev.txt', 'me/v/exdev.txt');
      expect(statSync(join(storeRoot, 'me/v/exdev.txt')).ino).toBe(statSync(join(storeRoot, 'me/u/exdev.txt')).ino);
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  });
});

describe('S3 copy of an object larger than CopyObject takes', () => {
  it('streams it through, parts and metadata kept: the copy is byte for byte, and its download checks the SHA-256', async () => {
    const small = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${s3Port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxCopyObjectBytes: 1024 });
    const recorder = await startHttpRecorder(s3Port);
    const watched = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${recorder.port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxCopyObjectBytes: 1024 });
    try {
      const src = join(dir, 'large-copy.bin');
      const data = randomBytes(9 * 1024 * 1024);
      writeFileSync(src, data);
      await small.putFile('attempts/t4/x/attempt-1/big.bin', src);
      expect(await watched.copy('attempts/t4/x/attempt-1/big.bin', 'attempts/t5/x/attempt-1/big.bin')).toEqual({ key: 'attempts/t5/x/attempt-1/big.bin', size: data.length });
      expect(recorder.requests.some((r) => r.startsWith('PUT ') && r.includes('partNumber=2'))).toBe(true); // a multipart upload, not CopyObject
      const out = join(dir, 'large-copy-out.bin');
      await s3.getToFile('attempts/t5/x/attempt-1/big.bin', out);
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(sha(readFileSync(out))).toBe(sha(data));
      // The small one still goes by CopyObject.
      writeFileSync(src, 'tiny');
      await small.putFile('attempts/t4/x/attempt-1/tiny.txt', src);
      recorder.requests.length = 0;
      await watched.copy('attempts/t4/x/attempt-1/tiny.txt', 'attempts/t5/x/attempt-1/tiny.txt');
      expect(recorder.requests.filter((r) => r.startsWith('PUT ')).map((r) => r.split('?')[0])).toEqual(['PUT /toolflow/attempts/t5/x/attempt-1/tiny.txt']);
    } finally {
      await small.close();
      await watched.close();
      await recorder.close();
    }
  });

  it('refuses a streamed copy whose bytes differ from the stored SHA-256, and deletes the copy', async () => {
    const small = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${s3Port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxCopyObjectBytes: 4 });
    try {
      const src = join(dir, 'rot.txt');
      writeFileSync(src, 'the bam as recorded');
      await small.putFile('attempts/t6/x/attempt-1/rot.txt', src);
      const folder = join(dir, 's3rver', 'toolflow', 'attempts', 't6', 'x', 'attempt-1');
      const stored = readdirSync(folder).find((f) => f.startsWith('rot.txt') && f.endsWith('_object'))!;
      writeFileSync(join(folder, stored), 'the bam as recordeD'); // bit rot: same length, other bytes
      const err = await small.copy('attempts/t6/x/attempt-1/rot.txt', 'attempts/t7/x/attempt-1/rot.txt').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChecksumMismatchError);
      expect((err as Error).message).toMatch(/^object attempts\/t6\/x\/attempt-1\/rot\.txt is corrupt: its SHA-256 is [0-9a-f]{64}, it was stored with [0-9a-f]{64}$/);
      expect(await small.head('attempts/t7/x/attempt-1/rot.txt')).toBeUndefined();
    } finally {
      await small.close();
    }
  });
});

describe('file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..', 'file'],
    ['dir\\evil.txt', 'evil.txt'],
    ['a\nb.txt', 'a_b.txt'],
  ])('makes %j a safe file name', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });
});

describe('upload', () => {
  it('stores the file under owner/upload-id/name and records the status', async () => {
    const coordination = new MemoryCoordination();
    const statuses: string[] = [];
    coordination.watch('uploads/', (_k, v) => statuses.push((v as UploadDoc).status));
    const src = join(dir, 'reads.fq');
    writeFileSync(src, '@r\nA\n+\nI\n');
    const up = await uploadFile({ objects, coordination }, 'me', src);
    expect(up.key).toBe(`me/${up.uploadId}/reads.fq`);
    expect(statuses).toEqual(['ongoing', 'successful']);
    expect(await coordination.get<UploadDoc>(`uploads/me/${up.uploadId}`)).toMatchObject({ status: 'successful', key: up.key, size: 9, sha256: createHash('sha256').update('@r\nA\n+\nI\n').digest('hex') });
  });

  it('marks a failed upload failed and leaves no object', async () => {
    const coordination = new MemoryCoordination();
    await expect(uploadFile({ objects, coordination }, 'me', join(dir, 'missing.fq'))).rejects.toThrow(/ENOENT/);
    const keys = await objects.list('me/');
    expect(keys.some((k) => k.endsWith('missing.fq'))).toBe(false);
  });
});

// Uploads of input files go through tus (test/uploads/); these check putFile's own multipart uploads.
describe('S3 putFile interrupted', () => {
  it('aborts its multipart upload: the AbortMultipartUpload reaches the server, no object is left', async () => {
    const recorder = await startHttpRecorder(s3Port);
    // Part 2 of every multipart upload fails (the SDK retries it, then gives up).
    recorder.failWhen = (req) => req.method === 'PUT' && /[?&]partNumber=2(&|$)/.test(req.url ?? '');
    const store = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${recorder.port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const src = join(dir, 'interrupted.bin');
    writeFileSync(src, randomBytes(20 * 1024 * 1024));
    try {
      await expect(store.putFile('me/u-interrupted/interrupted.bin', src)).rejects.toThrow();
      const created = recorder.requests.find((r) => /^POST \/toolflow\/me\/[^?]+\/interrupted\.bin\?uploads/.test(r));
      expect(created).toBeDefined();
      const uploadIds = new Set(recorder.requests.map((r) => /[?&]uploadId=([^&]+)/.exec(r)?.[1]).filter(Boolean));
      expect(uploadIds.size).toBe(1);
      const [uploadId] = [...uploadIds];
      expect(recorder.requests.filter((r) => r.startsWith('DELETE ') && r.includes(`uploadId=${uploadId}`))).toHaveLength(1);
      expect(recorder.requests.some((r) => r.startsWith('POST ') && r.includes(`uploadId=${uploadId}`))).toBe(false); // never completed
      expect((await s3.list('me/')).filter((k) => k.endsWith('interrupted.bin'))).toEqual([]);
    } finally {
      await store.close();
      await recorder.close();
    }
  });
});

describe('S3 putFile aborted by its caller', () => {
  it('sends AbortMultipartUpload and leaves no object', async () => {
    const recorder = await startHttpRecorder(s3Port);
    recorder.delayMs = 200; // a slow network, so the abort comes with parts in flight
    const store = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${recorder.port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const src = join(dir, 'aborted.bin');
    writeFileSync(src, randomBytes(40 * 1024 * 1024));
    const abort = new AbortController();
    try {
      const upload = store.putFile('me/u-aborted/aborted.bin', src, { signal: abort.signal });
      while (!recorder.requests.some((r) => / \/toolflow\/me\/.*aborted\.bin\?partNumber=1&uploadId=/.test(r))) await new Promise((r) => setTimeout(r, 10));
      abort.abort();
      await expect(upload).rejects.toThrow();
      const uploadId = /uploadId=([^&]+)/.exec(recorder.requests.find((r) => r.includes('partNumber=1&uploadId='))!)![1];
      for (let i = 0; i < 100 && !recorder.requests.some((r) => r.startsWith('DELETE ') && r.includes(`uploadId=${uploadId}`)); i++) await new Promise((r) => setTimeout(r, 20));
      expect(recorder.requests.filter((r) => r.startsWith('DELETE ') && r.includes(`uploadId=${uploadId}`))).toHaveLength(1);
      expect((await s3.list('me/')).filter((k) => k.endsWith('aborted.bin'))).toEqual([]);
    } finally {
      await store.close();
      await recorder.close();
    }
  });
});

describe('S3 checksums', () => {
  it('stores the SHA-256 of each object and refuses a download whose bytes differ, leaving no file', async () => {
    const src = join(dir, 'sum.txt');
    writeFileSync(src, 'the reads as uploaded');
    await s3.putFile('me/sum/sum.txt', src);
    const stored = readdirSync(join(dir, 's3rver', 'toolflow', 'me', 'sum')).find((f) => f.startsWith('sum.txt') && f.endsWith('_object'));
    expect(stored).toBeDefined();
    // Bit rot on the server: same length, other bytes.
    writeFileSync(join(dir, 's3rver', 'toolflow', 'me', 'sum', stored!), 'the reads as uploadeD');
    const out = join(dir, 'sum-out.txt');
    const err = await s3.getToFile('me/sum/sum.txt', out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as Error).message).toMatch(/^object me\/sum\/sum\.txt is corrupt: its SHA-256 is [0-9a-f]{64}, it was stored with [0-9a-f]{64}$/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('sum-out.txt'))).toEqual([]);
  });
});
