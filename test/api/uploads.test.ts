/**
 * Uploads through the user API (issue 8, section 4; issue 11): the body is streamed to the object
 * store through the uploads facade (never held whole, never spooled: bytes reach the object's file
 * while the request is still being sent), its status document is served, and a submission takes
 * its id as an input. Size limits of uploads and submissions answer 413 and leave nothing behind.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startApi, type TestApi } from '../support/api.js';

const UPLOAD_LIMIT = 4 * 1024 * 1024;
const SUBMIT_LIMIT = 64 * 1024;
let api: TestApi;
let ann: string;

/** `n` bytes of a fixed pattern, in 64 KiB chunks. */
function bytes(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) % 256));
}

/** Every file under the local object store's folder of `owner` (the objects and the unfinished uploads' files), and tus's records of them. */
function storedFiles(owner = 'ann'): string[] {
  return [join(api.home, 'objects', owner), join(api.home, 'uploads-tus', owner)].flatMap((root) =>
    existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name)) : [],
  );
}

/** The statuses a document went through, repeats (progress saves) folded. */
const statuses = (docs: { status: string }[]) => docs.map((d) => d.status).filter((v, i, all) => i === 0 || all[i - 1] !== v);

beforeAll(async () => {
  api = await startApi({ uploadBodyLimit: UPLOAD_LIMIT, submitBodyLimit: SUBMIT_LIMIT });
  ann = await api.token('ann');
});
afterAll(async () => {
  await api?.close();
});

