/**
 * The upload decorator's suite (issue 11), run over each store under it: a local object store
 * folder (@tus/file-store) and a real S3 server (@tus/s3-store on radosgw), with status documents in
 * in-process coordination or etcd. Each backend says what an upload left behind (`leftovers`):
 * objects, tus records and, on S3, multipart uploads (ListMultipartUploads).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { Upload } from '@tus/utils';
import type { Coordination } from '../../shared/coordination/coordination.js';
import { AbortedError, ChecksumMismatchError } from '../../shared/errors.js';
import type { ObjectStore } from '../../shared/objects/object-store.js';
import { tusDataStore } from '../../shared/uploads/tus-data-stores.js';
import { uploadDocKey, type UploadDoc, type UploadSettings } from '../../shared/uploads/upload-doc.js';
import { DeclaredChecksumMismatchError, FormatMismatchError, PayloadTooLargeError, QuotaExceededError, UploadGoneError, UploadNotFoundError } from '../../shared/uploads/upload-errors.js';
import { createUploads, type Uploads } from '../../shared/uploads/uploads.js';

/** Where uploads go in one run of the suite. */
export interface Backend {
  name: string;
  ports: () => { objects: ObjectStore; coordination: Coordination };
  /**
   * Everything stored for the upload, sorted: its object keys, `tus-record` (tus's record of it:
   * a JSON file, or the `.info` object), `tus-part` (S3: the `.part` tail), `multipart:<key>` (S3:
   * an open multipart upload, from ListMultipartUploads).
   */
  leftovers: (owner: string, uploadId: string) => Promise<string[]>;
  /** A temporary folder for local files. */
  dir: () => string;
  /** Runs before the suite's tests (connects to the servers `ports` uses). */
  setup?: () => Promise<void>;
}

export const MiB = 1024 * 1024;
export const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** A stream of `data` in chunks of `chunk` bytes. */
export function chunks(data: Buffer, chunk = 256 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  return Readable.from(parts);
}

/** A stream that gives the first `upTo` bytes of `data`, then fails as a dropped connection does. */
export function failingAfter(data: Buffer, upTo: number, chunk = 256 * 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= upTo) {
        this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        return;
      }
      const end = Math.min(upTo, at + chunk);
      this.push(data.subarray(at, end));
      at = end;
    },
  });
}

/** A FASTQ file of `records` records. */
export function fastq(records: number): Buffer {
  let text = '';
  for (let i = 0; i < records; i++) text += `@read${i}\nACGTACGTAC\n+\nIIIIIIIIII\n`;
  return Buffer.from(text);
}

/** A FASTA file of about `bytes` bytes. */
export function fasta(bytes: number): Buffer {
  let text = '>chr1\n';
  while (text.length < bytes) text += 'ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT\n';
  return Buffer.from(text);
}

