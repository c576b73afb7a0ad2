/**
 * The request/response functions `upload` and `validate` (shared/http/request-functions.ts) over
 * HTTP on loopback, in the raw server (of-watchdog's path), on embedded backends (a SQLite store and
 * a local object folder: they publish nothing): bearer tokens, the body streamed to the object
 * store, the `task.submitted` a submission implies or every issue of it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { CloudEvent, HTTP } from 'cloudevents';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../shared/api/tokens.js';
import type { OpenFunction } from '../../shared/http/function-module.js';
import { serveRaw } from '../../shared/http/raw-server.js';
import { uploadFunction, validateFunction } from '../../shared/http/request-functions.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { openStore } from '../../shared/store/open-store.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir();
const log = pino({ level: 'silent' });
const config = loadConfig({ TOOLFLOW_HOME: home, TOOLFLOW_LOG_LEVEL: 'silent', TOOLFLOW_CPUS: '2', TOOLFLOW_MEMORY: '4Gi' });

describe('the upload and validate functions', () => {
  const opened: OpenFunction[] = [];
  const servers: Server[] = [];
  let upload: string;
  let validate: string;
  let token: string;
  let other: string;

  async function serve(open: OpenFunction): Promise<string> {
    opened.push(open);
    const server = await serveRaw((r) => open.answer(r), async () => undefined, 0, '127.0.0.1');
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  beforeAll(async () => {
    upload = await serve(await uploadFunction.open(config, log));
    validate = await serve(await validateFunction.open(config, log));
    const store = await openStore(config.databasePath);
    token = (await issueToken(store, 'ann')).token;
    other = (await issueToken(store, 'bob')).token;
    await store.close();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    for (const o of opened) await o.close();
  });

  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

  it('upload streams the body to the object store under the token owner and answers 201 with the upload id', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const r = await json(await fetch(`${upload}/?name=reads.fastq`, { method: 'POST', headers: { ...auth(token), 'content-type': 'application/octet-stream' }, body: bytes }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ fileName: 'reads.fastq', status: 'successful', size: bytes.length });
    const id = r.body.uploadId as string;
    expect(readFileSync(join(config.objectsDir, 'ann', id, 'reads.fastq')).equals(bytes)).toBe(true);
  });

  it('upload refuses a missing or unknown token (401), a missing file name (400) and a GET (405), with JSON {code, message}', async () => {
    const none = await json(await fetch(`${upload}/?name=x`, { method: 'POST', body: 'x' }));
    expect(none).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    const unknown = await json(await fetch(`${upload}/?name=x`, { method: 'POST', headers: auth(`tf_${'A'.repeat(43)}`), body: 'x' }));
    expect(unknown).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED', message: expect.stringContaining('the bearer token is unknown') } });
    const noName = await json(await fetch(upload, { method: 'POST', headers: auth(token), body: 'x' }));
    expect(noName).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', message: 'give the file name: POST ?name=FILE, the file as the body' } });
    expect((await fetch(upload, { headers: auth(token) })).status).toBe(405);
  });

  it('validate answers the task.submitted event a submission implies (structured mode), owned by the token owner, with its inputs resolved', async () => {
    const up = await json(await fetch(`${upload}/?name=in.txt`, { method: 'POST', headers: auth(token), body: 'hello\n' }));
    const workflow = 'name: v\ninputs:\n  data: {type: file, required: true}\ntools:\n  - {name: a, cmds: ["cat \\"$TF_INPUT_data\\""], options: [{name: n, type: int, default: 1}]}\n';
    const res = await fetch(validate, { method: 'POST', headers: { ...auth(token), 'content-type': 'application/json' }, body: JSON.stringify({ workflow, values: { a: { n: 3 } }, inputs: { data: up.body.uploadId } }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/cloudevents+json; charset=utf-8');
    const event = HTTP.toEvent({ headers: Object.fromEntries(res.headers), body: await res.text() }) as CloudEvent<{ owner: string; spec: { name: string }; inputs: Record<string, { key: string }>; values: Record<string, Record<string, unknown>> }>;
    expect(event.type).toBe('io.toolflow.task.submitted');
    expect(event.source).toBe('/toolflow/functions/validate');
    expect(event.data!.owner).toBe('ann');
    expect(event.data!.spec.name).toBe('v');
    expect(event.data!.values.a).toEqual({ n: 3 });
    expect(event.data!.inputs.data!.key).toBe(`ann/${String(up.body.uploadId)}/in.txt`);
    // Another owner's upload is not found.
    const bob = await json(await fetch(validate, { method: 'POST', headers: auth(other), body: JSON.stringify({ workflow, inputs: { data: up.body.uploadId } }) }));
    expect(bob.status).toBe(422);
    expect(bob.body.issues).toEqual([expect.objectContaining({ path: 'data', message: expect.stringContaining(`no upload "${String(up.body.uploadId)}"`) })]);
  });

  it('validate refuses every input that cannot be used, each named, in one answer: an upload not of the declared format, an id that is no upload of the caller\'s', async () => {
    const fasta = await json(await fetch(`${upload}/?name=ref.fa`, { method: 'POST', headers: auth(token), body: '>chr1\nACGT\n' }));
    const id = String(fasta.body.uploadId);
    const workflow = 'name: f\ninputs:\n  reads: {format: fastq}\n  ref: {format: fasta}\ntools:\n  - {name: a, cmds: ["true"]}\n';
    const r = await json(await fetch(validate, { method: 'POST', headers: auth(token), body: JSON.stringify({ workflow, inputs: { reads: id, ref: 'reads.fq' } }) }));
    expect(r.status).toBe(422);
    expect(r.body.issues).toEqual([
      // This process keeps no upload documents (coordination without etcd keeps them in the upload function's
      // process): the upload is found by its object, whose first bytes are read and checked.
      { file: 'inputs', path: 'reads', message: `upload ${id} ("ref.fa"): expected fastq: the first record must start with '@', found '>chr1' (FASTA?) (inputs.reads declares format: fastq)` },
      { file: 'inputs', path: 'ref', message: 'no upload "reads.fq" of yours: upload the file (POST /v1/uploads?name=FILE, or toolflow upload) and give the uploadId it answers' },
    ]);
    // The same upload fits an input that declares fasta.
    const ok = await fetch(validate, { method: 'POST', headers: auth(token), body: JSON.stringify({ workflow, inputs: { reads: id, ref: id } }).replace('reads: {format: fastq}', 'reads: {format: fasta}') });
    expect(ok.status).toBe(200);
  });

  it('validate answers 422 SPEC_INVALID with every issue at its line and column', async () => {
    const r = await json(await fetch(validate, { method: 'POST', headers: auth(token), body: JSON.stringify({ workflow: 'name: v\ntools:\n  - {name: a, cmds: [x], relly: [b]}\n', file: 'mine.yaml' }) }));
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('SPEC_INVALID');
    expect(r.body.issues).toEqual([expect.objectContaining({ file: 'mine.yaml', line: 3, path: 'tools[0].relly', message: expect.stringContaining('unknown field "relly"') })]);
  });

  it('validate refuses a body that is not a JSON submission (400 BAD_REQUEST naming the field)', async () => {
    const notJson = await json(await fetch(validate, { method: 'POST', headers: auth(token), body: 'name: v' }));
    expect(notJson).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', message: expect.stringContaining('the body is not JSON') } });
    const noText = await json(await fetch(validate, { method: 'POST', headers: auth(token), body: JSON.stringify({ workflow: 5 }) }));
    expect(noText).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', message: "workflow must be the workflow file's text (a string)" } });
    const extra = await json(await fetch(validate, { method: 'POST', headers: auth(token), body: JSON.stringify({ workflow: 'x', owner: 'bob' }) }));
    expect(extra).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', message: 'unknown field "owner"; the fields are workflow, file, values, inputs, failFast' } });
  });
});
