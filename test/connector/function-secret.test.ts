/**
 * The connector and the function secret (`TOOLFLOW_FUNCTION_SECRET`), against a real RabbitMQ (a
 * namespace per test) and a small HTTP function here that takes only `Authorization: Bearer
 * <secret>`, as an event function with the secret does: the connector sends the secret it is
 * given; a 401 (the function takes another secret) is a failed delivery, delivered again and
 * dead-lettered past the delivery limit, never at once, and logged as a misconfiguration.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Connector } from '../../shared/connector/connector.js';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { DELIVERY_LIMIT } from '../../shared/events/amqp-topology.js';
import type { DeadLetter } from '../../shared/events/bus.js';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { handleStatus } from '../../shared/handlers/handle-status.js';
import { AMQP_URL, deleteAmqpNamespace, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { startFunction } from './function-server.js';

const SECRET = 'connector-test-secret-0123456789';
const prefix = runPrefix();
const namespaces: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(async () => {
  for (const ns of namespaces) await deleteAmqpNamespace(ns, [handleStatus.name]);
});

const until = async (test: () => boolean, what: string) => {
  for (const t0 = Date.now(); !test(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() - t0 > 60_000) throw new Error(`timed out waiting for ${what}`);
};

/** A connector (with `secret`) feeding a function that answers 401 unless it gets SECRET; what it logged and dead-lettered. */
async function setUp(name: string, secret: string | undefined) {
  await requireRabbitmq();
  const ns = `${prefix}-${name}`;
  namespaces.push(ns);
  const logs: { msg: string; err?: string; function?: string }[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, done) => (c.toString().split('\n').filter(Boolean).forEach((l) => logs.push(JSON.parse(l))), done()) }));
  const f = await startFunction((_n, r) => (r.headers.authorization === `Bearer ${SECRET}` ? { status: 202 } : { status: 401, body: { code: 'UNAUTHENTICATED', message: 'no bearer token' } }));
  cleanups.push(() => f.close());
  const bus = await AmqpBus.connect({ url: AMQP_URL, log: pino({ level: 'silent' }), namespace: ns });
  cleanups.push(() => bus.close());
  const connector = await Connector.start({ amqpUrl: AMQP_URL, namespace: ns, log, secret, targets: [{ function: handleStatus.name, types: handleStatus.consumes, url: f.url, concurrency: 1 }] });
  cleanups.push(() => connector.close());
  const deadLetters: DeadLetter[] = [];
  connector.onDeadLetter((d) => deadLetters.push(d));
  return { f, bus, connector, logs, deadLetters };
}

const started = (taskId: string) => makeEvent(EventType.toolStarted, '/test', { taskId, tool: 'a', attempt: 1, at: Date.now() });

describe.skipIf(skipped('rabbitmq'))('the connector and TOOLFLOW_FUNCTION_SECRET', () => {
  it('sends Authorization: Bearer <secret> with every event, and acks the 202', async () => {
    const { f, bus, connector, deadLetters } = await setUp('secret-ok', SECRET);
    const events = [started('s1'), started('s2')];
    await bus.publish(events);
    await until(() => f.received.length === 2 && connector.inFlight === 0, 'two deliveries acked');
    expect(f.received.map((r) => [r.id, r.headers.authorization])).toEqual(events.map((e) => [e.id, `Bearer ${SECRET}`]));
    expect(deadLetters).toEqual([]);
  });

  it('takes a 401 for a failed delivery, not an invalid event: delivered again up to the limit, logged as a misconfiguration', async () => {
    const { f, bus, connector, logs, deadLetters } = await setUp('secret-wrong', 'another-secret-entirely-0123456');
    const event = started('w1');
    await bus.publish([event]);
    await until(() => deadLetters.length === 1 && connector.inFlight === 0, 'the dead letter');
    // Not dead-lettered at once (as a 400 is): every allowed delivery was made.
    expect(f.received.map((r) => r.id)).toEqual(Array(DELIVERY_LIMIT + 1).fill(event.id));
    expect(deadLetters[0]!.deliveries).toBe(DELIVERY_LIMIT + 1);
    expect(deadLetters[0]!.error).toContain('401 UNAUTHENTICATED: no bearer token; it takes another secret: set the same TOOLFLOW_FUNCTION_SECRET on both');
    const misconfigured = logs.filter((l) => l.msg.startsWith('misconfiguration: the function refuses the connector'));
    expect(misconfigured.map((l) => l.function)).toEqual(Array(DELIVERY_LIMIT + 1).fill(handleStatus.name));
    expect(JSON.stringify(logs)).not.toContain('another-secret-entirely');
  });

  it('without a secret of its own, says to set TOOLFLOW_FUNCTION_SECRET on the connector', async () => {
    const { f, bus, deadLetters } = await setUp('secret-none', undefined);
    await bus.publish([started('n1')]);
    await until(() => deadLetters.length === 1, 'the dead letter');
    expect(f.received.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(deadLetters[0]!.error).toContain('this connector sends no secret: set TOOLFLOW_FUNCTION_SECRET here');
  });
});
