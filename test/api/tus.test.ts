/**
 * Resumable uploads through the user API (issue 11): tus-js-client (Node) against the real API on
 * loopback, `/v1/tus` behind the bearer check, over both object stores: the local folder
 * (@tus/file-store) and S3 (@tus/s3-store on Ceph radosgw, which has the ListParts and
 * AbortMultipartUpload s3rver lacks). Also the one-request `POST /v1/uploads` with a declared
 * SHA-256 and format, and the status document `GET /v1/uploads/{id}`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AbortMultipartUploadCommand, CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload, type DetailedError, type HttpRequest, type HttpResponse, type UrlStorage } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadDoc } from '../../shared/uploads/upload-doc.js';
import { send, startApi, type TestApi } from '../support/api.js';
import { checkAnswer } from '../support/openapi-check.js';
import { ensureRgw, type Rgw } from '../support/rgw.js';

const MiB = 1024 * 1024;
const LIMIT = 32 * MiB;
const QUOTA = 3 * LIMIT + MiB;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const run = randomBytes(4).toString('hex');

/** A FASTQ file of about `bytes` bytes (whole records). */
function fastq(bytes: number): Buffer {
  const rec = (i: number) => `@read${i}\n${'ACGT'.repeat(25)}\n+\n${'I'.repeat(100)}\n`;
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const r = rec(i);
    parts.push(r);
    n += r.length;
  }
  return Buffer.from(parts.join(''));
}

/** One answer tus-js-client saw. */
interface Seen {
  method: string;
  status: number;
  offset: string | undefined;
  uploadId: string | undefined;
  location: string | undefined;
}

interface TusRun {
  upload: Upload;
  seen: Seen[];
  /** Resolves with the upload URL on success; rejects with tus-js-client's error. */
  done: Promise<string>;
}

/** Starts a tus-js-client upload of `data` to `api` with `token`. */
function tus(
  api: TestApi,
  token: string | undefined,
  data: Buffer,
  o: { metadata?: Record<string, string>; chunkSize?: number; uploadUrl?: string; onChunk?: (accepted: number, upload: Upload) => void; onProgress?: (sent: number, upload: Upload) => void; urlStorage?: UrlStorage; resume?: boolean } = {},
): TusRun {
  const seen: Seen[] = [];
  let upload!: Upload;
  const done = new Promise<string>((resolve, reject) => {
    upload = new Upload(data, {
      endpoint: `${api.url}/v1/tus`,
      ...(o.uploadUrl ? { uploadUrl: o.uploadUrl } : {}),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      metadata: o.metadata ?? { filename: 'reads.fq' },
      ...(o.chunkSize ? { chunkSize: o.chunkSize } : {}),
      retryDelays: null,
      onAfterResponse: (req: HttpRequest, res: HttpResponse) => {
        seen.push({ method: req.getMethod(), status: res.getStatus(), offset: res.getHeader('Upload-Offset'), uploadId: res.getHeader('Toolflow-Upload-Id'), location: res.getHeader('Location') });
      },
      onChunkComplete: (_size, accepted) => o.onChunk?.(accepted, upload),
      onProgress: (sent) => o.onProgress?.(sent, upload),
      ...(o.urlStorage ? { urlStorage: o.urlStorage, fingerprint: async () => `test-${sha(data)}`, storeFingerprintForResuming: true, removeFingerprintOnSuccess: true } : {}),
      onError: reject,
      onSuccess: () => resolve(upload.url!),
    });
    if (!o.resume) upload.start();
    else {
      void upload.findPreviousUploads().then((previous) => {
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      });
    }
  });
  return { upload, seen, done };
}

/** The upload id and owner of a tus upload URL (`…/v1/tus/<owner>/<uploadId>/<name>`). */
function parts(url: string): { owner: string; uploadId: string; name: string; path: string } {
  const path = new URL(url).pathname;
  const [owner, uploadId, name] = path.slice('/v1/tus/'.length).split('/').map(decodeURIComponent) as [string, string, string];
  return { owner, uploadId, name, path };
}

/** A tus request over raw HTTP (for the cases tus-js-client would not send), its answer checked against the OpenAPI document. */
async function tusCall(api: TestApi, method: string, path: string, token: string | undefined, headers: Record<string, string> = {}, body?: Buffer) {
  const answer = await send(api.url, method, path, { ...(token ? { token } : {}), headers: { 'tus-resumable': '1.0.0', ...headers }, ...(body ? { body } : {}) });
  checkAnswer(method, path, answer);
  const text = answer.body.toString('utf8');
  return { ...answer, text, json: text !== '' && String(answer.headers['content-type'] ?? '').startsWith('application/json') ? (JSON.parse(text) as { code: string; message: string }) : undefined };
}

