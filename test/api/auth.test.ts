/**
 * Authentication and owner scoping of the user API (issue 8, section 4): tokens made, listed and
 * revoked with the CLI (`toolflow token …`, the built CLI on the same SQLite file) and used over
 * HTTP; every route but health and the document needs one; a second owner sees none of the first's
 * tasks, uploads, logs or outputs, and each such answer is exactly the answer for a missing one;
 * tokens never reach logs or answers.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../shared/api/tokens.js';
import { eventually, startApi, type CheckedAnswer, type TestApi } from '../support/api.js';
import { toolflow } from '../support/cli.js';

/** Every log line the API writes, at the most verbose level. */
const logLines: string[] = [];
const logger = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString()), done()) }));

let api: TestApi;
let ann: string;
let bob: string;
/** Every answer the tests received, to check no token is in any. */
const answers: CheckedAnswer[] = [];

async function call(method: string, path: string, token: string | undefined, body?: unknown): Promise<CheckedAnswer> {
  const r = await api.call(method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
  answers.push(r);
  return r;
}

beforeAll(async () => {
  api = await startApi({ logger });
});
afterAll(async () => {
  await api?.close();
});

describe('tokens made with the CLI', () => {
  it('token create prints the token once; list shows it without the token; the API takes it; revoke makes the API refuse it', async () => {
    const env = { TOOLFLOW_HOME: api.home };
    const created = await toolflow(['token', 'create', '--owner', 'ann', '--label', 'ci'], env);
    expect(created.code).toBe(0);
    ann = created.stdout.trim();
    expect(ann).toMatch(/^tf_[A-Za-z0-9_-]{43}$/);
    const id = /token ([0-9a-f]{16}) for owner ann \(ci\)/.exec(created.stderr)?.[1];
    expect(id).toBeDefined();
    const bobs = await toolflow(['token', 'create', '--owner', 'bob', '--json'], env);
    const bobJson = JSON.parse(bobs.stdout) as { id: string; owner: string; token: string };
    bob = bobJson.token;
    expect(bobJson.owner).toBe('bob');

    const listed = await toolflow(['token', 'list', '--json'], env);
    const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(rows.map((r) => [r.id, r.owner, r.label, r.revokedAt])).toEqual([
      [bobJson.id, 'bob', null, null],
      [id, 'ann', 'ci', null],
    ]);
    // Neither the token nor its hash is shown.
    expect(listed.stdout).not.toContain(ann);
    expect(listed.stdout).not.toContain(hashToken(ann));
    expect((await toolflow(['token', 'list', '--owner', 'bob'], env)).stdout).not.toContain('ann');

    expect((await call('GET', '/v1/tasks', ann)).status).toBe(200);
    // A throwaway token of ann's, revoked: refused from then on.
    const spare = JSON.parse((await toolflow(['token', 'create', '--owner', 'ann', '--json'], env)).stdout) as { id: string; token: string };
    expect((await call('GET', '/v1/tasks', spare.token)).status).toBe(200);
    const revoked = await toolflow(['token', 'revoke', spare.id], env);
    expect([revoked.code, revoked.stderr]).toEqual([0, `toolflow: token ${spare.id} of ann revoked\n`]);
    const refused = await call('GET', '/v1/tasks', spare.token);
    expect([refused.status, refused.json, refused.headers['www-authenticate']]).toEqual([
      401,
      { code: 'UNAUTHENTICATED', message: 'the bearer token was revoked: send Authorization: Bearer <token>, with a token from toolflow token create --owner NAME' },
      'Bearer realm="toolflow", error="invalid_token"',
    ]);
    expect((await toolflow(['token', 'revoke', 'ffffffffffffffff'], env)).code).toBe(2);
    expect((await toolflow(['token', 'create', '--owner', '../x'], env)).code).toBe(2);
  });
});

describe('authentication', () => {
  it('every /v1 route needs a bearer token: none, a malformed header, a malformed token and an unknown one answer 401', async () => {
    const routes: [string, string][] = [
      ['POST', '/v1/tasks'],
      ['GET', '/v1/tasks'],
      ['GET', '/v1/tasks/feedfacecafe'],
      ['POST', '/v1/tasks/feedfacecafe/cancel'],
      ['GET', '/v1/tasks/feedfacecafe/tools/a/logs'],
      ['GET', '/v1/tasks/feedfacecafe/tools/a/outputs'],
      ['GET', '/v1/tasks/feedfacecafe/tools/a/outputs/x'],
      ['POST', '/v1/uploads?name=x'],
      ['GET', '/v1/uploads/00000000-0000-4000-8000-000000000000'],
    ];
    const unknown = `tf_${'A'.repeat(43)}`;
    for (const [method, path] of routes) {
      const none = await call(method, path, undefined);
      expect([none.status, (none.json as { code: string }).code, none.headers['www-authenticate']], `${method} ${path}`).toEqual([401, 'UNAUTHENTICATED', 'Bearer realm="toolflow"']);
      for (const header of ['Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'Bearer', `Bearer ${unknown.slice(0, 20)}`, `Bearer ${unknown}`]) {
        const r = await api.call(method, path, { headers: { authorization: header } });
        expect([r.status, r.headers['www-authenticate']], `${method} ${path} with ${header}`).toEqual([401, 'Bearer realm="toolflow", error="invalid_token"']);
      }
    }
  });

  it('health and the OpenAPI document are open', async () => {
    expect((await call('GET', '/health/liveness', undefined)).json).toEqual({ status: 'ok' });
    expect((await call('GET', '/health/readiness', undefined)).json).toEqual({ status: 'ok' });
    const doc = await call('GET', '/openapi.json', undefined);
    expect([doc.status, (doc.json as { openapi: string }).openapi]).toEqual([200, '3.1.0']);
  });
});

describe('owner isolation', () => {
  let taskId: string;
  let uploadId: string;
  /** An id of the same length that no task has, so answers can be compared byte for byte. */
  const missingTask = '0123456789ab';
  const missingUpload = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    uploadId = ((await call('POST', '/v1/uploads?name=secret.txt', ann, 'ann only')).json as { uploadId: string }).uploadId;
    const workflow = 'name: private\ninputs: {data: {type: file}}\ntools:\n  - {name: make, outputs: [out.txt], cmds: ["cat \\"$TF_INPUT_data\\" > out.txt; echo ann-log"]}\n';
    taskId = ((await call('POST', '/v1/tasks', ann, { workflow, inputs: { data: uploadId } })).json as { taskId: string }).taskId;
    await eventually(async () => ((await call('GET', `/v1/tasks/${taskId}`, ann)).json as { status: string }).status === 'succeeded', 'ann\'s task to succeed');
  });

  /** bob's answer for ann's `real` id, and his answer for the `missing` one, compared with the ids swapped. */
  async function expectSameAsMissing(method: string, path: (id: string) => string, real: string, missing: string, body?: unknown) {
    const theirs = await call(method, path(real), bob, body);
    const none = await call(method, path(missing), bob, body);
    const view = (r: CheckedAnswer, id: string) => ({ status: r.status, type: r.headers['content-type'], length: r.headers['content-length'], body: r.text.split(id).join('<id>') });
    expect(view(theirs, real), path(real)).toEqual(view(none, missing));
    expect(theirs.status, path(real)).toBe(404);
  }

  it('answers another owner\'s task, its logs and outputs exactly as a missing task', async () => {
    await expectSameAsMissing('GET', (id) => `/v1/tasks/${id}`, taskId, missingTask);
    await expectSameAsMissing('GET', (id) => `/v1/tasks/${id}/tools/make/logs`, taskId, missingTask);
    await expectSameAsMissing('GET', (id) => `/v1/tasks/${id}/tools/make/logs?follow=true`, taskId, missingTask);
    await expectSameAsMissing('GET', (id) => `/v1/tasks/${id}/tools/make/outputs`, taskId, missingTask);
    await expectSameAsMissing('GET', (id) => `/v1/tasks/${id}/tools/make/outputs/out.txt`, taskId, missingTask);
    await expectSameAsMissing('GET', (id) => `/v1/tasks/${id}/tools/nope/logs`, taskId, missingTask);
    // The owner's own answers are there.
    expect((await call('GET', `/v1/tasks/${taskId}/tools/make/outputs/out.txt`, ann)).text).toBe('ann only');
    expect((await call('GET', `/v1/tasks/${taskId}/tools/make/logs`, ann)).text).toBe('ann-log\n');
  });

  it('cannot cancel another owner\'s task: the answer is a missing task\'s and the task is untouched', async () => {
    const gate = `${api.home}/never`;
    const running = ((await call('POST', '/v1/tasks', ann, { workflow: `name: run\ntools:\n  - {name: w, cmds: ["while [ ! -e '${gate}' ]; do sleep 0.1; done"]}\n` })).json as { taskId: string }).taskId;
    await expectSameAsMissing('POST', (id) => `/v1/tasks/${id}/cancel`, running, missingTask);
    const row = await api.runtime.ports.store.getTask(running);
    expect([row!.status === 'cancelled', row!.cancel_requested_at]).toEqual([false, null]);
    expect((await call('POST', `/v1/tasks/${running}/cancel`, ann)).status).toBe(202);
  });

  it('lists none of another owner\'s tasks', async () => {
    const mine = (await call('GET', '/v1/tasks', ann)).json as { tasks: { taskId: string }[] };
    expect(mine.tasks.map((t) => t.taskId)).toContain(taskId);
    const theirs = await call('GET', '/v1/tasks', bob);
    expect(theirs.json).toEqual({ tasks: [], nextCursor: null });
    expect((await call('GET', '/v1/tasks?status=succeeded&limit=100', bob)).json).toEqual({ tasks: [], nextCursor: null });
  });

  it('answers another owner\'s upload as a missing one, and refuses it as a submission\'s input as an unknown upload', async () => {
    await expectSameAsMissing('GET', (id) => `/v1/uploads/${id}`, uploadId, missingUpload);
    const workflow = 'name: steal\ninputs: {data: {type: file}}\ntools:\n  - {name: t, cmds: ["cat \\"$TF_INPUT_data\\""]}\n';
    await (async () => {
      const theirs = await call('POST', '/v1/tasks', bob, { workflow, inputs: { data: uploadId } });
      const none = await call('POST', '/v1/tasks', bob, { workflow, inputs: { data: missingUpload } });
      expect(theirs.status).toBe(422);
      expect(theirs.text.split(uploadId).join('<id>')).toBe(none.text.split(missingUpload).join('<id>'));
    })();
    expect((await call('GET', '/v1/tasks', bob)).json).toEqual({ tasks: [], nextCursor: null });
  });

  it('never shows a token in an answer or in the request logs', async () => {
    // A token put in the query string (the trial's `?access_token=…`) is refused and not logged.
    expect((await call('GET', `/v1/tasks?access_token=${ann}`, undefined)).status).toBe(401);
    expect(answers.length).toBeGreaterThan(30);
    for (const r of answers) for (const t of [ann, bob]) expect(r.text).not.toContain(t);
    // A serializer that put the headers in a line would have them redacted (fastify's own leaves them out).
    api.app.log.info({ headers: { authorization: `Bearer ${ann}` }, request: { headers: { authorization: `Bearer ${bob}` } } }, 'headers');
    const headersLine = logLines.find((l) => l.includes('"msg":"headers"'));
    expect(JSON.parse(headersLine!)).toMatchObject({ headers: { authorization: '[redacted]' }, request: { headers: { authorization: '[redacted]' } } });
    expect(logLines.length).toBeGreaterThan(30);
    expect(logLines.some((l) => l.includes('"url":"/v1/tasks"'))).toBe(true);
    for (const line of logLines) {
      for (const t of [ann, bob]) expect(line).not.toContain(t);
      expect(line).not.toMatch(/tf_[A-Za-z0-9_-]{20}/);
    }
  });
});

describe('failures of the server', () => {
  it('answers INTERNAL without the error\'s message or stack when the store is gone, and readiness says 503', async () => {
    const broken = await startApi();
    try {
      const token = await broken.token('ann');
      await broken.runtime.ports.store.close();
      const r = await broken.call('GET', '/v1/tasks', { token });
      expect([r.status, r.json]).toEqual([500, { code: 'INTERNAL', message: 'internal error; it is logged on the server' }]);
      const ready = await broken.call('GET', '/health/readiness');
      expect([ready.status, (ready.json as { code: string }).code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      expect(ready.text).not.toMatch(/\n\s+at /);
    } finally {
      await broken.close().catch(() => undefined);
    }
  });

  it('answers an unknown route 404 in the same error form', async () => {
    const r = await call('GET', '/v2/tasks', ann);
    expect([r.status, r.json]).toEqual([404, { code: 'NOT_FOUND', message: 'no route GET /v2/tasks; the routes are in /openapi.json' }]);
  });
});
