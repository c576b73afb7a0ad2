/**
 * The user API's task routes (issue 8, section 4) over loopback HTTP, on a real SQLite store and the
 * real local executor: submit (YAML or JSON; 202 with Location; 422 with the CLI's issues), list
 * (newest first, pages, status filter), one task with every attempt, cancel. Every answer is
 * checked against the OpenAPI document by the client (`test/support/api.ts`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workManagerLock } from '../../shared/runtime/task-driver.js';
import { newToolRun } from '../../shared/store/store.js';
import { eventually, startApi, type TestApi } from '../support/api.js';
import { toolflow } from '../support/cli.js';

let api: TestApi;
let ann: string;
const yaml = { 'content-type': 'application/yaml' };

interface TaskJson {
  taskId: string;
  status: string;
  cancelRequested: boolean;
  tools: { name: string; status: string; rely: string[]; outputs: string[]; attempts: { attempt: number; status: string; reason: string | null; exitCode: number | null; message: string | null; resources: { memBytes: number }; startedAt: string | null; finishedAt: string | null }[] }[];
}

async function submit(text: string, query = ''): Promise<string> {
  const r = await api.call('POST', `/v1/tasks${query}`, { token: ann, body: text, headers: yaml });
  expect(r.status, r.text).toBe(202);
  return (r.json as { taskId: string }).taskId;
}

async function task(id: string): Promise<TaskJson> {
  return (await api.call('GET', `/v1/tasks/${id}`, { token: ann })).json as TaskJson;
}

async function finished(id: string): Promise<TaskJson> {
  let t: TaskJson | undefined;
  await eventually(async () => {
    t = await task(id);
    return ['succeeded', 'failed', 'cancelled'].includes(t.status);
  }, `task ${id} to finish`);
  return t!;
}

beforeAll(async () => {
  api = await startApi();
  ann = await api.token('ann');
});
afterAll(async () => {
  await api?.close();
});

describe('POST /v1/tasks', () => {
  it('takes YAML text with set=, failFast and file in the query: 202, the task id and its Location, and the task runs with the value', async () => {
    const text = 'name: hello\ntools:\n  - name: greet\n    options: [{name: who, type: string, default: world}]\n    cmds: [\'echo "hello $TF_OPT_who"\']\n';
    const r = await api.call('POST', '/v1/tasks?set=greet.who=api&failFast=true&file=hello.yaml', { token: ann, body: text, headers: yaml });
    expect(r.status).toBe(202);
    const { taskId } = r.json as { taskId: string };
    expect(r.headers.location).toBe(`/v1/tasks/${taskId}`);
    // The answer comes once the task is recorded: its Location answers at once.
    expect((await api.call('GET', r.headers.location as string, { token: ann })).status).toBe(200);
    expect((await finished(taskId)).status).toBe('succeeded');
    expect((await api.call('GET', `/v1/tasks/${taskId}/tools/greet/logs`, { token: ann })).text).toBe('hello api\n');
  });

  it('takes JSON {workflow, values, failFast}; a null value keeps the default', async () => {
    const workflow = 'name: j\ntools:\n  - name: t\n    options: [{name: n, type: int, default: 1}, {name: s, type: string, default: d}]\n    cmds: [\'echo "$TF_OPT_n $TF_OPT_s"\']\n';
    const r = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow, values: { t: { n: 42, s: null } }, failFast: false } });
    expect(r.status).toBe(202);
    const { taskId } = r.json as { taskId: string };
    expect((await finished(taskId)).status).toBe('succeeded');
    expect((await api.call('GET', `/v1/tasks/${taskId}/tools/t/logs`, { token: ann })).text).toBe('42 d\n');
  });

  it('answers an invalid workflow with 422 and exactly the issues `toolflow validate --json` prints (file, line, column, field path)', async () => {
    const text = 'name: bad\ntools:\n  - name: a\n    mem: 100\n    relly: [b]\n    cmds: ["true"]\n  - {name: b, cmds: ["true"], rely: [a, c]}\n';
    const file = join(api.home, 'bad.yaml');
    writeFileSync(file, text);
    const cli = await toolflow(['validate', file, '--json'], { TOOLFLOW_HOME: api.home });
    expect(cli.code).toBe(2);
    const expected = (JSON.parse(cli.stdout) as { issues: unknown[] }).issues;
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const r = await api.call('POST', `/v1/tasks?file=${encodeURIComponent(file)}`, { token: ann, body: text, headers: yaml });
    expect(r.status).toBe(422);
    const body = r.json as { code: string; message: string; issues: unknown[] };
    expect(body.code).toBe('SPEC_INVALID');
    expect(body.issues).toEqual(expected);
    expect(body.message).toContain(`${file}:5:5: tools[0].relly: unknown field "relly" (did you mean "rely"?)`);
    expect(body.message.startsWith(`${expected.length} problems:\n`)).toBe(true);
    // JSON bodies answer the same issues.
    const j = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow: text, file } });
    expect((j.json as { issues: unknown[] }).issues).toEqual(expected);
  });

  it('reports bad values and unknown uploads together with the workflow\'s issues, in one 422', async () => {
    const text = 'name: v\ninputs: {reads: {type: file, required: true}}\ntools:\n  - {name: t, options: [{name: n, type: int}], cmds: ["true"]}\n';
    const r = await api.call('POST', '/v1/tasks?set=t.n=abc&set=oops&input=reads=00000000-0000-4000-8000-000000000000', { token: ann, body: text, headers: yaml });
    expect(r.status).toBe(422);
    const issues = (r.json as { issues: { file: string; path: string; message: string }[] }).issues;
    expect(issues).toEqual([
      { file: 'set=t.n=abc', path: 't.n', message: 'int option: "abc" is not a number' },
      { file: 'set=oops', path: '', message: '"oops" must look like TOOL.OPTION=VALUE' },
      { file: 'input=reads=00000000-0000-4000-8000-000000000000', path: 'reads', message: 'no upload "00000000-0000-4000-8000-000000000000" of yours: upload the file (POST /v1/uploads?name=FILE, or toolflow upload) and give the uploadId it answers' },
    ]);
  });

  it('refuses a body that is neither JSON nor YAML (415), a missing body (400), malformed JSON (400), an unknown field (400) and query values with a JSON body (400)', async () => {
    const xml = await api.call('POST', '/v1/tasks', { token: ann, body: '<workflow/>', headers: { 'content-type': 'application/xml' } });
    expect([xml.status, xml.json]).toEqual([415, { code: 'BAD_REQUEST', message: 'Content-Type application/xml is not taken by POST /v1/tasks: /openapi.json lists the types each route takes (a submission: application/json or application/yaml)' }]);
    const none = await api.call('POST', '/v1/tasks', { token: ann });
    expect([none.status, (none.json as { code: string }).code]).toEqual([400, 'BAD_REQUEST']);
    expect((none.json as { message: string }).message).toContain('send the workflow');
    const broken = await api.call('POST', '/v1/tasks', { token: ann, body: '{"workflow": ', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    const typo = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow: 'name: x', workflw: 'y' } });
    expect(typo.status).toBe(400);
    expect((typo.json as { message: string }).message).toBe('the request is invalid: body: unknown field "workflw"');
    const mixed = await api.call('POST', '/v1/tasks?set=a.b=c', { token: ann, body: { workflow: 'name: x' } });
    expect(mixed.status).toBe(400);
    expect((mixed.json as { message: string }).message).toContain('with a JSON body, give the workflow\'s values, inputs, failFast and file in the body');
  });
});

describe('GET /v1/tasks/{taskId}', () => {
  it('shows each tool and every attempt: status, reason, message, exit code, resources, times', async () => {
    const id = await submit('name: retry\ntools:\n  - {name: flaky, mem: 64Mi, cmds: ["echo no >&2; exit 3"], retry: {max: 2, on: [exit]}}\n  - {name: after, cmds: ["true"], rely: [flaky], outputs: [x.txt]}\n');
    const t = await finished(id);
    expect(t.status).toBe('failed');
    expect(t.cancelRequested).toBe(false);
    const [flaky, after] = t.tools;
    expect(flaky!.status).toBe('failed');
    expect(flaky!.attempts.map((a) => [a.attempt, a.status, a.reason, a.exitCode, a.resources.memBytes])).toEqual([
      [1, 'failed', 'exit', 3, 64 * 1024 * 1024],
      [2, 'failed', 'exit', 3, 64 * 1024 * 1024],
    ]);
    expect(flaky!.attempts[0]!.message).toContain('exited with code 3');
    for (const a of flaky!.attempts) expect(Date.parse(a.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(a.startedAt!));
    // Each attempt's cpu time, measured (issue 12 §6), and no cache hit.
    for (const a of flaky!.attempts as unknown as { cpuTimeMs: number | null; cachedFrom: unknown }[]) expect([typeof a.cpuTimeMs, a.cachedFrom]).toEqual(['number', null]);
    expect([after!.name, after!.status, after!.rely, after!.outputs]).toEqual(['after', 'skipped', ['flaky'], ['x.txt']]);
  });

  it('answers 404 for an unknown task and 400 for a malformed id', async () => {
    const r = await api.call('GET', '/v1/tasks/feedfacecafe', { token: ann });
    expect([r.status, r.json]).toEqual([404, { code: 'NOT_FOUND', message: 'no task feedfacecafe' }]);
    const bad = await api.call('GET', '/v1/tasks/a..b', { token: ann });
    expect(bad.status).toBe(400);
  });
});

describe('GET /v1/tasks', () => {
  it('lists the caller\'s tasks newest first, a page at a time through the opaque cursor, filtered by status', async () => {
    const lister = await api.token('lister');
    const ids: string[] = [];
    for (const [i, cmd] of ['true', 'false', 'true', 'false', 'true'].entries()) {
      const r = await api.call('POST', '/v1/tasks', { token: lister, body: { workflow: `name: l${i}\ntools:\n  - {name: t, cmds: ["${cmd}"]}\n` } });
      ids.push((r.json as { taskId: string }).taskId);
      await eventually(async () => ['succeeded', 'failed'].includes(((await api.call('GET', `/v1/tasks/${ids[i]}`, { token: lister })).json as TaskJson).status), 'the task to end');
    }
    const newestFirst = [...ids].reverse();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await api.call('GET', `/v1/tasks?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: lister });
      const body = page.json as { tasks: { taskId: string; owner: string }[]; nextCursor: string | null };
      expect(body.tasks.length).toBeLessThanOrEqual(2);
      seen.push(...body.tasks.map((t) => t.taskId));
      expect(body.tasks.every((t) => t.owner === 'lister')).toBe(true);
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(3);
    const failed = await api.call('GET', '/v1/tasks?status=failed', { token: lister });
    expect((failed.json as { tasks: { taskId: string }[] }).tasks.map((t) => t.taskId)).toEqual([ids[3], ids[1]]);
    const both = await api.call('GET', '/v1/tasks?status=failed,succeeded&status=queued', { token: lister });
    expect((both.json as { tasks: unknown[] }).tasks).toHaveLength(5);
  });

  it('refuses an unknown status, a cursor it did not give, a limit out of range and an unknown parameter (400)', async () => {
    const status = await api.call('GET', '/v1/tasks?status=done', { token: ann });
    expect([status.status, (status.json as { message: string }).message]).toEqual([400, 'status: "done" is not a task status; use queued, processing, succeeded, failed, cancelled (several separated by commas)']);
    const cursor = await api.call('GET', '/v1/tasks?cursor=bm90LW1pbmU', { token: ann });
    expect([cursor.status, (cursor.json as { message: string }).message]).toEqual([400, 'cursor is not one this API gave: pass the nextCursor of the page before, as it is']);
    expect((await api.call('GET', '/v1/tasks?limit=0', { token: ann })).status).toBe(400);
    expect((await api.call('GET', '/v1/tasks?limit=101', { token: ann })).status).toBe(400);
    const unknown = await api.call('GET', '/v1/tasks?limt=5', { token: ann });
    expect((unknown.json as { message: string }).message).toBe('the request is invalid: querystring: unknown parameter "limt"');
  });
});

describe('POST /v1/tasks/{taskId}/cancel', () => {
  it('cancels a running task this process hosts: 202 cancelling, then the task ends cancelled with its tool stopped', async () => {
    const gate = join(api.home, 'never');
    const id = await submit(`name: long\ntools:\n  - {name: wait, cmds: ["echo started; while [ ! -e '${gate}' ]; do sleep 0.1; done"]}\n`);
    await eventually(async () => (await task(id)).tools[0]!.status === 'running', 'the tool to run');
    const r = await api.call('POST', `/v1/tasks/${id}/cancel`, { token: ann });
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ taskId: id, status: 'cancelling' });
    const t = await finished(id);
    expect([t.status, t.tools[0]!.status]).toEqual(['cancelled', 'cancelled']);
    // Once ended, a cancel answers 200 with how it ended.
    const again = await api.call('POST', `/v1/tasks/${id}/cancel`, { token: ann });
    expect([again.status, again.json]).toEqual([200, { taskId: id, status: 'cancelled' }]);
  });

  it('answers 200 with the final status for a task that has finished, changing nothing', async () => {
    const id = await submit('name: quick\ntools:\n  - {name: t, cmds: ["true"]}\n');
    expect((await finished(id)).status).toBe('succeeded');
    const r = await api.call('POST', `/v1/tasks/${id}/cancel`, { token: ann });
    expect([r.status, r.json]).toEqual([200, { taskId: id, status: 'succeeded' }]);
    expect((await task(id)).cancelRequested).toBe(false);
  });

  it('records the request in the store for a task another live process drives (as toolflow cancel does), and cancels one whose driver is gone', async () => {
    const store = api.runtime.ports.store;
    const spec = JSON.stringify({ spec: { name: 'elsewhere', description: '', inputs: [], tools: [{ name: 't', outputs: [], rely: [] }] } });
    const row = (id: string) => ({ id, owner: 'ann', name: 'elsewhere', status: 'processing' as const, spec, values_json: '{}', inputs_json: '{}', error: null, created_at: Date.now(), started_at: Date.now(), finished_at: null });
    const runs = (id: string) => [newToolRun(id, 't', 1, { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: null })];
    // A live driver: its work manager's lock is held (here by this very process, not through this runtime's tasks).
    expect(await store.createTask(row('d0000000000a'), runs('d0000000000a'))).toBe(true);
    const lease = await api.runtime.ports.coordination.tryLock(workManagerLock('d0000000000a'), 15);
    expect(lease).not.toBeNull();
    try {
      const r = await api.call('POST', '/v1/tasks/d0000000000a/cancel', { token: ann });
      expect([r.status, r.json]).toEqual([202, { taskId: 'd0000000000a', status: 'cancelling' }]);
      expect((await store.getTask('d0000000000a'))!.cancel_requested_at).not.toBeNull();
      expect((await task('d0000000000a')).cancelRequested).toBe(true);
    } finally {
      await lease!.release();
    }
    // No live driver (its process died): cancelled here, at once.
    expect(await store.createTask(row('d0000000000b'), runs('d0000000000b'))).toBe(true);
    const r = await api.call('POST', '/v1/tasks/d0000000000b/cancel', { token: ann });
    expect([r.status, r.json]).toEqual([200, { taskId: 'd0000000000b', status: 'cancelled' }]);
    const t = await task('d0000000000b');
    expect([t.status, t.tools[0]!.status]).toEqual(['cancelled', 'cancelled']);
  });

  it('answers 404 for an unknown task', async () => {
    const r = await api.call('POST', '/v1/tasks/feedfacecafe/cancel', { token: ann });
    expect([r.status, r.json]).toEqual([404, { code: 'NOT_FOUND', message: 'no task feedfacecafe' }]);
  });
});
