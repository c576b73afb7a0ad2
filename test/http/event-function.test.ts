/**
 * The HTTP contract of an event function (shared/http/event-function.ts), over HTTP on loopback, with
 * real MariaDB and RabbitMQ (a namespace of this file's own): binary and structured mode, 400
 * `EVENT_INVALID` for what can never be handled, 503 for a backend that is down, fencing, and
 * idempotency: the same CloudEvent POSTed twice leaves one effect and publishes the same events
 * (same ids) twice at most. The function runs in the raw server (the OpenFaaS path); the
 * faas-js-runtime path (`toolflow function`) is function-process.test.ts.
 */
import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { enqueue } from '../../shared/handlers/enqueue.js';
import type { FunctionDef } from '../../shared/handlers/handler.js';
import { handleStatus } from '../../shared/handlers/handle-status.js';
import { answerEvent } from '../../shared/http/event-function.js';
import { openFunctionPorts, type FunctionPorts } from '../../shared/http/function-ports.js';
import { serveRaw } from '../../shared/http/raw-server.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { openStore } from '../../shared/store/open-store.js';
import type { Store } from '../../shared/store/store.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { tempDir } from '../support/tmp.js';
import { binary, exited, post, structured, submitted, type Message } from './helpers.js';

const log = pino({ level: 'silent' });
const prefix = runPrefix();
const home = tempDir();
const WATCH = `${prefix}-watch`;