/** The suite over `backend`; `run` makes owners unique to this run (etcd keeps documents between runs). */
export function uploadSuite(backend: Backend, run: string): void {
  const settings: Partial<UploadSettings> = { partBytes: 5 * MiB };
  const open = (more: Partial<UploadSettings> = {}): Promise<Uploads> => createUploads(backend.ports(), { ...settings, ...more });
  let n = 0;
  const owner = () => `ann-${run}-${n++}`;
  const docOf = (o: string, id: string) => backend.ports().coordination.get<UploadDoc>(uploadDocKey(o, id));

  describe(`uploads over ${backend.name}`, () => {
    if (backend.setup) beforeAll(backend.setup, 120_000);
    it('stores a file under owner/upload-id/name with its SHA-256, size and detected format; nothing else beside it', async () => {
      const uploads = await open();
      const me = owner();
      const data = fastq(2000);
      const path = join(backend.dir(), 'reads.fq');
      writeFileSync(path, data);
      const seen: number[] = [];
      const doc = await uploads.uploadFile(me, path, { format: 'fastq', onProgress: (b) => seen.push(b) });
      expect(doc).toMatchObject({ status: 'successful', owner: me, key: `${me}/${doc.uploadId}/reads.fq`, fileName: 'reads.fq', originalName: 'reads.fq', size: data.length, offset: data.length, sha256: sha(data), detected: 'fastq', format: 'fastq', declaredSize: data.length });
      expect(doc.hashState).toBeUndefined();
      expect(seen.at(-1)).toBe(data.length);
      expect(await backend.ports().objects.list(`${me}/`)).toEqual([doc.key]);
      const out = join(backend.dir(), `${doc.uploadId}.out`);
      await backend.ports().objects.getToFile(doc.key, out, { sha256: doc.sha256! });
      expect(sha(readFileSync(out))).toBe(sha(data));
      expect(await uploads.find(me, doc.uploadId)).toEqual(doc);
      expect(await uploads.find(`${me}-other`, doc.uploadId)).toBeUndefined();
      await uploads.close();
    });

    it('refuses a download whose bytes differ from the SHA-256 the caller has (the object itself carries none)', async () => {
      const uploads = await open();
      const me = owner();
      const doc = await uploads.uploadStream(me, chunks(Buffer.from('@r\nA\n+\nI\n')), { originalName: 'r.fq', declaredSize: 9 });
      const out = join(backend.dir(), `${doc.uploadId}.bad`);
      await backend.ports().objects.getToFile(doc.key, out); // no checksum given: a plain download
      expect(readFileSync(out, 'utf8')).toBe('@r\nA\n+\nI\n');
      if (backend.name.startsWith('S3')) {
        await expect(backend.ports().objects.getToFile(doc.key, `${out}2`, { sha256: sha('something else') })).rejects.toBeInstanceOf(ChecksumMismatchError);
      }
      await uploads.close();
    });

    it('resumes in another process after a write that stopped halfway, reading the object back once at the end for its SHA-256', async () => {
      const me = owner();
      const data = randomBytes(12 * MiB);
      const first = await open();
      const doc = await first.create(me, { originalName: 'big.bin', declaredSize: data.length, declaredSha256: sha(data) });
      // The client's connection dropped after 7 MiB: the tus server ends the body there (BaseHandler's abort).
      const half = 7 * MiB;
      expect(await first.store.write(chunks(data.subarray(0, half)), doc.key, 0)).toBe(half);
      const mid = (await docOf(me, doc.uploadId))!;
      expect(mid).toMatchObject({ status: 'ongoing', offset: half });
      expect(mid.hashState).toBeUndefined(); // nothing of the hash is saved: it lives in the process
      expect(first.store.hashes.offsetOf(doc.key)).toBe(half);
      await first.close();

      const second = await open(); // another process: its own store, S3 client and live hashes
      expect(second.store.hashes.offsetOf(doc.key)).toBeUndefined();
      expect((await second.store.getUpload(doc.key)).offset).toBe(half);
      expect(await second.store.write(chunks(data.subarray(half)), doc.key, half)).toBe(data.length);
      expect(second.store.hashes.offsetOf(doc.key)).toBeUndefined();
      expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'successful', size: data.length, sha256: sha(data) });
      const out = join(backend.dir(), `${doc.uploadId}.out`);
      await backend.ports().objects.getToFile(doc.key, out);
      expect(sha(readFileSync(out))).toBe(sha(data));
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([doc.key, 'tus-record']);
      await second.close();
    });

    it('resumes after a body that failed midway, from the offset the store holds, hashing on in the same process', async () => {
      const me = owner();
      const data = randomBytes(11 * MiB);
      const first = await open();
      const doc = await first.create(me, { originalName: 'cut.bin', declaredSize: data.length });
      // What came before the connection dropped is kept, as @tus/server keeps a cut request's bytes.
      await expect(first.store.write(failingAfter(data, 6 * MiB + 123), doc.key, 0)).rejects.toThrow('socket hang up');
      const at = (await first.store.getUpload(doc.key)).offset;
      // (The source drops what it had buffered and not handed on when it fails: up to a chunk less.)
      expect(at).toBeGreaterThan(5 * MiB);
      expect(at).toBeLessThanOrEqual(6 * MiB + 123);
      expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'ongoing', offset: at });
      // Every byte counted was stored: the live hash is at the store's offset, and the resume continues it.
      expect(first.store.hashes.offsetOf(doc.key)).toBe(at);
      expect(await first.store.write(chunks(data.subarray(at)), doc.key, at)).toBe(data.length);
      expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'successful', size: data.length, sha256: sha(data) });
      expect(first.store.hashes.offsetOf(doc.key)).toBeUndefined(); // dropped at the end
      await first.close();
    });

    it('computes the SHA-256 from the stored object when the live hash is not at the write\'s offset (bytes stored by another process)', async () => {
      const me = owner();
      const data = randomBytes(3 * MiB);
      const uploads = await open();
      const doc = await uploads.create(me, { originalName: 'gap.bin', declaredSize: data.length });
      await uploads.store.write(chunks(data.subarray(0, MiB)), doc.key, 0);
      // A process stored the next MiB and died before its document was saved: the store under the decorator took them.
      const inner = await tusDataStore(backend.ports().objects, { ...uploads.settings });
      expect(await inner.write(chunks(data.subarray(MiB, 2 * MiB)), doc.key, MiB)).toBe(2 * MiB);
      await inner.close();
      expect(await docOf(me, doc.uploadId)).toMatchObject({ offset: MiB });
      expect(uploads.store.hashes.offsetOf(doc.key)).toBe(MiB);
      expect(await uploads.store.write(chunks(data.subarray(2 * MiB)), doc.key, 2 * MiB)).toBe(data.length);
      expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'successful', sha256: sha(data), size: data.length });
      await uploads.close();
    });

    it('fails an upload whose bytes do not hash to the declared SHA-256, leaving nothing stored', async () => {
      const uploads = await open();
      const me = owner();
      const data = randomBytes(6 * MiB);
      const wrong = sha('not these bytes');
      const err = await uploads.uploadStream(me, chunks(data), { originalName: 'x.bin', declaredSize: data.length, declaredSha256: wrong.toUpperCase() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeclaredChecksumMismatchError);
      expect((err as DeclaredChecksumMismatchError).status_code).toBe(460);
      expect((err as Error).message).toBe(`the upload's bytes hash to SHA-256 ${sha(data)}, not the ${wrong} it declared; it was removed: upload the file again`);
      const [[, doc]] = (await backend.ports().coordination.list<UploadDoc>(`uploads/${me}/`)) as [[string, UploadDoc]];
      expect(doc).toMatchObject({ status: 'failed', error: (err as Error).message, declaredSha256: wrong });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
      await expect(uploads.store.write(chunks(Buffer.from('more')), doc.key, 0)).rejects.toBeInstanceOf(UploadGoneError);
      await uploads.close();
    });

    it('fails a mismatched SHA-256 found only by reading the object back, removing the object', async () => {
      const me = owner();
      const data = randomBytes(2 * MiB);
      const uploads = await open();
      const doc = await uploads.create(me, { originalName: 'gap.bin', declaredSize: data.length, declaredSha256: sha(data) });
      await uploads.store.write(chunks(data.subarray(0, MiB)), doc.key, 0);
      const inner = await tusDataStore(backend.ports().objects, { ...uploads.settings });
      const other = Buffer.alloc(MiB, 7); // not the file's bytes
      await inner.write(chunks(other.subarray(0, MiB / 2)), doc.key, MiB);
      await inner.close();
      await expect(uploads.store.write(chunks(other.subarray(MiB / 2)), doc.key, MiB + MiB / 2)).rejects.toBeInstanceOf(DeclaredChecksumMismatchError);
      expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'failed' });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
      await uploads.close();
    });

    it('refuses a declared size over the limit before any byte, with no document', async () => {
      const uploads = await open({ maxFileBytes: 1000 });
      const me = owner();
      const err = await uploads.create(me, { originalName: 'big.fq', declaredSize: 1001 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadTooLargeError);
      expect((err as Error).message).toBe('the upload is 1001 bytes, more than the limit of 1000 bytes (TOOLFLOW_UPLOAD_LIMIT); nothing was stored');
      expect(await backend.ports().coordination.list(`uploads/${me}/`)).toEqual([]);
      expect(await backend.ports().objects.list(`${me}/`)).toEqual([]);
      await uploads.close();
    });

    it('stops an undeclared size as soon as it passes the limit, and removes what came', async () => {
      const uploads = await open({ maxFileBytes: 1000 });
      const me = owner();
      const err = await uploads.uploadStream(me, chunks(Buffer.alloc(1500, 65), 100), { originalName: 'big.txt' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadTooLargeError);
      expect((err as Error).message).toBe('the upload passed the limit of 1000 bytes (TOOLFLOW_UPLOAD_LIMIT); it was stopped and removed');
      const [[, doc]] = (await backend.ports().coordination.list<UploadDoc>(`uploads/${me}/`)) as [[string, UploadDoc]];
      expect(doc).toMatchObject({ status: 'failed', error: (err as Error).message });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
      await uploads.close();
    });

    it('keeps each owner within the quota: declared sizes before any byte, deferred ones when passed; failed uploads do not count', async () => {
      const uploads = await open({ quotaBytes: 2000 });
      const me = owner();
      await uploads.uploadStream(me, chunks(Buffer.alloc(1500, 65)), { originalName: 'a.txt', declaredSize: 1500 });
      const declared = await uploads.create(me, { originalName: 'b.txt', declaredSize: 600 }).catch((e: unknown) => e);
      expect(declared).toBeInstanceOf(QuotaExceededError);
      expect((declared as Error).message).toMatch(/^this upload of 600 bytes would pass your upload quota: you hold 1500 bytes in uploads, the quota is 2000 bytes/);
      const deferred = await uploads.uploadStream(me, chunks(Buffer.alloc(600, 65), 100), { originalName: 'c.txt' }).catch((e: unknown) => e);
      expect(deferred).toBeInstanceOf(QuotaExceededError);
      const docs = (await backend.ports().coordination.list<UploadDoc>(`uploads/${me}/`)).map(([, d]) => d);
      expect(docs.map((d) => d.status).sort()).toEqual(['failed', 'successful']);
      expect(await backend.leftovers(me, docs.find((d) => d.status === 'failed')!.uploadId)).toEqual([]);
      // Another owner has a quota of their own; the failed upload freed its room.
      await uploads.uploadStream(owner(), chunks(Buffer.alloc(1500, 65)), { originalName: 'a.txt', declaredSize: 1500 });
      expect((await uploads.uploadStream(me, chunks(Buffer.alloc(500, 65)), { originalName: 'd.txt', declaredSize: 500 })).status).toBe('successful');
      await uploads.close();
    });

    it('fails an upload whose first bytes are not of its declared format, storing none of them', async () => {
      const uploads = await open();
      const me = owner();
      const data = fasta(200_000);
      const err = await uploads.uploadStream(me, chunks(data, 8192), { originalName: 'reads.fq', declaredSize: data.length, format: 'fastq' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatMismatchError);
      expect((err as FormatMismatchError).status_code).toBe(422);
      expect((err as Error).message).toMatch(/^expected fastq/);
      const [[, doc]] = (await backend.ports().coordination.list<UploadDoc>(`uploads/${me}/`)) as [[string, UploadDoc]];
      expect(doc).toMatchObject({ status: 'failed', error: (err as Error).message, offset: 0 });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
      await uploads.close();
    });

    it('checks the format on the first 64 KiB even when they come in several writes', async () => {
      const uploads = await open();
      for (const [data, format, ok] of [
        [fastq(5000), 'fastq', true],
        [fasta(200_000), 'fastq', false],
      ] as const) {
        const me = owner();
        const doc = await uploads.create(me, { originalName: 'r.fq', declaredSize: data.length, format });
        expect(await uploads.store.write(chunks(data.subarray(0, 10)), doc.key, 0)).toBe(10);
        expect((await docOf(me, doc.uploadId))!.detected).toBeUndefined();
        const rest = uploads.store.write(chunks(data.subarray(10)), doc.key, 10);
        if (ok) {
          await expect(rest).resolves.toBe(data.length);
          expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'successful', detected: 'fastq', sha256: sha(data) });
        } else {
          await expect(rest).rejects.toBeInstanceOf(FormatMismatchError);
          expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
        }
      }
      await uploads.close();
    });

    it('stores a 0-byte file (and checks its format: an empty file is no FASTQ)', async () => {
      const uploads = await open();
      const me = owner();
      const path = join(backend.dir(), 'empty.txt');
      writeFileSync(path, '');
      const doc = await uploads.uploadFile(me, path);
      expect(doc).toMatchObject({ status: 'successful', size: 0, sha256: sha(''), detected: 'empty' });
      expect(await backend.ports().objects.head(doc.key)).toEqual({ key: doc.key, size: 0 });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([doc.key, 'tus-record']);
      const direct = await uploads.create(me, { originalName: 'e.fq', declaredSize: 0 });
      expect(direct.status).toBe('successful');
      // Refused before anything is made, as nothing more can come.
      await expect(uploads.uploadFile(me, path, { format: 'fastq' })).rejects.toBeInstanceOf(FormatMismatchError);
      await expect(uploads.create(me, { originalName: 'e.bin', declaredSize: 0, declaredSha256: sha('x') })).rejects.toBeInstanceOf(DeclaredChecksumMismatchError);
      expect((await uploads.create(me, { originalName: 'e.bin', declaredSize: 0, declaredSha256: sha('') })).status).toBe('successful');
      expect((await backend.ports().coordination.list<UploadDoc>(`uploads/${me}/`)).map(([, d]) => d.status)).toEqual(['successful', 'successful', 'successful']);
      await uploads.close();
    });

    it('takes an upload whose length comes at its end (creation-defer-length)', async () => {
      const uploads = await open();
      const me = owner();
      const data = randomBytes(7 * MiB + 17);
      const doc = await uploads.uploadStream(me, chunks(data), { originalName: 'streamed.bin' });
      expect(doc).toMatchObject({ status: 'successful', size: data.length, sha256: sha(data), declaredSize: data.length });
      // As a tus client does it: PATCHes, then the length, then the last (empty) PATCH.
      const created = await uploads.create(me, { originalName: 'tus.bin' });
      expect(created.declaredSize).toBeUndefined();
      let at = await uploads.store.write(chunks(data.subarray(0, 6 * MiB)), created.key, 0);
      at = await uploads.store.write(chunks(data.subarray(at)), created.key, at);
      await uploads.store.declareUploadLength(created.key, data.length);
      expect(await uploads.store.write(chunks(Buffer.alloc(0)), created.key, at)).toBe(data.length);
      expect(await docOf(me, created.uploadId)).toMatchObject({ status: 'successful', size: data.length, sha256: sha(data) });
      expect(await backend.leftovers(me, created.uploadId)).toEqual([created.key, 'tus-record']);
      await uploads.close();
    });

    it('fails a deferred-length upload whose length, once told, is over the limit', async () => {
      const uploads = await open({ maxFileBytes: 1000 });
      const me = owner();
      const doc = await uploads.create(me, { originalName: 'later.txt' });
      expect(await uploads.store.write(chunks(Buffer.alloc(100, 65)), doc.key, 0)).toBe(100);
      const err = await uploads.store.declareUploadLength(doc.key, 1001).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadTooLargeError);
      expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'failed', error: (err as Error).message });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
      await uploads.close();
    });

    it('sweeps an abandoned upload: what it stored removed, its document failed', async () => {
      const uploads = await open({ expireAfterMs: 60_000 });
      const me = owner();
      const doc = await uploads.create(me, { originalName: 'left.bin', declaredSize: 8 * MiB });
      await uploads.store.write(chunks(randomBytes(6 * MiB)), doc.key, 0);
      expect((await backend.leftovers(me, doc.uploadId)).length).toBeGreaterThan(0);
      expect(await uploads.sweep()).not.toContain(doc.uploadId); // not idle yet
      expect(uploads.store.hashes.offsetOf(doc.key)).toBe(6 * MiB);
      const later = Date.parse((await docOf(me, doc.uploadId))!.updatedAt) + 90_000;
      expect(await uploads.sweep(later)).toContain(doc.uploadId);
      expect(uploads.store.hashes.offsetOf(doc.key)).toBeUndefined();
      expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'failed', error: 'abandoned: no bytes for 90 s' });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
      await expect(uploads.store.getUpload(doc.key)).rejects.toBeInstanceOf(UploadGoneError);
      await uploads.close();
    });

    it('aborts an ongoing upload; an unknown one is not found', async () => {
      const uploads = await open();
      const me = owner();
      const doc = await uploads.create(me, { originalName: 'x.bin', declaredSize: 100 });
      await uploads.store.write(chunks(Buffer.alloc(50)), doc.key, 0);
      expect(uploads.store.hashes.offsetOf(doc.key)).toBe(50);
      await uploads.abort(me, doc.uploadId, 'the user cancelled');
      expect(uploads.store.hashes.offsetOf(doc.key)).toBeUndefined();
      expect(await docOf(me, doc.uploadId)).toMatchObject({ status: 'failed', error: 'the user cancelled' });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
      await expect(uploads.abort(me, '00000000-0000-4000-8000-000000000000', 'x')).rejects.toBeInstanceOf(UploadNotFoundError);
      await expect(uploads.abort(`${me}-other`, doc.uploadId, 'x')).rejects.toBeInstanceOf(UploadNotFoundError);
      await uploads.close();
    });

    it('stops a one-request upload whose caller aborts, leaving nothing', async () => {
      const uploads = await open();
      const me = owner();
      const abort = new AbortController();
      let sent = 0;
      const body = new Readable({
        read() {
          sent += 65536;
          if (sent === 65536 * 4) abort.abort();
          setTimeout(() => this.push(Buffer.alloc(65536, 65)), 5);
        },
      });
      await expect(uploads.uploadStream(me, body, { originalName: 'slow.txt', signal: abort.signal })).rejects.toBeInstanceOf(AbortedError);
      const [[, doc]] = (await backend.ports().coordination.list<UploadDoc>(`uploads/${me}/`)) as [[string, UploadDoc]];
      expect(doc).toMatchObject({ status: 'failed', error: 'the upload was stopped before its end' });
      expect(await backend.leftovers(me, doc.uploadId)).toEqual([]);
      await uploads.close();
    });

    it.each([
      ['../x', 'x'],
      ['..\\..\\evil.fq', 'evil.fq'],
      ['\u2024\u2024', 'file'],
      ['a\u2024\u2024b.fq', 'a__b.fq'],
      ['evil\u202Eqf.exe', 'evil_qf.exe'],
      [`${'é'.repeat(148)}.fq`, `${'é'.repeat(126)}.fq`],
    ])('keeps the name %j inside its folder as %j, the original in the document', async (name, safe) => {
      const uploads = await open();
      const me = owner();
      const doc = await uploads.uploadStream(me, chunks(Buffer.from('hi')), { originalName: name, declaredSize: 2 });
      expect(doc).toMatchObject({ fileName: safe, originalName: name, key: `${me}/${doc.uploadId}/${safe}` });
      expect(Buffer.byteLength(doc.fileName)).toBeLessThanOrEqual(255);
      expect(await backend.ports().objects.list(`${me}/`)).toEqual([doc.key]);
      await uploads.close();
    });

    it('takes a 300-byte name cut to 255 bytes, its extension kept', async () => {
      const uploads = await open();
      const me = owner();
      const name = `${'a'.repeat(297)}.fq`;
      const doc = await uploads.uploadStream(me, chunks(Buffer.from('hi')), { originalName: name, declaredSize: 2 });
      expect(doc.fileName).toBe(`${'a'.repeat(252)}.fq`);
      expect(doc.originalName).toBe(name);
      expect(await backend.ports().objects.head(doc.key)).toEqual({ key: doc.key, size: 2 });
      await uploads.close();
    });

    it('answers a tus creation of an unknown format or a malformed SHA-256 with 400, storing nothing', async () => {
      const uploads = await open();
      const me = owner();
      const { key } = uploads.newKey(me, 'x.fq');
      await expect(uploads.store.create(new Upload({ id: key, size: 5, offset: 0, metadata: { filename: 'x.fq', format: 'vcf' } }))).rejects.toMatchObject({ status_code: 400 });
      await expect(uploads.store.create(new Upload({ id: key, size: 5, offset: 0, metadata: { filename: 'x.fq', sha256: 'abc' } }))).rejects.toMatchObject({ status_code: 400 });
      expect(await backend.ports().coordination.list(`uploads/${me}/`)).toEqual([]);
      expect(() => uploads.newKey('a/b', 'x')).toThrow(/one key segment/);
      await uploads.close();
    });
  });
}
