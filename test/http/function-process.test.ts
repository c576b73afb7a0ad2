/**
 * Function processes: `toolflow function NAME` (faas-js-runtime, the Knative path) and `node
 * dist/functions/NAME/index.js` (the raw server, OpenFaaS's of-watchdog path), each its own process
 * on loopback with real MariaDB (and RabbitMQ for rerun-policy): health endpoints, an event handled
 * end to end, its events POSTed to a K_SINK server this test runs (binary mode) and 202 only once
 * the sink took them, 400 for bodies faas-js-runtime itself rejects, and the names refused.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { openStore } from '../../shared/store/open-store.js';
import type { Store } from '../../shared/store/store.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';
import { binary, freePort, post, startFunctionProcess, startSink, structured, submitted, type FunctionProcess, type Message, type Sink } from './helpers.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/toolflow.js');
const home = tempDir();
const prefix = runPrefix();
const log = pino({ level: 'silent' });

/** Starts `args` (after node) with `env` on a free port (`http_port`), in this file's TOOLFLOW_HOME, and waits until it is ready. */
const startFunction = (args: (port: number) => string[], env: Record<string, string>) => startFunctionProcess(args, { TOOLFLOW_HOME: home, ...env });

const toolflowFunction = (name: string) => (port: number) => [BIN, 'function', name, '--port', String(port)];

describe.skipIf(skipped('mysql'))('function processes with an event sink (K_SINK)', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let store: Store;
  let sink: Sink;
  const procs: FunctionProcess[] = [];

  beforeAll(async () => {
    db = await freshMysqlDatabase();
    store = await openStore(db.url);
    sink = await startSink();
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await sink?.close();
    await store?.close();
    await db?.drop();
  });

  it('toolflow function enqueue answers liveness and readiness, and handles a task.submitted end to end: task.queued reaches the sink in binary mode', async () => {
    const fn = await startFunction(toolflowFunction('enqueue'), { TOOLFLOW_DATABASE_URL: db.url, K_SINK: sink.url });
    procs.push(fn);
    expect(fn.stderr()).toContain('toolflow function enqueue: listening on http://127.0.0.1:');
    const live = await fetch(`${fn.url}/health/liveness`);
    expect([live.status, await live.text()]).toEqual([200, 'OK']);
    const sub = submitted();
    const r = await post(fn.url, binary(sub));
    expect([r.status, r.text]).toEqual([202, '']);
    expect((await store.getTask(sub.data.taskId))?.status).toBe('queued');
    const got = sink.received.filter((m) => m.event.subject === sub.data.taskId);
    expect(got.map((m) => [m.headers['ce-id'], m.headers['ce-type'], m.headers['ce-source'], m.headers['content-type']])).toEqual([
      [`queued/${sub.data.taskId}`, EventType.taskQueued, '/toolflow/functions/enqueue', 'application/json'],
    ]);
    expect(JSON.parse(got[0]!.body)).toEqual({ taskId: sub.data.taskId });

    // Structured mode through faas-js-runtime too.
    const other = submitted();
    expect((await post(fn.url, structured(other))).status).toBe(202);
    expect((await store.getTask(other.data.taskId))?.status).toBe('queued');

    // Bodies faas-js-runtime validates before the function runs are 400 EVENT_INVALID too.
    const bodies: Message[] = [
      { headers: { 'content-type': 'application/cloudevents+json' }, body: '{"hello": 1}' },
      { headers: { 'content-type': 'application/json', 'ce-id': 'x' }, body: '{}' },
      { headers: { 'content-type': 'application/json' }, body: '{"taskId": "x"}' },
    ];
    for (const m of bodies) {
      const bad = await post(fn.url, m);
      expect([bad.status, (bad.body as { code?: string }).code]).toEqual([400, 'EVENT_INVALID']);
    }

    fn.child.kill('SIGTERM');
    expect(await fn.exited).toBe(0);
  });

  it('answers 503 while the sink refuses the events, and 202 once it takes them (the same event ids again)', async () => {
    const fn = await startFunction(toolflowFunction('enqueue'), { TOOLFLOW_DATABASE_URL: db.url, K_SINK: sink.url });
    procs.push(fn);
    const sub = submitted();
    sink.status = 503;
    const refused = await post(fn.url, binary(sub));
    sink.status = 202;
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect((refused.body as { message: string }).message).toContain('answered 503');
    expect((await post(fn.url, binary(sub))).status).toBe(202);
    expect(sink.received.filter((m) => m.event.subject === sub.data.taskId).map((m) => m.event.id)).toEqual([`queued/${sub.data.taskId}`, `queued/${sub.data.taskId}`]);
    expect((await store.listTasks(null)).filter((t) => t.id === sub.data.taskId)).toHaveLength(1);
  });

  it('answers 503 naming K_SINK when the sink is unreachable', async () => {
    const closed = await freePort();
    const fn = await startFunction(toolflowFunction('enqueue'), { TOOLFLOW_DATABASE_URL: db.url, K_SINK: `http://127.0.0.1:${closed}/` });
    procs.push(fn);
    const r = await post(fn.url, binary(submitted()));
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect((r.body as { message: string }).message).toContain(`the event sink K_SINK=http://127.0.0.1:${closed}/ is unreachable`);
  });

  it('node dist/functions/enqueue/index.js serves the same function on any path, reading the raw body (of-watchdog HTTP mode)', async () => {
    const fn = await startFunction(() => [join(ROOT, 'dist/functions/enqueue/index.js')], { TOOLFLOW_DATABASE_URL: db.url, K_SINK: sink.url });
    procs.push(fn);
    const sub = submitted();
    expect((await post(`${fn.url}/function/enqueue`, structured(sub))).status).toBe(202);
    expect(sink.received.some((m) => m.event.id === `queued/${sub.data.taskId}`)).toBe(true);
    fn.child.kill('SIGTERM');
    expect(await fn.exited).toBe(0);
  });
});