describe.skipIf(skipped('mysql') || skipped('rabbitmq'))('an event function over HTTP', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let store: Store;
  let ports: FunctionPorts;
  let watcher: AmqpBus;
  /** Events the functions published, as a consumer on the broker receives them. */
  const seen: ToolflowEvent[] = [];
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  let proxy: TcpProxy;
  let proxied: FunctionPorts;

  const env = (dbUrl: string) => ({ TOOLFLOW_HOME: home, TOOLFLOW_DATABASE_URL: dbUrl, TOOLFLOW_AMQP_URL: AMQP_URL, TOOLFLOW_NAMESPACE: prefix, TOOLFLOW_LOG_LEVEL: 'silent' });
  async function serve(fn: FunctionDef, p: FunctionPorts): Promise<string> {
    const server = await serveRaw((r) => answerEvent(fn, p, r), async () => undefined, 0, '127.0.0.1');
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }
  const until = async (test: () => boolean) => {
    for (let i = 0; !test(); i++) {
      if (i > 1500) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  beforeAll(async () => {
    await requireRabbitmq();
    db = await freshMysqlDatabase();
    ports = await openFunctionPorts('test', loadConfig(env(db.url)), log);
    store = await openStore(db.url);
    watcher = await AmqpBus.connect({ url: AMQP_URL, namespace: prefix, log });
    watcher.subscribe(WATCH, [EventType.taskQueued, EventType.toolSucceeded], async (e) => void seen.push(e));
    await watcher.idle();
    urls.enqueue = await serve(enqueue, ports);
    urls['handle-status'] = await serve(handleStatus, ports);
    const u = new URL(db.url);
    proxy = await startTcpProxy(u.hostname, Number(u.port || 3306));
    proxied = await openFunctionPorts('test', loadConfig(env(`mysql://${u.username}@127.0.0.1:${proxy.port}${u.pathname}`)), log);
    urls.proxied = await serve(handleStatus, proxied);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await proxied?.close();
    await proxy?.close();
    await ports?.close();
    await watcher?.close();
    await store?.close();
    await db?.drop();
    await deleteAmqpNamespace(prefix, [WATCH]);
  });

  it('takes a CloudEvent in binary mode and in structured mode, on any path, and answers 202 with no body', async () => {
    const a = submitted();
    const b = submitted();
    const r1 = await post(`${urls.enqueue}/`, binary(a));
    const r2 = await post(`${urls.enqueue}/functions/enqueue`, structured(b));
    expect([r1.status, r1.text, r2.status, r2.text]).toEqual([202, '', 202, '']);
    expect((await store.getTask(a.data.taskId))?.status).toBe('queued');
    expect((await store.getTask(b.data.taskId))?.status).toBe('queued');
    await until(() => seen.filter((e) => e.type === EventType.taskQueued && [a.data.taskId, b.data.taskId].includes(e.subject)).length === 2);
  });

  it('refuses with 400 EVENT_INVALID what can never be handled, and changes nothing', async () => {
    const sub = submitted();
    const bin = binary(sub);
    const without = (m: Message, name: string): Message => ({ ...m, headers: Object.fromEntries(Object.entries(m.headers).filter(([k]) => k !== name)) });
    const badData = binary(makeEvent(EventType.taskSubmitted, '/test', { ...sub.data, spec: { ...sub.data.spec, tools: 'none' } } as never));
    const cases: [string, Message, string][] = [
      ['not a CloudEvent', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(sub.data) }, 'not a CloudEvent'],
      ['a structured body that is no event', { headers: { 'content-type': 'application/cloudevents+json' }, body: '{"hello": 1}' }, 'lacks id, source, type, specversion, subject, time'],
      ['a structured body that is not JSON', { headers: { 'content-type': 'application/cloudevents+json' }, body: '{bad' }, 'must be JSON'],
      ['a batch', { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: `[${structured(sub).body}]` }, 'one event per request'],
      ['no ce-time', without(bin, 'ce-time'), 'lacks ce-time'],
      ['data that is not JSON', { ...bin, body: '{"taskId":' }, 'data is not JSON'],
      ['an unknown type', { ...bin, headers: { ...bin.headers, 'ce-type': 'io.toolflow.task.exploded' } }, 'unknown event type "io.toolflow.task.exploded"'],
      ['a type it does not consume', binary(makeEvent(EventType.taskQueued, '/test', { taskId: sub.data.taskId })), 'enqueue does not take io.toolflow.task.queued events'],
      ['data its schema refuses', badData, 'io.toolflow.task.submitted: data.spec.tools must be array'],
    ];
    for (const [what, message, says] of cases) {
      const r = await post(urls.enqueue!, message);
      expect({ what, status: r.status, code: (r.body as { code?: string }).code }).toEqual({ what, status: 400, code: 'EVENT_INVALID' });
      expect((r.body as { message: string }).message, what).toContain(says);
    }
    expect(await store.getTask(sub.data.taskId)).toBeUndefined();
  });

  it('answers 405 to a GET, and the health paths to GETs', async () => {
    expect((await fetch(urls.enqueue!)).status).toBe(405);
    expect((await fetch(`${urls.enqueue}/health/liveness`)).status).toBe(200);
    expect((await fetch(`${urls.enqueue}/health/readiness`)).status).toBe(200);
  });

  it('enqueue: the same task.submitted POSTed twice records one task and publishes task.queued twice at most, with one id', async () => {
    const sub = submitted(2);
    const id = sub.data.taskId;
    expect((await post(urls.enqueue!, binary(sub))).status).toBe(202);
    expect((await post(urls.enqueue!, structured(sub))).status).toBe(202);
    expect((await store.listTasks(null)).filter((t) => t.id === id)).toHaveLength(1);
    expect((await store.listToolRuns(id)).map((r) => [r.tool, r.attempt, r.status])).toEqual([
      ['a', 1, 'pending'],
      ['b', 1, 'pending'],
    ]);
    await until(() => seen.filter((e) => e.subject === id).length >= 2);
    await watcher.idle();
    const queued = seen.filter((e) => e.subject === id);
    expect(queued.map((e) => [e.type, e.id])).toEqual([
      [EventType.taskQueued, `queued/${id}`],
      [EventType.taskQueued, `queued/${id}`],
    ]);
  });

  it('handle-status: the same tool.exited POSTed twice moves the attempt once and publishes tool.succeeded twice at most, with one id', async () => {
    const sub = submitted();
    const id = sub.data.taskId;
    expect((await post(urls.enqueue!, binary(sub))).status).toBe(202);
    const key = { taskId: id, tool: 'a', attempt: 1 };
    expect(await store.moveToolRun(key, 'ready', { delivered_at: Date.now() })).toBe(true); // as schedule-tool does
    const exit = exited(sub, 'a', Date.now());
    expect((await post(urls['handle-status']!, binary(exit))).status).toBe(202);
    expect((await post(urls['handle-status']!, binary(exit))).status).toBe(202);
    const runs = await store.listToolRuns(id);
    expect(runs.map((r) => [r.tool, r.attempt, r.status, r.exit_code, Number(r.finished_at)])).toEqual([['a', 1, 'succeeded', 0, exit.data.at]]);
    await until(() => seen.filter((e) => e.subject === `${id}/a`).length >= 2);
    await watcher.idle();
    expect(seen.filter((e) => e.subject === `${id}/a`).map((e) => [e.type, e.id])).toEqual([
      [EventType.toolSucceeded, `succeeded/${id}/a/1`],
      [EventType.toolSucceeded, `succeeded/${id}/a/1`],
    ]);
  });

  it('handles an event that carries a fencing token with a fenced store, and its events carry the token on', async () => {
    const sub = submitted();
    const id = sub.data.taskId;
    expect((await post(urls.enqueue!, binary(sub))).status).toBe(202);
    expect(await store.claimTask(id, 7)).toBe(true);
    await store.moveToolRun({ taskId: id, tool: 'a', attempt: 1 }, 'ready', { delivered_at: Date.now() });
    // A work manager fenced out (token 5 < 7) changes nothing and causes nothing.
    const stale = { ...exited(sub, 'a', Date.now()), fencetoken: '5' };
    expect((await post(urls['handle-status']!, binary(stale))).status).toBe(202);
    expect((await store.getToolRun({ taskId: id, tool: 'a', attempt: 1 }))?.status).toBe('ready');
    const current = { ...exited(sub, 'a', Date.now()), fencetoken: '7' };
    expect((await post(urls['handle-status']!, structured(current))).status).toBe(202);
    expect((await store.getToolRun({ taskId: id, tool: 'a', attempt: 1 }))?.status).toBe('succeeded');
    await until(() => seen.some((e) => e.subject === `${id}/a`));
    await watcher.idle();
    expect(seen.filter((e) => e.subject === `${id}/a`).map((e) => [e.id, e.fencetoken])).toEqual([[`succeeded/${id}/a/1`, '7']]);
  });

  it('answers 503 SERVICE_UNAVAILABLE while the database is down, and 202 to the same event once it is back', async () => {
    const sub = submitted();
    expect((await post(urls.enqueue!, binary(sub))).status).toBe(202);
    const skip = makeEvent(EventType.toolSkipped, '/test', { taskId: sub.data.taskId, tool: 'a', attempt: 1, because: 'a test' }, `skipped/${sub.data.taskId}/a/1`);
    proxy.cut();
    const down = await post(urls.proxied!, binary(skip));
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(Object.keys(down.body as object).sort()).toEqual(['code', 'message']);
    proxy.restore();
    expect((await post(urls.proxied!, binary(skip))).status).toBe(202);
    expect((await store.getToolRun({ taskId: sub.data.taskId, tool: 'a', attempt: 1 }))?.status).toBe('skipped');
  });
});
