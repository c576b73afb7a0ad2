/**
 * What a new user found in uploads (issue 11), over both object stores (the local folder and S3 on
 * Ceph radosgw): `DELETE /v1/uploads/{id}` and `GET /v1/uploads` (the quota message names them);
 * the per-file limit on a tus upload of deferred length decided by toolflow's store, not by
 * @tus/server's limiter (413 with the figures, the upload failed and removed); a PATCH past its
 * declared length; the 422 answers carrying the upload's id.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadDoc } from '../../shared/uploads/upload-doc.js';
import { send, startApi, type TestApi } from '../support/api.js';
import { checkAnswer } from '../support/openapi-check.js';
import { ensureRgw } from '../support/rgw.js';

const LIMIT = 1024 * 1024; // TOOLFLOW_UPLOAD_LIMIT=1Mi, as the user had it
const QUOTA = 3 * LIMIT;
const run = randomBytes(4).toString('hex');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fastq = (n: number) => Buffer.from(`@r\n${'A'.repeat(n)}\n+\n${'I'.repeat(n)}\n`);

interface Backend {
  name: string;
  start(): Promise<TestApi>;
  /** Object keys, tus records and open multipart uploads of `owner`. */
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

let s3: S3Client | undefined;
const bucket = `toolflow-del-${run}`;
const s3Backend: Backend = {
  name: 'S3 (radosgw)',
  async start() {
    const rgw = await ensureRgw();
    s3 = new S3Client({ endpoint: rgw.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    process.env.AWS_ACCESS_KEY_ID = rgw.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = rgw.secretAccessKey;
    return startApi({ env: { TOOLFLOW_S3_BUCKET: bucket, TOOLFLOW_S3_ENDPOINT: rgw.endpoint }, uploadSettings: { maxFileBytes: LIMIT, quotaBytes: QUOTA, partBytes: 5 * 1024 * 1024 } });
  },
  async stored(_api, owner) {
    const found: string[] = [];
    for (const prefix of [`${owner}/`, `_tus/${owner}/`]) {
      for (const o of (await s3!.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []) found.push(o.Key!);
    }
    for (const u of (await s3!.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${owner}/` }))).Uploads ?? []) found.push(`multipart:${u.Key}`);
    return found.sort();
  },
  async stop() {
    if (!s3) return;
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    if (out.Contents?.length) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: out.Contents.map((c) => ({ Key: c.Key! })) } }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    s3.destroy();
  },
};

describe.each([local, s3Backend])('deleting and listing uploads, the limit on tus, $name', (backend) => {
  let api: TestApi;
  let ann: string;
  let bob: string;
  const owners: string[] = [];
  /** A fresh owner and token per test: quotas and listings do not mix. */
  const owner = async () => {
    const name = `u${owners.length}-${run}`;
    owners.push(name);
    return { name, token: await api.token(name) };
  };
  const tusCall = async (method: string, path: string, token: string, headers: Record<string, string> = {}, body?: Buffer) => {
    const answer = await send(api.url, method, path, { token, headers: { 'tus-resumable': '1.0.0', ...headers }, ...(body ? { body } : {}) });
    checkAnswer(method, path, answer);
    const text = answer.body.toString('utf8');
    return { ...answer, text, json: text.startsWith('{') ? (JSON.parse(text) as { code: string; message: string; uploadId?: string }) : undefined };
  };
  const patch = (path: string, token: string, offset: number, body: Buffer) => tusCall('PATCH', path, token, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body);
  const docOf = async (who: string, uploadId: string) => api.runtime.ports.coordination.get<UploadDoc>(`uploads/${who}/${uploadId}`);

  beforeAll(async () => {
    api = await backend.start();
    ann = await api.token('ann');
    bob = await api.token('bob');
  }, 180_000);
  afterAll(async () => {
    await api?.close();
    await backend.stop();
  });

  it('tus, Upload-Defer-Length, limit 1Mi: 600000 and 400000 bytes are taken, the next 100000 pass the limit: 413 with the figures, the upload failed and removed', async () => {
    const u = await owner();
    const created = await tusCall('POST', '/v1/tus', u.token, { 'upload-defer-length': '1', 'upload-metadata': `filename ${Buffer.from('big.bin').toString('base64')}` });
    expect(created.status).toBe(201);
    const path = new URL(String(created.headers.location), api.url).pathname;
    const uploadId = path.split('/')[4]!;
    const bytes = randomBytes(1_100_000);
    expect((await patch(path, u.token, 0, bytes.subarray(0, 600_000))).status).toBe(204);
    expect((await patch(path, u.token, 600_000, bytes.subarray(600_000, 1_000_000))).status).toBe(204);
    const over = await patch(path, u.token, 1_000_000, bytes.subarray(1_000_000));
    expect(over.status).toBe(413);
    expect(over.json).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: `the upload passed the limit of ${LIMIT} bytes (TOOLFLOW_UPLOAD_LIMIT); it was stopped and removed`, uploadId });
    expect(await docOf(u.name, uploadId)).toMatchObject({ status: 'failed', error: `the upload passed the limit of ${LIMIT} bytes (TOOLFLOW_UPLOAD_LIMIT); it was stopped and removed` });
    expect(await backend.stored(api, u.name)).toEqual([]); // no .part, no open multipart upload, no .info
    expect((await tusCall('HEAD', path, u.token)).status).toBe(410);
  });

  it('tus: a declared Upload-Length over the limit is refused before any byte with toolflow\'s message; OPTIONS still gives Tus-Max-Size', async () => {
    const u = await owner();
    const r = await tusCall('POST', '/v1/tus', u.token, { 'upload-length': String(LIMIT + 1), 'upload-metadata': `filename ${Buffer.from('big.bin').toString('base64')}` });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: `the upload is ${LIMIT + 1} bytes, more than the limit of ${LIMIT} bytes (TOOLFLOW_UPLOAD_LIMIT); nothing was stored` });
    expect(await backend.stored(api, u.name)).toEqual([]);
    expect(await api.runtime.ports.coordination.list(`uploads/${u.name}/`)).toEqual([]);
    const o = await tusCall('OPTIONS', '/v1/tus', u.token);
    expect(o.status).toBe(204);
    expect(o.headers['tus-max-size']).toBe(String(LIMIT));
  });

  it('tus: a PATCH whose body goes past the declared Upload-Length is refused with what to do, and the upload is kept as it was', async () => {
    const u = await owner();
    const data = fastq(100);
    const created = await tusCall('POST', '/v1/tus', u.token, { 'upload-length': String(data.length), 'upload-metadata': `filename ${Buffer.from('r.fq').toString('base64')}` });
    const path = new URL(String(created.headers.location), api.url).pathname;
    expect((await patch(path, u.token, 0, data.subarray(0, 50))).status).toBe(204);
    const past = await patch(path, u.token, 50, Buffer.concat([data.subarray(50), Buffer.from('extra')]));
    expect(past.status).toBe(413);
    expect(past.json?.message).toBe(`this PATCH's body of ${data.length - 50 + 5} bytes goes past the upload's declared Upload-Length; send only the bytes from its offset (HEAD gives it) to its length. The upload is kept as it was`);
    const head = await tusCall('HEAD', path, u.token);
    expect([head.status, head.headers['upload-offset']]).toEqual([200, '50']);
    const rest = await patch(path, u.token, 50, data.subarray(50));
    expect(rest.status).toBe(204);
    const uploadId = String(rest.headers['toolflow-upload-id']);
    expect(await docOf(u.name, uploadId)).toMatchObject({ status: 'successful', size: data.length, sha256: sha(data) });
  });

  it('DELETE /v1/uploads/{id}: a successful upload loses its object and tus record, becomes failed "deleted by its owner", and frees its room in the quota', async () => {
    const u = await owner();
    const put = async (name: string) => api.call('POST', `/v1/uploads?name=${name}`, { token: u.token, body: randomBytes(LIMIT) });
    const ids: string[] = [];
    for (const name of ['a.bin', 'b.bin', 'c.bin']) {
      const r = await put(name);
      expect(r.status, r.text).toBe(201);
      ids.push((r.json as { uploadId: string }).uploadId);
    }
    const full = await put('d.bin');
    expect(full.status).toBe(413);
    expect((full.json as { message: string }).message).toContain('delete uploads you no longer need (DELETE /v1/uploads/{uploadId}; GET /v1/uploads lists yours)');
    expect(await backend.stored(api, u.name)).toContain(`${backend === local ? `/objects/${u.name}/` : `${u.name}/`}${ids[0]}/a.bin`);
    const del = await api.call('DELETE', `/v1/uploads/${ids[0]}`, { token: u.token });
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ uploadId: ids[0], status: 'failed', error: 'deleted by its owner', fileName: 'a.bin' });
    const left = await backend.stored(api, u.name);
    expect(left.filter((k) => k.includes(ids[0]!))).toEqual([]); // object and `_tus/<owner>/<id>.info` (locally uploads-tus/…) gone
    expect(left.some((k) => k.includes(ids[1]!))).toBe(true);
    expect((await api.call('GET', `/v1/uploads/${ids[0]}`, { token: u.token })).json).toMatchObject({ status: 'failed', error: 'deleted by its owner' });
    expect((await put('d.bin')).status).toBe(201); // the room it held is free again
    // Again: answered as it is now.
    expect((await api.call('DELETE', `/v1/uploads/${ids[0]}`, { token: u.token })).json).toMatchObject({ status: 'failed', error: 'deleted by its owner' });
  });

  it('DELETE /v1/uploads/{id} of an ongoing tus upload aborts it (nothing stored, no open multipart upload); another owner\'s and an unknown one answer 404 alike', async () => {
    const u = await owner();
    const created = await tusCall('POST', '/v1/tus', u.token, { 'upload-defer-length': '1', 'upload-metadata': `filename ${Buffer.from('part.fq').toString('base64')}` });
    const path = new URL(String(created.headers.location), api.url).pathname;
    const uploadId = path.split('/')[4]!;
    expect((await patch(path, u.token, 0, fastq(1000))).status).toBe(204);
    expect(await backend.stored(api, u.name)).not.toEqual([]);
    const other = await api.call('DELETE', `/v1/uploads/${uploadId}`, { token: bob });
    const unknown = await api.call('DELETE', `/v1/uploads/00000000-0000-4000-8000-000000000000`, { token: ann });
    expect([other.status, unknown.status]).toEqual([404, 404]);
    expect((other.json as { code: string }).code).toBe('NOT_FOUND');
    expect((await docOf(u.name, uploadId))?.status).toBe('ongoing'); // bob changed nothing
    const del = await api.call('DELETE', `/v1/uploads/${uploadId}`, { token: u.token });
    expect(del.json).toMatchObject({ uploadId, status: 'failed', error: 'deleted by its owner' });
    expect(await backend.stored(api, u.name)).toEqual([]);
    expect((await tusCall('HEAD', path, u.token)).status).toBe(410);
  });

  it('GET /v1/uploads lists the caller\'s uploads newest first, by status, a page at a time; never another owner\'s', async () => {
    const u = await owner();
    const ids: string[] = [];
    for (const name of ['one.fq', 'two.fq', 'three.fq']) {
      ids.push(((await api.call('POST', `/v1/uploads?name=${name}`, { token: u.token, body: fastq(10) })).json as { uploadId: string }).uploadId);
      await new Promise((r) => setTimeout(r, 5)); // distinct createdAt
    }
    await api.call('DELETE', `/v1/uploads/${ids[1]}`, { token: u.token });
    const all = await api.call('GET', '/v1/uploads', { token: u.token });
    expect(all.status).toBe(200);
    const listed = all.json as { uploads: { uploadId: string; status: string }[]; nextCursor: string | null };
    expect(listed.uploads.map((x) => x.uploadId)).toEqual([ids[2], ids[1], ids[0]]);
    expect(listed.nextCursor).toBeNull();
    const ok = (await api.call('GET', '/v1/uploads?status=successful', { token: u.token })).json as typeof listed;
    expect(ok.uploads.map((x) => x.uploadId)).toEqual([ids[2], ids[0]]);
    const first = (await api.call('GET', '/v1/uploads?limit=2', { token: u.token })).json as typeof listed;
    expect(first.uploads.map((x) => x.uploadId)).toEqual([ids[2], ids[1]]);
    const second = (await api.call('GET', `/v1/uploads?limit=2&cursor=${first.nextCursor}`, { token: u.token })).json as typeof listed;
    expect([second.uploads.map((x) => x.uploadId), second.nextCursor]).toEqual([[ids[0]], null]);
    expect(((await api.call('GET', '/v1/uploads', { token: bob })).json as typeof listed).uploads.map((x) => x.uploadId).filter((id) => ids.includes(id))).toEqual([]);
    expect((await api.call('GET', '/v1/uploads?status=done', { token: u.token })).status).toBe(400);
    expect((await api.call('GET', '/v1/uploads?cursor=abc', { token: u.token })).status).toBe(400);
  });

  it('the 422 answers of a one-request upload carry its uploadId (FORMAT_MISMATCH, CHECKSUM_MISMATCH)', async () => {
    const u = await owner();
    const format = await api.call('POST', '/v1/uploads?name=ref.fq&format=fastq', { token: u.token, body: Buffer.from('>chr1\nACGT\n') });
    expect(format.status).toBe(422);
    const f = format.json as { code: string; uploadId: string };
    expect(f.code).toBe('FORMAT_MISMATCH');
    expect(await docOf(u.name, f.uploadId)).toMatchObject({ status: 'failed' });
    const checksum = await api.call('POST', `/v1/uploads?name=r.fq&sha256=${'0'.repeat(64)}`, { token: u.token, body: fastq(10) });
    expect(checksum.status).toBe(422);
    const c = checksum.json as { code: string; uploadId: string };
    expect(c.code).toBe('CHECKSUM_MISMATCH');
    expect(await docOf(u.name, c.uploadId)).toMatchObject({ status: 'failed' });
  });
});
