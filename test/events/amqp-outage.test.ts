import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { openStore } from '../../shared/store/open-store.js';
import type { KyselyStore } from '../../shared/store/kysely-store.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/**
 * A process cut off from the database stops taking the work of the shared queues, so processes that
 * can reach it take that work, and takes it again once the database answers. Real RabbitMQ and
 * MariaDB on loopback; the cut is a TCP proxy between one process's store and the server. This file
 * never closes other connections of the broker: it uses a namespace of its own.
 */
const log = pino({ level: 'silent' });
const namespace = runPrefix();
const consumer = `${namespace}-shared`;
const until = async (test: () => boolean, ms: number, what: string) => {
  for (const t0 = Date.now(); !test(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
  }
};

describe.skipIf(skipped('rabbitmq') || skipped('mysql'))('RabbitMQ bus while the database is down for one process', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let proxy: TcpProxy;
  let cutOff: KyselyStore;
  let reachable: KyselyStore;
  const buses: AmqpBus[] = [];
  beforeAll(async () => {
    await requireRabbitmq();
    db = await freshMysqlDatabase();
    const server = new URL(db.url);
    proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    cutOff = await openStore(viaProxy.toString());
    reachable = await openStore(db.url);
  });
  afterAll(async () => {
    await Promise.allSettled(buses.map((b) => b.close()));
    await cutOff?.close().catch(() => undefined);
    await reachable?.close();
    await proxy?.close();
    await db?.drop();
    await deleteAmqpNamespace(namespace, [consumer]);
  });

  /** A shared function's handler: records a task row per event in its process's store. */
  const handlerOf = (store: KyselyStore, done: string[]) => async (e: ToolflowEvent) => {
    const tool = (e.data as { tool: string }).tool;
    await store.createTask({ id: tool, owner: 'me', name: 'w', status: 'queued', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: Date.now(), started_at: null, finished_at: null }, []);
    done.push(tool);
  };
  const started = (tool: string) => makeEvent(EventType.toolStarted, '/test', { taskId: 'outage', tool, attempt: 1, at: Date.now() });

  it('gives back what it buffered, stops taking events while it waits, and takes them again once the database answers', { timeout: 120_000 }, async () => {
    const a = await AmqpBus.connect({ url: AMQP_URL, log, namespace, deliveryLimit: 5 });
    buses.push(a);
    const byA: string[] = [];
    a.subscribe(consumer, [EventType.toolStarted], handlerOf(cutOff, byA));
    proxy.cut(); // process A loses the database
    const first = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'];
    await a.publish(first.map(started));
    // A takes e1 (and buffers the rest), finds the database down, pauses and gives the rest back.
    await until(() => a.paused, 60_000, 'process A to pause its shared consumers');

    const b = await AmqpBus.connect({ url: AMQP_URL, log, namespace, deliveryLimit: 5 });
    buses.push(b);
    const byB: string[] = [];
    const offB = b.subscribe(consumer, [EventType.toolStarted], handlerOf(reachable, byB));
    await until(() => byB.length === 5, 30_000, 'process B to handle what A gave back');
    expect([...byB].sort()).toEqual(['e2', 'e3', 'e4', 'e5', 'e6']);
    expect(byA).toEqual([]);
    expect(a.paused).toBe(true); // A still waits on e1, and takes nothing new

    proxy.restore(); // the database answers A again: e1 goes through, and A consumes again
    await until(() => byA.includes('e1'), 60_000, 'process A to handle e1 once the database is back');
    await until(() => !a.paused, 10_000, 'process A to resume');
    offB();
    await b.idle();
    const later = ['e7', 'e8', 'e9'];
    await a.publish(later.map(started));
    await until(() => later.every((t) => byA.includes(t)), 30_000, 'process A to take new events again');
    expect(byA).toEqual(['e1', ...later]);
    const rows = await reachable.listTasks(100);
    expect(rows.map((r) => r.id).sort()).toEqual([...first, ...later].sort());
  });
});
