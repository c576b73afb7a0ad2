/**
 * The `upload` function speaks tus 1.0 besides its one-request POST (issue 11): served as
 * `node dist/functions/upload/index.js` serves it (`functionModule(...).serve()`: the raw server,
 * which hands tus requests raw to the tus server through `OpenFunction.raw`), on embedded backends
 * (SQLite store, local object folder), with tus-js-client on loopback. Under faas-js-runtime
 * (`handle`, bodies buffered, only `/` routed) tus answers 501 and the one-request POST still works.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Upload, type DetailedError, type HttpRequest, type HttpResponse } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../shared/api/tokens.js';
import { functionModule, type FunctionModule } from '../../shared/http/function-module.js';
import { uploadFunction } from '../../shared/http/request-functions.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { openStore } from '../../shared/store/open-store.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir('toolflow-upload-fn-');
const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// The function reads its configuration from the environment, as its container gives it.
Object.assign(process.env, { TOOLFLOW_HOME: home, TOOLFLOW_LOG_LEVEL: 'silent', TOOLFLOW_UPLOAD_LIMIT: String(16 * MiB) });
const config = loadConfig(process.env);

interface Seen {
  method: string;
  status: number;
  offset?: string;
  uploadId?: string;
}

/** A tus-js-client upload of `data` to `endpoint`; resolves with its URL and the answers it saw. */
function tus(endpoint: string, token: string | undefined, data: Buffer, o: { uploadUrl?: string; chunkSize?: number; stopAt?: number; filename?: string } = {}) {
  const seen: Seen[] = [];
  let upload!: Upload;
  let stopped: Promise<void> | undefined;
  const done = new Promise<string>((resolve, reject) => {
    upload = new Upload(data, {
      endpoint,
      ...(o.uploadUrl ? { uploadUrl: o.uploadUrl } : {}),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      metadata: { filename: o.filename ?? 'reads.bin' },
      ...(o.chunkSize ? { chunkSize: o.chunkSize } : {}),
      retryDelays: null,
      onAfterResponse: (req: HttpRequest, res: HttpResponse) => {
        seen.push({ method: req.getMethod(), status: res.getStatus(), offset: res.getHeader('Upload-Offset'), uploadId: res.getHeader('Toolflow-Upload-Id') });
      },
      onChunkComplete: (_size, accepted) => {
        if (o.stopAt !== undefined && accepted >= o.stopAt) stopped ??= upload.abort(false);
      },
      onError: reject,
      onSuccess: () => resolve(upload.url!),
    });
    upload.start();
  });
  /** Resolves once the upload was stopped at `stopAt`. */
  const aborted = () =>
    new Promise<void>((r) => {
      const wait = () => (stopped ? void stopped.then(() => r()) : setImmediate(wait));
      wait();
    });
  return { upload: () => upload, seen, done, aborted };
}