/** A backend the suite runs over. */
interface Backend {
  name: string;
  start(): Promise<TestApi>;
  /** What is stored for `owner` beside its documents: object keys, tus records, open multipart uploads. */
  stored(api: TestApi, owner: string): Promise<string[]>;
  stop(): Promise<void>;
}

const local: Backend = {
  name: 'local object folder',
  start: () => startApi({ uploadSettings: { maxFileBytes: LIMIT, quotaBytes: QUOTA } }),
  async stored(api, owner) {
    const roots = [join(api.home, 'objects', owner), join(api.home, 'uploads-tus', owner)];
    return roots.flatMap((root) => (existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(api.home.length)) : []));
  },
  stop: async () => undefined,
};

let rgw: Rgw | undefined;
let s3: S3Client | undefined;
const bucket = `toolflow-tus-${run}`;
const s3Backend: Backend = {
  name: 'S3 (radosgw)',
  async start() {
    rgw = await ensureRgw();
    const credentials = { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
    s3 = new S3Client({ endpoint: rgw.endpoint, region: 'us-east-1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // The S3 adapter takes its credentials from the SDK's chain, as a deployment gives them.
    process.env.AWS_ACCESS_KEY_ID = rgw.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = rgw.secretAccessKey;
    return startApi({ env: { TOOLFLOW_S3_BUCKET: bucket, TOOLFLOW_S3_ENDPOINT: rgw.endpoint }, uploadSettings: { maxFileBytes: LIMIT, quotaBytes: QUOTA, partBytes: 5 * MiB } });
  },
  async stored(_api, owner) {
    const found: string[] = [];
    for (const prefix of [`${owner}/`, `_tus/${owner}/`]) {
      const out = await s3!.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      for (const o of out.Contents ?? []) found.push(o.Key!);
    }
    const open = await s3!.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${owner}/` }));
    for (const u of open.Uploads ?? []) found.push(`multipart:${u.Key}`);
    return found.sort();
  },
  async stop() {
    if (!s3) return;
    for (;;) {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      if (!out.Contents?.length) break;
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: out.Contents.map((c) => ({ Key: c.Key! })) } }));
    }
    for (const u of (await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    s3.destroy();
  },
};

describe.each([local, s3Backend])('tus uploads, $name', (backend) => {
  let api: TestApi;
  let ann: string;
  let bob: string;
  const docs = async (owner: string) => (await api.runtime.ports.coordination.list<UploadDoc>(`uploads/${owner}/`)).map(([, d]) => d);
  const status = async (token: string, uploadId: string) => api.call('GET', `/v1/uploads/${uploadId}`, { token });
  const stored = async (owner: string, key: string) => {
    const copy = join(api.home, `copy-${randomBytes(4).toString('hex')}`);
    await api.runtime.ports.objects.getToFile(key, copy);
    return readFileSync(copy);
  };

  beforeAll(async () => {
    api = await backend.start();
    ann = await api.token('ann');
    bob = await api.token('bob');
  }, 180_000);
  afterAll(async () => {
    await api?.close();
    await backend.stop();
  });

  it('uploads a file in several PATCHes; the last answer carries the upload id; the status document has size, SHA-256, names, format and offset', async () => {
    const data = fastq(7 * MiB);
    const t = tus(api, ann, data, { metadata: { filename: 'reads.fq', format: 'fastq', sha256: sha(data) }, chunkSize: 3 * MiB });
    const url = await t.done;
    const { owner, uploadId, name, path } = parts(url);
    expect([owner, name, path]).toEqual(['ann', 'reads.fq', `/v1/tus/ann/${uploadId}/reads.fq`]);
    expect(t.seen.map((s) => [s.method, s.status])).toEqual([['POST', 201], ['PATCH', 204], ['PATCH', 204], ['PATCH', 204]]);
    // Only the answer that stored the last byte carries the id (and its status document's URL).
    expect(t.seen.map((s) => s.uploadId)).toEqual([undefined, undefined, undefined, uploadId]);
    expect(t.seen.at(-1)!.location).toBe(`/v1/uploads/${uploadId}`);
    const r = await status(ann, uploadId);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ uploadId, status: 'successful', fileName: 'reads.fq', originalName: 'reads.fq', size: data.length, offset: data.length, sha256: sha(data), declaredSize: data.length, declaredSha256: sha(data), format: 'fastq', detected: 'fastq' });
    expect((await stored('ann', `ann/${uploadId}/reads.fq`)).equals(data)).toBe(true);
    // HEAD after the end: every byte is there.
    const head = await tusCall(api, 'HEAD', path, ann);
    expect([head.status, head.headers['upload-offset'], head.headers['upload-length']]).toEqual([200, String(data.length), String(data.length)]);
  });

  it('resumes an upload aborted between PATCHes from the offset the server kept: a new Upload on the same URL sends only the rest', async () => {
    const data = randomBytes(12 * MiB);
    let stopped!: Promise<void>;
    const first = tus(api, ann, data, {
      metadata: { filename: 'big.bin' },
      chunkSize: 2 * MiB,
      onChunk: (accepted, upload) => {
        if (accepted >= 6 * MiB) stopped ??= upload.abort(false); // not terminated: the server keeps what it has
      },
    });
    first.done.catch(() => undefined);
    await new Promise<void>((r) => {
      const wait = () => (stopped ? void stopped.then(() => r()) : setImmediate(wait));
      wait();
    });
    const url = first.upload.url!;
    const { uploadId, path } = parts(url);
    const head = await tusCall(api, 'HEAD', path, ann);
    const kept = Number(head.headers['upload-offset']);
    expect(kept).toBeGreaterThanOrEqual(6 * MiB);
    expect(kept).toBeLessThan(data.length);
    expect((await status(ann, uploadId)).json as { status: string; offset: number }).toMatchObject({ status: 'ongoing', offset: kept });

    const second = tus(api, ann, data, { uploadUrl: url, metadata: { filename: 'big.bin' } });
    expect(await second.done).toBe(url);
    // It asked where to go on, then sent from there, not from 0.
    expect(second.seen[0]).toMatchObject({ method: 'HEAD', status: 200, offset: String(kept) });
    expect(second.seen.filter((x) => x.method === 'POST')).toEqual([]);
    expect(second.seen.at(-1)).toMatchObject({ method: 'PATCH', status: 204, offset: String(data.length), uploadId });
    const doc = (await status(ann, uploadId)).json as { status: string; sha256: string; size: number };
    expect([doc.status, doc.size, doc.sha256]).toEqual(['successful', data.length, sha(data)]);
    expect((await stored('ann', `ann/${uploadId}/big.bin`)).equals(data)).toBe(true);
  });

  it('answers 404 to another owner on HEAD, PATCH, DELETE and the status, as for an unknown upload; a header cannot make bob ann', async () => {
    const created = await tusCall(api, 'POST', '/v1/tus', ann, { 'upload-length': '10', 'upload-metadata': `filename ${Buffer.from('mine.txt').toString('base64')}` });
    expect(created.status).toBe(201);
    const { uploadId, path } = parts(new URL(String(created.headers.location), api.url).toString());
    const sneaky = { 'x-toolflow-owner': 'ann', 'x-owner': 'ann', forwarded: 'for=ann', 'x-forwarded-user': 'ann' };
    const answers = [
      await tusCall(api, 'HEAD', path, bob, sneaky),
      await tusCall(api, 'PATCH', path, bob, { ...sneaky, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, Buffer.from('0123456789')),
      await tusCall(api, 'DELETE', path, bob, sneaky),
      // bob puts his own name in the URL: the key bob/<id>/mine.txt is no upload.
      await tusCall(api, 'HEAD', path.replace('/ann/', '/bob/'), bob),
      await tusCall(api, 'PATCH', `/v1/tus/ann/00000000-0000-4000-8000-000000000000/mine.txt`, ann, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, Buffer.from('0123456789')),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404]);
    expect(answers[1]!.json).toEqual({ code: 'NOT_FOUND', message: 'no upload at this URL: it is unknown, or not yours' });
    expect(answers[4]!.json).toEqual(answers[1]!.json); // unknown and another owner's look the same
    const bobStatus = await status(bob, uploadId);
    expect([bobStatus.status, bobStatus.json]).toEqual([404, { code: 'NOT_FOUND', message: `no upload ${uploadId}` }]);
    // ann's upload is untouched.
    const head = await tusCall(api, 'HEAD', path, ann);
    expect([head.status, head.headers['upload-offset']]).toEqual([200, '0']);
    expect(((await status(ann, uploadId)).json as { status: string }).status).toBe('ongoing');
    const gone = await tusCall(api, 'DELETE', path, ann);
    expect(gone.status).toBe(204);
    expect(((await status(ann, uploadId)).json as { status: string; error: string })).toMatchObject({ status: 'failed', error: 'terminated by the client' });
    expect((await backend.stored(api, 'ann')).filter((k) => k.includes(uploadId))).toEqual([]);
  });

  it('answers 401 without a token (or with a bad one) on every tus method, and creates nothing', async () => {
    const before = (await docs('ann')).length;
    const path = `/v1/tus/ann/00000000-0000-4000-8000-000000000000/x.txt`;
    for (const [method, p, token] of [['POST', '/v1/tus', undefined], ['OPTIONS', '/v1/tus', undefined], ['HEAD', path, undefined], ['PATCH', path, undefined], ['DELETE', path, undefined], ['POST', '/v1/tus', 'tf_not-a-token']] as const) {
      const r = await tusCall(api, method, p, token, { 'upload-length': '3', 'upload-metadata': `filename ${Buffer.from('x.txt').toString('base64')}` });
      expect([r.status, r.headers['www-authenticate']], `${method} ${p}`).toEqual([401, token ? 'Bearer realm="toolflow", error="invalid_token"' : 'Bearer realm="toolflow"']);
      if (method !== 'HEAD') expect(r.json?.code).toBe('UNAUTHENTICATED');
    }
    const t = tus(api, undefined, Buffer.from('abc'));
    const err = (await t.done.catch((e: unknown) => e)) as DetailedError;
    expect(err.originalResponse?.getStatus()).toBe(401);
    expect((await docs('ann')).length).toBe(before);
  });

  it('keeps a bad name as given, stores it under a safe one, and shows it escaped', async () => {
    const evil = 'evil\u202Eexe.fq';
    const a = tus(api, ann, Buffer.from('@r\nA\n+\nI\n'), { metadata: { filename: evil } });
    const { uploadId, name } = parts(await a.done);
    expect(name).toBe('evil_exe.fq');
    const r = await status(ann, uploadId);
    // The JSON text holds the escape, not the character; it parses back to the name as given.
    expect(r.text).toContain('"originalName":"evil\\u202eexe.fq"');
    expect(r.text).not.toContain('\u202E');
    expect((r.json as { originalName: string; fileName: string })).toMatchObject({ originalName: evil, fileName: 'evil_exe.fq' });

    const b = tus(api, ann, Buffer.from('x'), { metadata: { filename: '../../etc/passwd' } });
    const p = parts(await b.done);
    expect(p.name).toBe('passwd');
    expect(await api.runtime.ports.objects.list(`ann/${p.uploadId}/`)).toEqual([`ann/${p.uploadId}/passwd`]);
    expect(((await status(ann, p.uploadId)).json as { originalName: string }).originalName).toBe('../../etc/passwd');
  });

  it('answers 413 to a declared size over the limit, and to one over the quota, before any byte is stored', async () => {
    const before = { docs: (await docs('bob')).length, stored: await backend.stored(api, 'bob') };
    const meta = `filename ${Buffer.from('huge.bin').toString('base64')}`;
    const big = await tusCall(api, 'POST', '/v1/tus', bob, { 'upload-length': String(LIMIT + 1), 'upload-metadata': meta });
    expect([big.status, big.json]).toEqual([413, { code: 'PAYLOAD_TOO_LARGE', message: `the upload is ${LIMIT + 1} bytes, more than the limit of ${LIMIT} bytes (TOOLFLOW_UPLOAD_LIMIT); nothing was stored` }]);
    // Within the limit, but bob already holds 3 × LIMIT of the 3 × LIMIT + 1 MiB quota (declared, not sent).
    for (let i = 0; i < 3; i++) expect((await tusCall(api, 'POST', '/v1/tus', bob, { 'upload-length': String(LIMIT), 'upload-metadata': meta })).status).toBe(201);
    const over = await tusCall(api, 'POST', '/v1/tus', bob, { 'upload-length': String(LIMIT), 'upload-metadata': meta });
    expect([over.status, over.json?.code]).toEqual([413, 'QUOTA_EXCEEDED']);
    expect(over.json?.message).toBe(`this upload of ${LIMIT} bytes would pass your upload quota: you hold ${3 * LIMIT} bytes in uploads, the quota is ${QUOTA} bytes (TOOLFLOW_UPLOAD_QUOTA); delete uploads you no longer need (DELETE /v1/uploads/{uploadId}; GET /v1/uploads lists yours), or ask the operator for a larger quota`);
    // The refused ones made no document and stored nothing; the three made one each.
    expect((await docs('bob')).length).toBe(before.docs + 3);
    const made = (await docs('bob')).filter((d) => d.status === 'ongoing');
    expect(made.length).toBe(3);
    for (const d of made) expect((await tusCall(api, 'DELETE', `/v1/tus/bob/${d.uploadId}/huge.bin`, bob)).status).toBe(204);
    expect(await backend.stored(api, 'bob')).toEqual(before.stored);
    // tus-js-client sees the same 413 and the server's message, and sends no byte.
    const t = tus(api, bob, Buffer.alloc(LIMIT + 1), { metadata: { filename: 'huge.bin' } });
    const err = (await t.done.catch((e: unknown) => e)) as DetailedError;
    expect([err.originalResponse?.getStatus(), JSON.parse(err.originalResponse!.getBody()).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(t.seen.map((x) => x.method)).toEqual(['POST']);
  });

  it('takes a 0-byte file: the creation finishes it and carries the id', async () => {
    const t = tus(api, ann, Buffer.alloc(0), { metadata: { filename: 'empty.txt' } });
    const { uploadId } = parts(await t.done);
    expect(t.seen.map((s) => [s.method, s.status, s.uploadId])).toEqual([['POST', 201, uploadId]]);
    const doc = (await status(ann, uploadId)).json;
    expect(doc).toMatchObject({ status: 'successful', size: 0, offset: 0, sha256: sha(Buffer.alloc(0)), fileName: 'empty.txt' });
    expect(await api.runtime.ports.objects.head(`ann/${uploadId}/empty.txt`)).toEqual({ key: `ann/${uploadId}/empty.txt`, size: 0 });
  });

  it('fails a tus upload whose bytes do not hash to its declared SHA-256 (460) and keeps nothing', async () => {
    const data = randomBytes(64 * 1024 + 5);
    const t = tus(api, ann, data, { metadata: { filename: 'wrong.bin', sha256: sha(Buffer.from('other')) } });
    const err = (await t.done.catch((e: unknown) => e)) as DetailedError;
    expect(err.originalResponse?.getStatus()).toBe(460);
    const body = JSON.parse(err.originalResponse!.getBody()) as { code: string; message: string };
    const { uploadId } = parts(t.upload.url!);
    // The refusal names the upload it failed.
    expect(body).toEqual({ code: 'CHECKSUM_MISMATCH', message: `the upload's bytes hash to SHA-256 ${sha(data)}, not the ${sha(Buffer.from('other'))} it declared; it was removed: upload the file again`, uploadId });
    expect(((await status(ann, uploadId)).json as { status: string })).toMatchObject({ status: 'failed', error: body.message });
    expect((await backend.stored(api, 'ann')).filter((k) => k.includes(uploadId))).toEqual([]);
  });

  it('refuses a creation without a file name, or with a malformed sha256 or an unknown format (400), creating nothing', async () => {
    const before = (await docs('ann')).length;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const cases: [string, string][] = [
      ['', 'give the file name in Upload-Metadata: `filename <base64 of the name>` (tus-js-client: metadata: {filename})'],
      [`filename ${b64('a.fq')},sha256 ${b64('abc')}`, 'Upload-Metadata sha256 must be the file\'s SHA-256 as 64 hex digits, got "abc"'],
      [`filename ${b64('a.fq')},format ${b64('docx')}`, 'Upload-Metadata format "docx" is not one of fastq, fasta, gzip, bam, text'],
    ];
    for (const [metadata, message] of cases) {
      const r = await tusCall(api, 'POST', '/v1/tus', ann, { 'upload-length': '3', ...(metadata ? { 'upload-metadata': metadata } : {}) });
      expect([r.status, r.json], metadata).toEqual([400, { code: 'BAD_REQUEST', message }]);
    }
    expect((await docs('ann')).length).toBe(before);
  });

  it('OPTIONS describes the endpoint: tus 1.0.0, its extensions, the per-file limit', async () => {
    const r = await tusCall(api, 'OPTIONS', '/v1/tus', ann);
    expect([r.status, r.headers['tus-version'], r.headers['tus-max-size']]).toEqual([204, '1.0.0', String(LIMIT)]);
    expect(String(r.headers['tus-extension']).split(',').sort()).toEqual(['creation', 'creation-defer-length', 'creation-with-upload', 'termination']);
  });

  it('one-request POST: a wrong sha256 fails the upload (422) and stores nothing; a right one is recorded', async () => {
    const data = fastq(200 * 1024);
    const before = new Set((await docs('ann')).map((d) => d.uploadId));
    const wrong = await api.call('POST', `/v1/uploads?name=one.fq&sha256=${sha(Buffer.from('nope'))}`, { token: ann, body: data });
    expect([wrong.status, (wrong.json as { code: string }).code]).toEqual([422, 'CHECKSUM_MISMATCH']);
    const failed = (await docs('ann')).filter((d) => !before.has(d.uploadId));
    expect(failed.map((d) => [d.status, d.declaredSha256, d.declaredSize])).toEqual([['failed', sha(Buffer.from('nope')), data.length]]);
    expect((await backend.stored(api, 'ann')).filter((k) => k.includes(failed[0]!.uploadId))).toEqual([]);
    expect((await status(ann, failed[0]!.uploadId)).json).toMatchObject({ status: 'failed', error: (wrong.json as { message: string }).message });

    const right = await api.call('POST', `/v1/uploads?name=one.fq&sha256=${sha(data).toUpperCase()}&format=fastq`, { token: ann, body: data });
    expect(right.status).toBe(201);
    const up = right.json as { uploadId: string };
    expect(right.headers['toolflow-upload-id']).toBe(up.uploadId);
    expect(right.json).toMatchObject({ status: 'successful', size: data.length, sha256: sha(data), declaredSha256: sha(data), format: 'fastq', detected: 'fastq', fileName: 'one.fq', originalName: 'one.fq' });
  });

  it('one-request POST: a body not of its declared format fails (422 FORMAT_MISMATCH), and a declared size over the limit answers 413 before a byte is read', async () => {
    const r = await api.call('POST', '/v1/uploads?name=x.fq&format=fastq', { token: ann, body: '>seq1\nACGT\n' });
    expect([r.status, (r.json as { code: string }).code]).toEqual([422, 'FORMAT_MISMATCH']);
    expect((r.json as { message: string }).message).toMatch(/^expected fastq/);
    const before = await backend.stored(api, 'ann');
    const big = await api.call('POST', '/v1/uploads?name=big.bin', { token: ann, body: Buffer.alloc(LIMIT + 1) });
    expect([big.status, big.json]).toEqual([413, { code: 'PAYLOAD_TOO_LARGE', message: `the upload is ${LIMIT + 1} bytes, more than the limit of ${LIMIT} bytes (TOOLFLOW_UPLOAD_LIMIT); nothing was stored` }]);
    expect(await backend.stored(api, 'ann')).toEqual(before);
  });
});

describe('the sweeper of the API server', () => {
  it('aborts an upload that got no byte for longer than the expiry, once the server listens, and stops with it', async () => {
    const api = await startApi({ uploadSettings: { expireAfterMs: 1500 } });
    try {
      const ann = await api.token('ann');
      const created = await tusCall(api, 'POST', '/v1/tus', ann, { 'upload-length': '100', 'upload-metadata': `filename ${Buffer.from('idle.bin').toString('base64')}` });
      const { uploadId, path } = parts(new URL(String(created.headers.location), api.url).toString());
      const sent = await tusCall(api, 'PATCH', path, ann, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, Buffer.alloc(10, 1));
      expect(sent.status).toBe(204);
      // No more bytes: the sweep (every min(expiry / 4, 60 s), at least 1 s) fails it.
      let doc: { status: string; error?: string } = { status: 'ongoing' };
      while (doc.status === 'ongoing') {
        await new Promise((r) => setTimeout(r, 200));
        doc = (await api.call('GET', `/v1/uploads/${uploadId}`, { token: ann })).json as typeof doc;
      }
      expect(doc).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned: no bytes for \d+ s$/) });
      const head = await tusCall(api, 'HEAD', path, ann);
      expect(head.status).toBe(410);
      expect(await api.runtime.ports.objects.list(`ann/${uploadId}/`)).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
