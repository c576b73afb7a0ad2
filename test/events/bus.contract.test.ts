import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { connect as amqpConnect } from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { amqpNames, fromMessage, toMessage } from '../../shared/events/amqp-binding.js';
import type { EventBus } from '../../shared/events/bus.js';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { MemoryBus } from '../../shared/events/memory-bus.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { AMQP_URL, deleteAmqpNamespace, requireRabbitmq, runPrefix, skipped } from '../support/services.js';

const log = pino({ level: 'silent' });
const prefix = runPrefix();
/** This run's own exchange and queues on the shared broker. */
const names = amqpNames(prefix);
const queueName = names.queue;
const DEAD_LETTER_QUEUE = names.deadLetterQueue;
const EVENTS_EXCHANGE = names.exchange;
const consumers: string[] = [];
/** A consumer name unique to this run (durable queues are shared by every run on the broker). */
const name = (n: string) => {
  const c = `${prefix}-${n}`;
  consumers.push(c);
  return c;
};

const started = (taskId: string, tool: string) => makeEvent(EventType.toolStarted, '/test', { taskId, tool, attempt: 1, at: Date.now() });
const until = async (test: () => boolean, ms = 15_000) => {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const amqpBuses: AmqpBus[] = [];
async function openAmqp(extra: Partial<Parameters<typeof AmqpBus.connect>[0]> = {}): Promise<AmqpBus> {
  const bus = await AmqpBus.connect({ url: AMQP_URL, log, namespace: prefix, deliveryLimit: 3, ...extra });
  amqpBuses.push(bus);
  return bus;
}

const ADAPTERS = [
  { name: 'memory', open: async (): Promise<EventBus> => new MemoryBus(log) },
  { name: 'rabbitmq', open: (): Promise<EventBus> => openAmqp() },
];

beforeAll(async () => {
  if (!skipped('rabbitmq')) await requireRabbitmq();
});
afterAll(async () => {
  await Promise.all(amqpBuses.map((b) => b.close()));
  if (!skipped('rabbitmq')) await deleteAmqpNamespace(prefix, consumers);
});

/** The bus contract: the same suite against every adapter. */
describe.each(ADAPTERS.filter((a) => !skipped(a.name)))('bus contract: $name', ({ open }) => {
  it('delivers each event of a consumer’s types once, in publish order, and only those', async () => {
    const bus = await open();
    const got: ToolflowEvent[] = [];
    bus.subscribe(name('order'), [EventType.toolStarted], async (e) => void got.push(e));
    const events = Array.from({ length: 50 }, (_, i) => started('task1', `t${i}`));
    await bus.publish([...events, makeEvent(EventType.taskQueued, '/test', { taskId: 'task1' })]);
    await until(() => got.length >= 50);
    await bus.idle();
    expect(got.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(got[3]).toEqual(events[3]);
    await bus.close();
  });

  it('gives every consumer its own copy, and a task-scoped consumer only its task’s events', async () => {
    const bus = await open();
    const a: string[] = [];
    const b: string[] = [];
    const scoped: string[] = [];
    bus.subscribe(name('copy-a'), [EventType.toolStarted], async (e) => void a.push(e.subject!));
    bus.subscribe(name('copy-b'), [EventType.toolStarted], async (e) => void b.push(e.subject!));
    const off = bus.subscribe(name('scoped/x.1'), [EventType.toolStarted], async (e) => void scoped.push(e.subject!), { taskId: 'x.1' });
    await bus.publish([started('x.1', 'a'), started('x_1', 'b'), started('y', 'c'), started('x.1', 'd')]);
    await until(() => a.length === 4 && b.length === 4 && scoped.length === 2);
    await bus.idle();
    expect(scoped).toEqual(['x.1/a', 'x.1/d']);
    expect(b).toEqual(a);
    off();
    await bus.close();
  });

  it('delivers again an event whose handler failed, and bounds a handler that always fails', async () => {
    const bus = await open();
    const calls = new Map<string, number>();
    bus.subscribe(name('retry'), [EventType.toolStarted], async (e) => {
      const n = (calls.get(e.subject!) ?? 0) + 1;
      calls.set(e.subject!, n);
      if (e.subject === 'r/flaky' && n === 1) throw new Error('first delivery fails');
      if (e.subject === 'r/poison') throw new Error('always fails');
    });
    await bus.publish([started('r', 'poison'), started('r', 'flaky'), started('r', 'fine')]);
    await until(() => calls.get('r/fine') === 1 && calls.get('r/flaky') === 2);
    await bus.idle();
    await new Promise((r) => setTimeout(r, 300));
    expect(calls.get('r/poison')).toBeGreaterThanOrEqual(2);
    expect(calls.get('r/poison')).toBeLessThanOrEqual(4);
    expect(calls.get('r/flaky')).toBe(2);
    await bus.close();
  });

  it('idle() waits for handlers still running', async () => {
    const bus = await open();
    let done = false;
    bus.subscribe(name('idle'), [EventType.toolStarted], async () => {
      await new Promise((r) => setTimeout(r, 200));
      done = true;
    });
    await bus.publish([started('i', 'slow')]);
    await new Promise((r) => setTimeout(r, 20));
    await bus.idle();
    expect(done).toBe(true);
    await bus.close();
  });

  it('idle() does not wait for a background subscription (an observer), which still gets every event', async () => {
    const bus = await open();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    let foreground = 0;
    bus.subscribe(name('observer'), [EventType.toolStarted], async (e) => {
      seen.push((e.data as { tool: string }).tool);
      await held;
    }, { background: true });
    bus.subscribe(name('flow'), [EventType.toolStarted], async () => {
      foreground++;
    });
    await bus.publish([started('b', 'one'), started('b', 'two')]);
    await until(() => foreground === 2 && seen.length === 1);
    await bus.idle(); // resolves while the observer is held on its first event
    expect(seen).toEqual(['one']);
    release();
    await until(() => seen.length === 2);
    expect(seen).toEqual(['one', 'two']);
    await bus.close();
  });
});

describe.skipIf(skipped('rabbitmq'))('RabbitMQ bus', () => {
  it('carries a CloudEvent as documented: body = data, messageId = id, ce-* headers, routing key <type>.<task>', async () => {
    const event = makeEvent(EventType.toolSucceeded, '/test', { taskId: 'ab12', tool: 'qc', attempt: 2 }, 'succeeded/ab12/qc/2');
    const bus = await openAmqp();
    const c = await amqpConnect(AMQP_URL);
    const ch = await c.createChannel();
    const q = name('raw');
    await ch.assertQueue(queueName(q), { exclusive: true });
    await ch.bindQueue(queueName(q), EVENTS_EXCHANGE, 'io.toolflow.tool.succeeded.ab12');
    await bus.publish([event]);
    let msg: Awaited<ReturnType<typeof ch.get>> = false;
    for (let i = 0; i < 100 && !msg; i++) {
      msg = await ch.get(queueName(q), { noAck: true });
      if (!msg) await new Promise((r) => setTimeout(r, 20));
    }
    expect(msg).not.toBe(false);
    if (!msg) return;
    expect(msg.fields.routingKey).toBe('io.toolflow.tool.succeeded.ab12');
    expect(msg.properties.messageId).toBe('succeeded/ab12/qc/2');
    expect(msg.properties.contentType).toBe('application/json');
    expect(msg.properties.deliveryMode).toBe(2);
    expect(msg.properties.headers).toMatchObject({ 'ce-specversion': '1.0', 'ce-id': event.id, 'ce-type': event.type, 'ce-source': '/test', 'ce-subject': 'ab12/qc' });
    expect(JSON.parse(msg.content.toString())).toEqual(event.data);
    expect(fromMessage(msg)).toEqual(event);
    expect(() => fromMessage({ content: Buffer.from('{}'), properties: { ...toMessage(event).options, headers: {} } as never })).toThrow(/not a CloudEvent: header ce-specversion is missing/);
    await c.close();
  });

  it('dead-letters a message that keeps failing into toolflow.dead-letters', async () => {
    const bus = await openAmqp();
    const event = started('dl', 'poison');
    bus.subscribe(name('dead'), [EventType.toolStarted], async () => {
      throw new Error('always fails');
    });
    await bus.publish([event]);
    const c = await amqpConnect(AMQP_URL);
    const ch = await c.createChannel();
    let found: ToolflowEvent | undefined;
    for (let i = 0; i < 300 && !found; i++) {
      const msg = await ch.get(DEAD_LETTER_QUEUE, { noAck: false });
      if (!msg) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (msg.properties.messageId === event.id) {
        found = fromMessage(msg);
        ch.ack(msg);
      } else ch.nack(msg, false, true);
    }
    expect(found?.id).toBe(event.id);
    await c.close();
  });

  it('redelivers what a consumer took but never acked (the consumer died before its ack)', async () => {
    const consumer = name('crash');
    const first = await openAmqp();
    let seen = 0;
    first.subscribe(consumer, [EventType.toolStarted], () => {
      seen++;
      return new Promise(() => undefined); // never done: the process "dies" before the ack
    });
    const event = started('crash', 'a');
    await first.publish([event]);
    await until(() => seen === 1);
    await first.close();
    const second = await openAmqp();
    const got: ToolflowEvent[] = [];
    second.subscribe(consumer, [EventType.toolStarted], async (e) => void got.push(e));
    await until(() => got.length === 1);
    expect(got[0]!.id).toBe(event.id);
  });

  it('reconnects after every broker connection is closed, and confirms what was published meanwhile', async () => {
    const bus = await openAmqp();
    const got: string[] = [];
    bus.subscribe(name('reconnect'), [EventType.toolStarted], async (e) => void got.push(e.subject!));
    await bus.publish([started('rc', 'before')]);
    await until(() => got.length === 1);
    execFileSync('rabbitmqctl', ['-q', 'close_all_connections', 'toolflow test: reconnect'], { stdio: 'ignore' });
    // Published while the connection is down or coming back: confirmed after the reconnect.
    await bus.publish([started('rc', 'during')]);
    await until(() => got.includes('rc/during'), 30_000);
    await bus.publish([started('rc', 'after')]);
    await until(() => got.includes('rc/after'));
    expect(got.filter((s) => s === 'rc/before')).toHaveLength(1);
  });

  it('returns a publish made during an outage to its caller as an error, and recovers when the broker is back', async () => {
    const broker = new URL(AMQP_URL);
    const proxy = await startTcpProxy(broker.hostname, Number(broker.port || 5672));
    const url = `${broker.protocol}//${broker.username}:${broker.password}@127.0.0.1:${proxy.port}${broker.pathname}`;
    const bus = await openAmqp({ url, publishTimeoutMs: 1500 });
    const got: string[] = [];
    bus.subscribe(name('outage'), [EventType.toolStarted], async (e) => void got.push(e.subject!));
    await bus.publish([started('out', 'before')]);
    await until(() => got.length === 1);
    proxy.cut();
    const err = await bus.publish([started('out', 'lost')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as Error).message).toMatch(/RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+ is unreachable/);
    proxy.restore();
    // Reconnect backoff may by now exceed this bus's short publish timeout: try until it is back.
    for (let i = 0; ; i++) {
      const sent = await bus.publish([started('out', 'after')]).then(() => true, () => false);
      if (sent) break;
      if (i > 20) throw new Error('the bus did not come back');
    }
    await until(() => got.includes('out/after'), 30_000);
    expect(got).toEqual(['out/before', 'out/after']);
    await proxy.close();
  });

  it('gives up on a server that takes the connection but never speaks AMQP', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    try {
      const err = await AmqpBus.connect({ url: `amqp://guest:pw@127.0.0.1:${port}`, log, connectTimeoutMs: 500 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect((err as Error).message).toBe(`RabbitMQ at amqp://guest:***@127.0.0.1:${port} is unreachable: no AMQP handshake within 500 ms`);
    } finally {
      silent.close();
    }
  });

  it('says so when the broker refuses the virtual host', async () => {
    const err = await AmqpBus.connect({ url: `${AMQP_URL}/no-such-vhost-${prefix}`, log, initialAttempts: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as Error).message).toMatch(/is unreachable: the broker refused the connection \(unknown virtual host, or no access to it\)/);
  });

  it('fails at start-up with the broker’s URL, password masked', async () => {
    const err = await AmqpBus.connect({ url: 'amqp://guest:s3cret@127.0.0.1:1', log, initialAttempts: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(String((err as Error).message)).toMatch(/^RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 is unreachable/);
    expect(String((err as Error).message)).not.toContain('s3cret');
  });
});