describe('the upload function over tus (serve mode)', () => {
  let fn: FunctionModule;
  let server: Server;
  let base: string;
  let ann: string;
  let bob: string;

  beforeAll(async () => {
    fn = functionModule(uploadFunction);
    server = await fn.serve(0);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const store = await openStore(config.databasePath);
    ann = (await issueToken(store, 'ann')).token;
    bob = (await issueToken(store, 'bob')).token;
    await store.close();
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await fn?.shutdown();
  });

  it('uploads with tus-js-client, resumes after an abort, and answers the id on the last PATCH; the bytes are stored under the token owner', async () => {
    const data = randomBytes(9 * MiB);
    const first = tus(`${base}/`, ann, data, { chunkSize: 2 * MiB, stopAt: 4 * MiB });
    first.done.catch(() => undefined);
    await first.aborted();
    const url = first.upload().url!;
    const path = new URL(url).pathname;
    const [owner, uploadId, name] = path.slice(1).split('/');
    expect([owner, name, url]).toEqual(['ann', 'reads.bin', `${base}/ann/${uploadId}/reads.bin`]);
    const head = await fetch(url, { method: 'HEAD', headers: { authorization: `Bearer ${ann}`, 'tus-resumable': '1.0.0' } });
    const kept = Number(head.headers.get('upload-offset'));
    expect(kept).toBeGreaterThanOrEqual(4 * MiB);

    const second = tus(`${base}/`, ann, data, { uploadUrl: url });
    expect(await second.done).toBe(url);
    expect(second.seen.map((s) => [s.method, s.status])).toEqual([['HEAD', 200], ['PATCH', 204]]);
    expect(second.seen[0]!.offset).toBe(String(kept));
    expect(second.seen[1]!.uploadId).toBe(uploadId);
    expect(sha(readFileSync(join(config.objectsDir, 'ann', uploadId!, 'reads.bin')))).toBe(sha(data));
  });

  it('answers 404 to another owner and 401 without a token, on every tus method', async () => {
    const t = tus(`${base}/`, ann, Buffer.from('hello'), { filename: 'mine.txt' });
    const url = await t.done;
    const tusHeaders = (token?: string) => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), 'tus-resumable': '1.0.0' });
    const bobs = [
      await fetch(url, { method: 'HEAD', headers: tusHeaders(bob) }),
      await fetch(url, { method: 'PATCH', headers: { ...tusHeaders(bob), 'upload-offset': '5', 'content-type': 'application/offset+octet-stream' }, body: 'x' }),
      await fetch(url, { method: 'DELETE', headers: tusHeaders(bob) }),
    ];
    expect(bobs.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(await bobs[1]!.json()).toEqual({ code: 'NOT_FOUND', message: 'no upload at this URL: it is unknown, or not yours' });
    const none = [
      await fetch(`${base}/`, { method: 'POST', headers: { ...tusHeaders(), 'upload-length': '1', 'upload-metadata': `filename ${Buffer.from('x').toString('base64')}` } }),
      await fetch(url, { method: 'HEAD', headers: tusHeaders() }),
      await fetch(url, { method: 'PATCH', headers: { ...tusHeaders(), 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: 'x' }),
    ];
    expect(none.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(await none[0]!.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    // ann's upload is there, whole.
    const head = await fetch(url, { method: 'HEAD', headers: tusHeaders(ann) });
    expect([head.status, head.headers.get('upload-offset')]).toEqual([200, '5']);
  });

  it('refuses a declared size over TOOLFLOW_UPLOAD_LIMIT with 413 before any byte, and a 0-byte file finishes at its creation', async () => {
    const big = tus(`${base}/`, ann, Buffer.alloc(16 * MiB + 1));
    const err = (await big.done.catch((e: unknown) => e)) as DetailedError;
    expect(err.originalResponse?.getStatus()).toBe(413);
    expect(JSON.parse(err.originalResponse!.getBody())).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: `the upload is ${16 * MiB + 1} bytes, more than the limit of ${16 * MiB} bytes (TOOLFLOW_UPLOAD_LIMIT); nothing was stored` });
    expect(big.seen.map((s) => s.method)).toEqual(['POST']);
    const empty = tus(`${base}/`, ann, Buffer.alloc(0), { filename: 'empty.txt' });
    const url = await empty.done;
    const uploadId = new URL(url).pathname.split('/')[2]!;
    expect(empty.seen).toEqual([{ method: 'POST', status: 201, offset: undefined, uploadId }]);
    expect(readFileSync(join(config.objectsDir, 'ann', uploadId, 'empty.txt')).length).toBe(0);
  });

  it('still takes the one-request POST, with a declared SHA-256: a wrong one fails (422) and keeps nothing', async () => {
    const data = randomBytes(100 * 1024);
    const ok = await fetch(`${base}/?name=one.bin&sha256=${sha(data)}`, { method: 'POST', headers: { authorization: `Bearer ${ann}` }, body: data });
    expect(ok.status).toBe(201);
    const up = (await ok.json()) as { uploadId: string; sha256: string; size: number; status: string };
    expect([up.status, up.size, up.sha256, ok.headers.get('toolflow-upload-id'), ok.headers.get('location')]).toEqual(['successful', data.length, sha(data), up.uploadId, `/v1/uploads/${up.uploadId}`]);
    const bad = await fetch(`${base}/?name=two.bin&sha256=${sha(Buffer.from('x'))}`, { method: 'POST', headers: { authorization: `Bearer ${ann}` }, body: data });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { code: string }).code).toBe('CHECKSUM_MISMATCH');
  });
});

describe('the upload function behind a gateway that rewrites paths (TOOLFLOW_UPLOAD_URL)', () => {
  it('gives Location under the public URL, and takes the rewritten path', async () => {
    process.env.TOOLFLOW_UPLOAD_URL = 'https://gateway.example/function/upload';
    const fn = functionModule(uploadFunction);
    const server = await fn.serve(0);
    try {
      delete process.env.TOOLFLOW_UPLOAD_URL;
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const store = await openStore(config.databasePath);
      const token = (await issueToken(store, 'cy')).token;
      await store.close();
      const res = await fetch(`${base}/`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': '3', 'upload-metadata': `filename ${Buffer.from('a b.txt').toString('base64')}` } });
      expect(res.status).toBe(201);
      const location = res.headers.get('location')!;
      expect(location).toMatch(/^https:\/\/gateway\.example\/function\/upload\/cy\/[0-9a-f-]{36}\/a%20b\.txt$/);
      // The gateway strips /function/upload: the function sees /cy/<id>/a%20b.txt.
      const path = new URL(location).pathname.replace('/function/upload', '');
      const patch = await fetch(`${base}${path}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: 'abc' });
      expect([patch.status, patch.headers.get('upload-offset'), patch.headers.get('toolflow-upload-id')]).toEqual([204, '3', path.split('/')[2]]);
    } finally {
      await new Promise((r) => server.close(r));
      await fn.shutdown();
    }
  });
});

describe('the upload function under faas-js-runtime (handle: bodies buffered)', () => {
  it('answers tus with 501 saying how to run it, and takes the one-request POST', async () => {
    const fn = functionModule(uploadFunction);
    await fn.init();
    try {
      const store = await openStore(config.databasePath);
      const token = (await issueToken(store, 'dee')).token;
      await store.close();
      const tusAnswer = await fn.handle({ method: 'POST', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': '3' } });
      expect(tusAnswer.statusCode).toBe(501);
      expect(JSON.parse(String(tusAnswer.body))).toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining('run node dist/functions/upload/index.js') });
      const one = await fn.handle({ method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-length': '6' }, query: { name: 'in.txt' }, body: Buffer.from('hello\n') });
      expect(one.statusCode).toBe(201);
      expect(JSON.parse(String(one.body))).toMatchObject({ status: 'successful', size: 6, fileName: 'in.txt', sha256: sha(Buffer.from('hello\n')) });
    } finally {
      await fn.shutdown();
    }
  });
});
