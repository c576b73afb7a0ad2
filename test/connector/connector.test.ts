/**
 * The connector against a real RabbitMQ on loopback (a namespace of its own per test) and small
 * HTTP functions started here (`function-server.ts`). Counts and order are asserted, never times.
 */
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { connect as amqpConnect, type Channel, type ChannelModel } from 'amqplib';
import { CloudEvent, HTTP } from 'cloudevents';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Connector, type ConnectorOptions, type ConnectorTarget } from '../../shared/connector/connector.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { amqpNames, fromMessage } from '../../shared/events/amqp-binding.js';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { DELIVERY_LIMIT } from '../../shared/events/amqp-topology.js';
import type { DeadLetter } from '../../shared/events/bus.js';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { handleStatus } from '../../shared/handlers/handle-status.js';
import { startWorkflow } from '../../shared/handlers/start-workflow.js';
import { AMQP_URL, deleteAmqpNamespace, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { freePort, startFunction, type FunctionServer } from './function-server.js';

const prefix = runPrefix();
const namespaces: string[] = [];
let admin: ChannelModel;
let ch: Channel;

/** What the connector logged (pino JSON lines). */
type LogLine = { msg: string; err?: unknown; retryInMs?: number; delivery?: number; attempt?: number; try?: number; consumer?: string };

/** One test's world: its namespace, a bus to publish with, the connectors and functions to stop. */
interface World {
  ns: string;
  bus: AmqpBus;
  logs: LogLine[];
  deadLetters: DeadLetter[];
  open(targets: ConnectorTarget[], extra?: Partial<ConnectorOptions>): Promise<Connector>;
  queue(fn: string): string;
}
const cleanups: (() => Promise<void>)[] = [];

async function world(name: string): Promise<World> {
  const ns = `${prefix}-${name}`;
  namespaces.push(ns);
  const logs: LogLine[] = [];
  const deadLetters: DeadLetter[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const bus = await AmqpBus.connect({ url: AMQP_URL, log: pino({ level: 'silent' }), namespace: ns });
  cleanups.push(() => bus.close());
  return {
    ns,
    bus,
    logs,
    deadLetters,
    queue: (fn) => amqpNames(ns).queue(fn),
    async open(targets, extra = {}) {
      const c = await Connector.start({ amqpUrl: AMQP_URL, namespace: ns, log, targets, ...extra });
      c.onDeadLetter((d) => deadLetters.push(d));
      cleanups.push(() => c.close());
      return c;
    },
  };
}

async function fn(answer: Parameters<typeof startFunction>[0], port?: number): Promise<FunctionServer> {
  const f = await startFunction(answer, port);
  cleanups.push(() => f.close());
  return f;
}

const target = (f: { url: string } | string, concurrency = 1, def = handleStatus): ConnectorTarget => ({
  function: def.name,
  types: def.consumes,
  url: typeof f === 'string' ? f : f.url,
  concurrency,
});
const started = (taskId: string, tool: string) => makeEvent(EventType.toolStarted, '/test', { taskId, tool, attempt: 1, at: Date.now() });
const until = async (test: () => boolean | Promise<boolean>, what: string, ms = 30_000) => {
  for (const t0 = Date.now(); !(await test()); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
  }
};
/** Messages of a queue, ready and unacked together (rabbitmqctl: AMQP's queue.declare counts only ready ones). */
function total(queue: string): number {
  const line = execFileSync('rabbitmqctl', ['-q', 'list_queues', '--no-table-headers', 'name', 'messages'], { encoding: 'utf8', timeout: 30_000 })
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find(([name]) => name === queue);
  if (!line) throw new Error(`no queue ${queue}`);
  return Number(line[1]);
}
/** Ready messages of a queue (unacked ones are not counted: close the connector first to see them). */
const ready = async (queue: string) => (await ch.checkQueue(queue)).messageCount;
/** Takes every message of the namespace's dead-letter queue. */
async function takeDeadLetters(ns: string): Promise<{ event: ToolflowEvent; reason: unknown }[]> {
  const out = [];
  for (let msg = await ch.get(amqpNames(ns).deadLetterQueue); msg; msg = await ch.get(amqpNames(ns).deadLetterQueue)) {
    const death = (msg.properties.headers?.['x-death'] as { reason?: unknown }[] | undefined)?.[0];
    out.push({ event: fromMessage(msg), reason: death?.reason });
    ch.ack(msg);
  }
  return out;
}
async function waitForDeadLetter(ns: string): Promise<{ event: ToolflowEvent; reason: unknown }[]> {
  let got: Awaited<ReturnType<typeof takeDeadLetters>> = [];
  await until(async () => (got = await takeDeadLetters(ns)).length > 0, 'a dead letter');
  return got;
}

beforeAll(async () => {
  if (skipped('rabbitmq')) return;
  await requireRabbitmq();
  admin = await amqpConnect(AMQP_URL);
  ch = await admin.createChannel();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(async () => {
  if (skipped('rabbitmq')) return;
  await admin?.close();
  for (const ns of namespaces) await deleteAmqpNamespace(ns, [handleStatus.name, startWorkflow.name]);
});

describe.skipIf(skipped('rabbitmq'))('toolflow connector', () => {
  it('POSTs each event once and acks on 2xx: the queue empties', async () => {
    const w = await world('ack');
    const statuses = [200, 202, 204];
    const f = await fn((n) => ({ status: statuses[n % 3]! }));
    const c = await w.open([target(f, 4)]);
    const events = Array.from({ length: 6 }, (_, i) => started('ack', `t${i}`));
    await w.bus.publish(events);
    await until(() => f.received.length === 6, 'six requests');
    await until(() => c.inFlight === 0, 'the acks');
    expect(f.received.map((r) => r.id).sort()).toEqual(events.map((e) => e.id).sort());
    // Neither ready nor unacked: acked, while the connector still runs.
    await until(() => total(w.queue('handle-status')) === 0, 'the queue to empty');
    await c.close(); // anything unacked would now be back in the queue
    expect(await ready(w.queue('handle-status'))).toBe(0);
    expect(f.received).toHaveLength(6);
    expect(w.deadLetters).toEqual([]);
  });

  it('sends the CloudEvent exactly, in binary mode (read back with the SDK’s HTTP.toEvent), to the URL as given', async () => {
    const w = await world('binary');
    const f = await fn(() => ({ status: 202 }));
    await w.open([target(f)]);
    const event: ToolflowEvent = { ...started('bin', 'qc'), fencetoken: '42' };
    await w.bus.publish([event]);
    await until(() => f.received.length === 1, 'the request');
    const r = f.received[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/functions/test?from=connector');
    const expected = HTTP.binary(new CloudEvent(event as never));
    for (const [k, v] of Object.entries(expected.headers)) expect(r.headers[k]).toBe(v);
    expect(Object.keys(r.headers).filter((k) => k.startsWith('ce-')).sort()).toEqual(Object.keys(expected.headers).filter((k) => k.startsWith('ce-')).sort());
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual(event.data);
    expect(r.event).not.toBeInstanceOf(Error);
    const got = Object.fromEntries(Object.entries((r.event as CloudEvent<unknown>).toJSON()).filter(([, v]) => v !== undefined));
    expect(got).toEqual(event);
  });

  it('delivers again on 503, with growing pauses, and acks the 202 that follows', async () => {
    const w = await world('unavailable');
    const f = await fn((n) => (n < 3 ? { status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: 'MySQL at mysql://root@db is unreachable' } } : { status: 202 }));
    const c = await w.open([target(f)]);
    const event = started('u', 'a');
    await w.bus.publish([event]);
    await until(() => f.received.length === 4, 'four requests');
    await until(() => c.inFlight === 0, 'the ack');
    expect(f.received.map((r) => r.id)).toEqual([event.id, event.id, event.id, event.id]);
    const retries = w.logs.filter((l) => l.msg === 'a backend is unavailable; handling the event again soon');
    expect(retries.map((l) => l.try)).toEqual([1, 2, 3]);
    const pauses = retries.map((l) => l.retryInMs!);
    expect(pauses).toHaveLength(3);
    expect(pauses[0]! < pauses[1]! && pauses[1]! < pauses[2]!).toBe(true);
    expect(String(retries[0]!.err)).toContain('function handle-status at http://127.0.0.1:');
    expect(String(retries[0]!.err)).toContain('is unavailable: 503 SERVICE_UNAVAILABLE: MySQL at mysql://root@db is unreachable');
    await c.close();
    expect(await ready(w.queue('handle-status'))).toBe(0);
    expect(w.deadLetters).toEqual([]);
  });

  it('gives up on a function that hangs after the timeout and delivers the event again', async () => {
    const w = await world('timeout');
    const f = await fn((n) => (n === 0 ? 'hold' : { status: 202 }));
    const c = await w.open([target(f)], { timeoutMs: 300 });
    const event = started('h', 'a');
    await w.bus.publish([event]);
    await until(() => f.received.length === 2, 'the second request');
    await until(() => c.inFlight === 0, 'the ack');
    expect(f.received.map((r) => r.id)).toEqual([event.id, event.id]);
    expect(f.held()).toBe(0); // the connector closed the first request when it gave up on it
    const failed = w.logs.filter((l) => l.msg === 'event handler failed');
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed[0]!.err)).toContain(`did not answer event ${event.id} (${event.type}) within 300 ms`);
    await c.close();
    expect(await ready(w.queue('handle-status'))).toBe(0);
  });

  it('keeps trying a function that refuses connections, and delivers once it is up', async () => {
    const w = await world('refused');
    const port = await freePort();
    const c = await w.open([target(`http://127.0.0.1:${port}/functions/handle-status`)]);
    const event = started('r', 'a');
    await w.bus.publish([event]);
    const refusals = () => w.logs.filter((l) => l.msg === 'a backend is unavailable; handling the event again soon');
    await until(() => refusals().length >= 1, 'a refused connection');
    expect(String(refusals()[0]!.err)).toMatch(/function handle-status at http:\/\/127\.0\.0\.1:\d+\/functions\/handle-status is unreachable: ECONNREFUSED/);
    const f = await fn(() => ({ status: 202 }), port);
    await until(() => f.received.length === 1, 'the delivery');
    await until(() => c.inFlight === 0, 'the ack');
    await c.close();
    expect(f.received.map((r) => r.id)).toEqual([event.id]);
    expect(await ready(w.queue('handle-status'))).toBe(0);
    expect(w.deadLetters).toEqual([]);
  });

  it('dead-letters an event the function refuses with 400 at once, without another delivery', async () => {
    const w = await world('invalid');
    const f = await fn(() => ({ status: 400, body: { code: 'EVENT_INVALID', message: 'io.toolflow.tool.started: data.attempt must be integer' } }));
    const c = await w.open([target(f)]);
    const event = started('i', 'a');
    await w.bus.publish([event]);
    const dead = await waitForDeadLetter(w.ns);
    expect(dead.map((d) => [d.event.id, d.reason])).toEqual([[event.id, 'rejected']]);
    await until(() => c.inFlight === 0, 'the nack');
    expect(f.received).toHaveLength(1);
    expect(w.deadLetters.map((d) => d.error)).toEqual([expect.stringContaining('refused event ' + event.id + ' (io.toolflow.tool.started) as invalid: 400 EVENT_INVALID: io.toolflow.tool.started: data.attempt must be integer')]);
    await c.close();
    expect(await ready(w.queue('handle-status'))).toBe(0);
    expect(f.received).toHaveLength(1);
  });

  it(`dead-letters an event that always fails with 500 after the delivery limit (${DELIVERY_LIMIT} redeliveries), pausing longer each time`, async () => {
    const w = await world('limit');
    const f = await fn(() => ({ status: 500, body: { code: 'INTERNAL', message: 'boom' } }));
    const c = await w.open([target(f)]);
    const event = started('l', 'a');
    await w.bus.publish([event]);
    const dead = await waitForDeadLetter(w.ns);
    expect(dead.map((d) => d.event.id)).toEqual([event.id]);
    await until(() => c.inFlight === 0, 'the last reject');
    expect(f.received.map((r) => r.id)).toEqual(Array(DELIVERY_LIMIT + 1).fill(event.id));
    const failures = w.logs.filter((l) => l.msg === 'event handler failed');
    expect(failures.map((l) => l.delivery)).toEqual([1, 2, 3, 4, 5]);
    const pauses = failures.map((l) => l.retryInMs!);
    for (let i = 1; i < pauses.length; i++) expect(pauses[i]!).toBeGreaterThan(pauses[i - 1]!);
    expect(w.logs.filter((l) => l.msg.startsWith('event handler failed for the last time')).map((l) => l.delivery)).toEqual([DELIVERY_LIMIT + 1]);
    expect(w.deadLetters.map((d) => [d.event.id, d.deliveries])).toEqual([[event.id, DELIVERY_LIMIT + 1]]);
    expect(JSON.stringify(failures[0]!.err)).toContain(`failed on event ${event.id} (io.toolflow.tool.started): 500 INTERNAL: boom`);
  });

  it('keeps at most N requests in flight per function', async () => {
    const w = await world('concurrency');
    // Each function holds its requests until as many as its limit are in flight (or nothing more
    // comes for a while), so a connector that sent more would be caught with them.
    const holding = (limit: number) => {
      let timer: NodeJS.Timeout | undefined;
      const server = { f: undefined as FunctionServer | undefined };
      const answer = () => {
        const f = server.f!;
        clearTimeout(timer);
        if (f.held() + 1 >= limit) setImmediate(() => f.release(202));
        else timer = setTimeout(() => f.release(202), 200);
        return 'hold' as const;
      };
      return { server, answer };
    };
    const three = holding(3);
    const one = holding(1);
    three.server.f = await fn(three.answer);
    one.server.f = await fn(one.answer);
    const c = await w.open([target(three.server.f, 3), target(one.server.f, 1, startWorkflow)]);
    await w.bus.publish([
      ...Array.from({ length: 12 }, (_, i) => started('cc', `t${i}`)),
      ...Array.from({ length: 4 }, (_, i) => makeEvent(EventType.taskQueued, '/test', { taskId: `q${i}` })),
    ]);
    await until(() => three.server.f!.received.length === 12 && one.server.f!.received.length === 4, 'every request');
    await until(() => c.inFlight === 0, 'the acks');
    expect(three.server.f.maxInFlight()).toBe(3);
    expect(one.server.f.maxInFlight()).toBe(1);
    expect(Math.max(...three.server.f.received.map((r) => r.inFlightAtArrival))).toBe(3);
  });

  it('sends the events of one subject one at a time, in order, whatever the concurrency', async () => {
    const w = await world('order');
    const f = await fn(() => ({ status: 202 }));
    const c = await w.open([target(f, 8)]);
    const events = Array.from({ length: 10 }, () => started('o', 'same-tool'));
    await w.bus.publish(events);
    await until(() => f.received.length === 10, 'every request');
    await until(() => c.inFlight === 0, 'the acks');
    expect(f.received.map((r) => r.id)).toEqual(events.map((e) => e.id));
    expect(f.maxInFlight()).toBe(1);
  });

  it('stops gracefully: finishes the request in flight (acked on its 202), gives back what it had not started', async () => {
    const w = await world('shutdown');
    const f = await fn(() => 'hold');
    const c = await w.open([target(f, 2)]);
    const events = Array.from({ length: 3 }, () => started('s', 'one-tool')); // one subject: one at a time
    await w.bus.publish(events);
    await until(() => f.held() === 1, 'the first request');
    const closing = c.close();
    // The buffered second event is given back (ready again, with the third that was never
    // delivered) before the function answers the first. (RabbitMQ 3.10 still counts a cancelled
    // consumer of a quorum queue while it holds unacked messages, so consumerCount cannot tell.)
    await until(async () => (await ready(w.queue('handle-status'))) === 2, 'the give-back');
    expect(f.received).toHaveLength(1);
    f.release(202);
    await closing;
    expect(f.received.map((r) => r.id)).toEqual([events[0]!.id]);
    // The first was acked; the second (buffered, given back) and the third are in the queue.
    const left: string[] = [];
    for (let msg = await ch.get(w.queue('handle-status')); msg; msg = await ch.get(w.queue('handle-status'))) {
      left.push(fromMessage(msg).id);
      ch.ack(msg);
    }
    expect(left.sort()).toEqual([events[1]!.id, events[2]!.id].sort());
  });

  it('stops gracefully while waiting out an unavailable function: the event is given back, not held', async () => {
    const w = await world('shutdown-outage');
    const f = await fn(() => ({ status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: 'etcd is down' } }));
    const c = await w.open([target(f)]);
    const event = started('so', 'a');
    await w.bus.publish([event]);
    await until(() => w.logs.some((l) => l.msg === 'a backend is unavailable; handling the event again soon'), 'the first 503');
    await c.close(); // ends the wait (up to 15 s between tries otherwise) at once
    const asked = f.received.length;
    expect(asked).toBeGreaterThanOrEqual(1);
    // The broker counts the returned message a moment after the connector's nack (quorum queues are Raft logs).
    await until(async () => (await ready(w.queue('handle-status'))) === 1, 'the event back in its queue');
    const msg = await ch.get(w.queue('handle-status'));
    expect(msg && fromMessage(msg).id).toBe(event.id);
    if (msg) ch.ack(msg);
    expect(f.received).toHaveLength(asked);
    expect(w.deadLetters).toEqual([]);
  });

  it('shares a queue with the bus’s consumer of the same name: same arguments, competing consumers, each event handled once', async () => {
    const w = await world('shared');
    const byBus: string[] = [];
    w.bus.subscribe(handleStatus.name, handleStatus.consumes, async (e) => void byBus.push(e.id));
    await w.bus.publish([started('sh', 'warm-up')]); // the bus's queue is declared first
    await until(() => byBus.length === 1, 'the bus’s consumer');
    const f = await fn(() => ({ status: 202 }));
    await w.open([target(f, 4)]);
    const events = Array.from({ length: 20 }, (_, i) => started('sh', `t${i}`));
    await w.bus.publish(events);
    await until(() => byBus.length - 1 + f.received.length === 20, 'every event');
    await w.bus.idle();
    expect([...byBus.slice(1), ...f.received.map((r) => r.id)].sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('refuses to start on a queue declared with other arguments, saying so', async () => {
    const w = await world('mismatch');
    const f = await fn(() => ({ status: 202 }));
    await (await w.open([target(f)])).close();
    const err = await w.open([target(f)], { deliveryLimit: 3, initialAttempts: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as Error).message).toMatch(/^RabbitMQ at amqp:\/\/guest:\*\*\*@.* is unreachable: a queue exists with other arguments than toolflow declares .*use another TOOLFLOW_NAMESPACE, or delete the queue/);
  });
});