describe.skipIf(skipped('mysql') || skipped('rabbitmq'))('toolflow function on RabbitMQ', () => {
  it('rerun-policy handles tool.attempt.failed: records attempt 2 and publishes tool.retrying to the bus', async () => {
    await requireRabbitmq();
    const db = await freshMysqlDatabase();
    const store = await openStore(db.url);
    const watcher = await AmqpBus.connect({ url: AMQP_URL, namespace: prefix, log });
    const seen: ToolflowEvent[] = [];
    watcher.subscribe(`${prefix}-watch`, [EventType.toolRetrying], async (e) => void seen.push(e));
    await watcher.idle();
    let fn: FunctionProcess | undefined;
    try {
      fn = await startFunction(toolflowFunction('rerun-policy'), { TOOLFLOW_DATABASE_URL: db.url, TOOLFLOW_AMQP_URL: AMQP_URL, TOOLFLOW_NAMESPACE: prefix, TOOLFLOW_MEMORY: '4Gi' });
      const sub = submitted();
      const t = sub.data.spec.tools[0]!;
      const { newToolRun } = await import('../../shared/store/store.js');
      await store.createTask({ id: sub.data.taskId, owner: 'ann', name: 'http-fn', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: Date.now(), started_at: null, finished_at: null }, [{ ...newToolRun(sub.data.taskId, 'a', 1, t), status: 'failed', reason: 'oom', finished_at: Date.now() }]);
      const resources = { cpuMillicores: t.cpuMillicores, memBytes: t.memBytes, diskBytes: null, timeSeconds: null };
      const failed = makeEvent(EventType.toolAttemptFailed, '/toolflow/functions/handle-status', { taskId: sub.data.taskId, tool: 'a', attempt: 1, reason: 'oom', message: 'out of memory', resources, retry: t.retry }, `attempt-failed/${sub.data.taskId}/a/1`);
      expect((await post(fn.url, binary(failed))).status).toBe(202);
      const runs = await store.listToolRuns(sub.data.taskId);
      expect(runs.map((r) => [r.attempt, r.status, r.mem_bytes])).toEqual([
        [1, 'failed', t.memBytes],
        [2, 'pending', t.memBytes * 2],
      ]);
      for (let i = 0; seen.length === 0; i++) {
        if (i > 1000) throw new Error('no tool.retrying came');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(seen.map((e) => [e.id, (e.data as { resources: { memBytes: number } }).resources.memBytes])).toEqual([[`retrying/${sub.data.taskId}/a/2`, t.memBytes * 2]]);
    } finally {
      fn?.child.kill('SIGTERM');
      await watcher.close();
      await store.close();
      await db.drop();
      await deleteAmqpNamespace(prefix, [`${prefix}-watch`]);
    }
  });
});

describe('toolflow function refuses what it cannot run', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    exec('node', [BIN, 'function', ...args], { env: { ...process.env, TOOLFLOW_HOME: home, ...env } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it('an unknown name, with the list of event functions (exit 2)', async () => {
    expect(await run(['enqueu'])).toEqual({ code: 2, stderr: 'toolflow: no event function "enqueu"; the event functions are enqueue, start-workflow, schedule-tool, handle-status, rerun-policy, notify\n' });
    expect((await run(['upload'])).stderr).toContain('upload answers requests rather than events: run node dist/functions/upload/index.js');
  });

  it('a task-host function outside cluster mode, saying it runs on its own only in cluster mode, else in toolflow dev (exit 2)', async () => {
    for (const name of ['start-workflow', 'schedule-tool']) {
      const r = await run([name]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${name} acts on the work managers and executor of the process that hosts a task`);
      expect(r.stderr).toContain('so it runs on its own only in cluster mode (TOOLFLOW_EXECUTOR=kubernetes');
      expect(r.stderr).toContain('otherwise it runs in `toolflow dev`');
    }
  });

  it('a shared function with nowhere to publish (no TOOLFLOW_AMQP_URL, no K_SINK), saying what to set (exit 2)', async () => {
    const r = await run(['handle-status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('function handle-status publishes the events it causes to RabbitMQ or to K_SINK: set TOOLFLOW_AMQP_URL');
  });

  it('a port that is not one (exit 2)', async () => {
    const r = await run(['enqueue', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"0" is not a port number (1 to 65535)');
  });
});