describe('POST /v1/uploads', () => {
  it('streams the body to the object store: bytes reach the object\'s file before the request has ended; 201 with the id and Location', async () => {
    const data = bytes(3 * 1024 * 1024);
    const body = new PassThrough();
    const answer = api.call('POST', '/v1/uploads?name=reads.fastq', { token: ann, body, headers: { 'content-type': 'application/octet-stream' } });
    body.write(data.subarray(0, 1024 * 1024));
    // The first MiB is on disk while the rest has not been sent: the body is not held in memory, nor spooled.
    await eventually(async () => storedFiles().some((f) => f.endsWith('/reads.fastq') && statSync(f).size >= 512 * 1024), 'the first bytes in the object\'s file');
    body.end(data.subarray(1024 * 1024));
    const r = await answer;
    expect(r.status).toBe(201);
    const up = r.json as { uploadId: string; fileName: string; status: string; size: number };
    expect([up.fileName, up.status, up.size]).toEqual(['reads.fastq', 'successful', data.length]);
    expect(r.headers.location).toBe(`/v1/uploads/${up.uploadId}`);
    // Stored under <owner>/<upload-id>/<file>, byte for byte.
    const key = `ann/${up.uploadId}/reads.fastq`;
    expect(await api.runtime.ports.objects.head(key)).toEqual({ key, size: data.length });
    const copy = join(api.home, 'copy');
    await api.runtime.ports.objects.getToFile(key, copy);
    expect(readFileSync(copy).equals(data)).toBe(true);
    const status = await api.call('GET', `/v1/uploads/${up.uploadId}`, { token: ann });
    expect([status.status, status.json]).toEqual([
      200,
      {
        uploadId: up.uploadId,
        fileName: 'reads.fastq',
        originalName: 'reads.fastq',
        status: 'successful',
        size: data.length,
        offset: data.length,
        declaredSize: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
        detected: 'binary',
        createdAt: (status.json as { createdAt: string }).createdAt,
        updatedAt: (status.json as { updatedAt: string }).updatedAt,
      },
    ]);
  });

  it('keeps only the last part of a file name given with folders, and makes "..", "." safe', async () => {
    for (const [name, kept] of [['..%2F..%2Fetc%2Fpasswd', 'passwd'], ['..', 'file'], ['a%5Cb.txt', 'b.txt']]) {
      const r = await api.call('POST', `/v1/uploads?name=${name}`, { token: ann, body: 'x' });
      expect([r.status, (r.json as { fileName: string }).fileName], name).toEqual([201, kept]);
    }
  });

  it('takes an empty file', async () => {
    const r = await api.call('POST', '/v1/uploads?name=empty.txt', { token: ann, body: Buffer.alloc(0) });
    expect([r.status, (r.json as { size: number }).size]).toEqual([201, 0]);
  });

  it('refuses an upload without a name (400); takes one with control characters, stored under a safe name and kept as given', async () => {
    const none = await api.call('POST', '/v1/uploads', { token: ann, body: 'x' });
    expect([none.status, (none.json as { message: string }).message]).toEqual([400, 'the request is invalid: querystring must have required property \'name\'']);
    const ctl = await api.call('POST', '/v1/uploads?name=a%0Ab%1B%5B2J', { token: ann, body: 'x' });
    expect([ctl.status, ctl.json]).toMatchObject([201, { fileName: 'a_b_[2J', originalName: 'a\nb\u001b[2J' }]);
  });

  it('answers 413 for an upload whose Content-Length is over the limit, before reading it, and keeps nothing', async () => {
    const before = await api.runtime.ports.objects.list('ann/');
    const r = await api.call('POST', '/v1/uploads?name=big.bin', { token: ann, body: bytes(UPLOAD_LIMIT + 1) });
    expect([r.status, r.json]).toEqual([413, { code: 'PAYLOAD_TOO_LARGE', message: `the upload is ${UPLOAD_LIMIT + 1} bytes, more than the limit of ${UPLOAD_LIMIT} bytes (TOOLFLOW_UPLOAD_LIMIT); nothing was stored` }]);
    expect(await api.runtime.ports.objects.list('ann/')).toEqual(before);
  });

  it('answers 413 for a chunked upload that grows past the limit as it streams, marks it failed and keeps nothing', async () => {
    const before = await api.runtime.ports.objects.list('ann/');
    const docs: { status: string }[] = [];
    const stop = api.runtime.ports.coordination.watch('uploads/', (_key, value) => docs.push(value as { status: string }));
    try {
      const r = await api.call('POST', '/v1/uploads?name=big.bin', { token: ann, body: Readable.from([bytes(UPLOAD_LIMIT), bytes(1024)]) });
      // The refusal names the upload it failed (its status document says why).
      expect([r.status, r.json]).toEqual([413, { code: 'PAYLOAD_TOO_LARGE', message: `the upload passed the limit of ${UPLOAD_LIMIT} bytes (TOOLFLOW_UPLOAD_LIMIT); it was stopped and removed`, uploadId: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
    } finally {
      stop();
    }
    expect(statuses(docs)).toEqual(['ongoing', 'failed']);
    expect(await api.runtime.ports.objects.list('ann/')).toEqual(before);
  });

  it('stops an upload whose client goes away in the middle, marks it failed and keeps nothing', async () => {
    const before = await api.runtime.ports.objects.list('ann/');
    const docs: { status: string }[] = [];
    const stop = api.runtime.ports.coordination.watch('uploads/', (_key, value) => docs.push(value as { status: string }));
    try {
      const u = new URL(api.url);
      const req = request({ host: u.hostname, port: u.port, method: 'POST', path: '/v1/uploads?name=cut.bin', headers: { authorization: `Bearer ${ann}`, 'content-length': String(2 * 1024 * 1024) } });
      req.on('error', () => undefined); // the connection is cut on purpose
      req.write(bytes(1024 * 1024));
      await eventually(async () => storedFiles().some((f) => f.endsWith('/cut.bin')), 'the object\'s file');
      req.destroy();
      await eventually(async () => docs.some((d) => d.status === 'failed') && !storedFiles().some((f) => f.endsWith('/cut.bin')), 'the upload to be marked failed and its file removed');
    } finally {
      stop();
    }
    expect(statuses(docs)).toEqual(['ongoing', 'failed']);
    expect(await api.runtime.ports.objects.list('ann/')).toEqual(before);
  });

  it('answers 404 for an unknown upload id, and 400 for one that is not an upload id', async () => {
    const r = await api.call('GET', '/v1/uploads/00000000-0000-4000-8000-000000000000', { token: ann });
    expect([r.status, r.json]).toEqual([404, { code: 'NOT_FOUND', message: 'no upload 00000000-0000-4000-8000-000000000000' }]);
    expect((await api.call('GET', '/v1/uploads/..%2F..', { token: ann })).status).toBe(400);
  });
});

describe('submitting with uploads', () => {
  it('runs a workflow on an uploaded input: the tool reads the bytes uploaded (JSON inputs, then YAML input=)', async () => {
    const data = bytes(300 * 1024);
    const up = (await api.call('POST', '/v1/uploads?name=data.bin', { token: ann, body: data })).json as { uploadId: string };
    const workflow = 'name: sum\ninputs: {data: {type: file, required: true}}\ntools:\n  - {name: hash, cmds: [\'sha256sum "$TF_INPUT_data" | cut -c1-64\']}\n';
    const viaJson = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow, inputs: { data: up.uploadId } } });
    const viaYaml = await api.call('POST', `/v1/tasks?input=data=${up.uploadId}`, { token: ann, body: workflow, headers: { 'content-type': 'application/yaml' } });
    const expected = `${createHash('sha256').update(data).digest('hex')}\n`;
    for (const r of [viaJson, viaYaml]) {
      expect(r.status, r.text).toBe(202);
      const { taskId } = r.json as { taskId: string };
      await eventually(async () => ((await api.call('GET', `/v1/tasks/${taskId}`, { token: ann })).json as { status: string }).status === 'succeeded', 'the task to succeed');
      expect((await api.call('GET', `/v1/tasks/${taskId}/tools/hash/logs`, { token: ann })).text).toBe(expected);
    }
  });

  it('refuses a required input with no upload, and an input the workflow does not have, as the CLI does', async () => {
    const workflow = 'name: ins\ninputs: {data: {type: file, required: true}}\ntools:\n  - {name: t, cmds: ["true"]}\n';
    const r = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow } });
    expect([r.status, (r.json as { issues: unknown[] }).issues]).toEqual([422, [{ file: 'workflow.yaml', path: 'inputs.data', message: 'required input has no file; give it with --input data=PATH (CLI) or an upload id under inputs.data (API)' }]]);
  });
});

describe('submission size limit', () => {
  it('answers 413 for a JSON or YAML submission over the limit', async () => {
    const big = `name: big\ndescription: ${'x'.repeat(SUBMIT_LIMIT)}\ntools:\n  - {name: t, cmds: ["true"]}\n`;
    const yaml = await api.call('POST', '/v1/tasks', { token: ann, body: big, headers: { 'content-type': 'application/yaml' } });
    expect([yaml.status, (yaml.json as { code: string }).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const json = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow: big } });
    expect([json.status, (json.json as { code: string }).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    // Sent chunked, without a length: refused as it streams.
    const chunked = await api.call('POST', '/v1/tasks', { token: ann, body: Readable.from([Buffer.from(big)]), headers: { 'content-type': 'application/yaml' } });
    expect([chunked.status, (chunked.json as { code: string }).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});
