/**
 * The connector's metrics against the real RabbitMQ on loopback (a namespace of its own per test):
 * `toolflow_queue_depth` is what the broker says at scrape (messages ready in each queue the
 * connector consumes, and in the dead-letter queue), and an event the function refuses (400) is
 * dead-lettered and counted by function. Then `toolflow connector` as a process, with
 * `TOOLFLOW_METRICS_PORT`, serves the same over HTTP. Counts, not times.
 */
import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Connector, type ConnectorTarget } from '../../shared/connector/connector.js';
import { amqpNames } from '../../shared/events/amqp-binding.js';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { handleStatus } from '../../shared/handlers/handle-status.js';
import { startMetricsServer, type MetricsServer } from '../../shared/metrics/server.js';
import { startToolflow, until } from '../support/cli.js';
import { AMQP_URL, deleteAmqpNamespace, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { freePort, startFunction, type FunctionServer } from '../connector/function-server.js';
import { scrape, type Family } from './scrape.js';

const prefix = runPrefix();
const namespaces: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
let admin: ChannelModel;
let server: MetricsServer;

const depth = (f: Map<string, Family>, queue: string) => f.get('toolflow_queue_depth')?.samples.find((s) => s.labels.queue === queue)?.value;
const deadLettered = (f: Map<string, Family>, fn: string) => f.get('toolflow_events_dead_lettered_total')?.samples.find((s) => s.labels.function === fn)?.value ?? 0;
const started = (taskId: string, tool: string) => makeEvent(EventType.toolStarted, '/test', { taskId, tool, attempt: 1, at: Date.now() });

async function fn(answer: Parameters<typeof startFunction>[0]): Promise<FunctionServer> {
  const f = await startFunction(answer);
  cleanups.push(() => f.close());
  return f;
}

async function bus(ns: string): Promise<AmqpBus> {
  const b = await AmqpBus.connect({ url: AMQP_URL, log: pino({ level: 'silent' }), namespace: ns });
  cleanups.push(() => b.close());
  return b;
}

const target = (f: FunctionServer, concurrency = 1): ConnectorTarget => ({ function: handleStatus.name, types: handleStatus.consumes, url: f.url, concurrency });

beforeAll(async () => {
  if (skipped('rabbitmq')) return;
  await requireRabbitmq();
  admin = await amqpConnect(AMQP_URL);
  server = await startMetricsServer(0, '127.0.0.1');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(async () => {
  if (skipped('rabbitmq')) return;
  await server?.close();
  await admin?.close();
  for (const ns of namespaces) await deleteAmqpNamespace(ns, [handleStatus.name]);
});

describe.skipIf(skipped('rabbitmq'))('the connector\'s metrics on RabbitMQ', () => {
  it('toolflow_queue_depth is the broker\'s count of ready messages, read at each scrape', async () => {
    const ns = `${prefix}-depth`;
    namespaces.push(ns);
    const names = amqpNames(ns);
    const f = await fn((n) => (n === 0 ? 'hold' : { status: 202 }));
    const c = await Connector.start({ amqpUrl: AMQP_URL, namespace: ns, log: pino({ level: 'silent' }), targets: [target(f)] });
    cleanups.push(() => c.close());
    const b = await bus(ns);
    // Concurrency 1 is a prefetch of 1: one event is held by the function, the other four wait, ready, in the queue.
    await b.publish(Array.from({ length: 5 }, (_, i) => started('depth', `t${i}`)));
    await until(() => f.held() === 1, 30_000, 'the first request');
    const ch = await admin.createChannel();
    const fromBroker = (await ch.checkQueue(names.queue('handle-status'))).messageCount;
    await ch.close();
    expect(fromBroker).toBe(4);
    let f1 = (await scrape(server.url)).families;
    expect(f1.get('toolflow_queue_depth')?.type).toBe('gauge');
    expect(depth(f1, names.queue('handle-status'))).toBe(4);
    expect(depth(f1, names.deadLetterQueue)).toBe(0);
    f.release(202);
    await until(() => f.received.length === 5 && f.held() === 0, 30_000, 'the other four');
    await c.close();
    // A closed connector is no longer asked.
    f1 = (await scrape(server.url)).families;
    expect(depth(f1, names.queue('handle-status'))).toBeUndefined();
  });

  it('an event the function refuses (400) is dead-lettered, counted by function, and shows in the dead-letter queue\'s depth', async () => {
    const ns = `${prefix}-dead`;
    namespaces.push(ns);
    const names = amqpNames(ns);
    const f = await fn(() => ({ status: 400, body: { code: 'EVENT_INVALID', message: 'never taken' } }));
    const before = deadLettered((await scrape(server.url)).families, 'handle-status');
    const c = await Connector.start({ amqpUrl: AMQP_URL, namespace: ns, log: pino({ level: 'silent' }), targets: [target(f)] });
    cleanups.push(() => c.close());
    const deadLetters: string[] = [];
    c.onDeadLetter((d) => deadLetters.push(d.event.id));
    const b = await bus(ns);
    const event = started('dead-task-7d1e', 'a');
    await b.publish([event]);
    await until(() => deadLetters.length === 1, 30_000, 'the dead letter');
    let families = (await scrape(server.url)).families;
    expect(deadLettered(families, 'handle-status')).toBe(before + 1);
    // The broker routes it to the dead-letter queue, where it waits, ready.
    for (const t0 = Date.now(); depth(families, names.deadLetterQueue) !== 1 && Date.now() - t0 < 10_000; await new Promise((r) => setTimeout(r, 100))) {
      families = (await scrape(server.url)).families;
    }
    expect(depth(families, names.deadLetterQueue)).toBe(1);
    expect(depth(families, names.queue('handle-status'))).toBe(0);
    const { text } = await scrape(server.url);
    expect(text).not.toContain('dead-task-7d1e');
  });

  it('an event whose handler fails its last delivery on the RabbitMQ bus is dead-lettered and counted by function, without the task id of a task-scoped consumer', async () => {
    const ns = `${prefix}-bus`;
    namespaces.push(ns);
    const b = await AmqpBus.connect({ url: AMQP_URL, log: pino({ level: 'silent' }), namespace: ns, deliveryLimit: 1 });
    cleanups.push(() => b.close());
    const before = deadLettered((await scrape(server.url)).families, 'metrics-probe');
    const taskId = 'bus-task-5c2a';
    let tries = 0;
    const dead: string[] = [];
    b.onDeadLetter((d) => dead.push(d.consumer));
    b.subscribe(
      `metrics-probe/${taskId}`,
      [EventType.toolStarted],
      async () => {
        tries++;
        throw new Error('this consumer always fails');
      },
      { taskId },
    );
    await b.publish([started(taskId, 'a')]);
    await until(() => dead.length === 1, 30_000, 'the dead letter');
    expect(tries).toBe(2); // a delivery limit of 1: the first delivery and one more
    const { families, text } = await scrape(server.url);
    expect(deadLettered(families, 'metrics-probe')).toBe(before + 1);
    expect(text).not.toContain(taskId);
  });

  it('toolflow connector serves them at TOOLFLOW_METRICS_PORT', async () => {
    const ns = `${prefix}-cli`;
    namespaces.push(ns);
    const f = await fn(() => ({ status: 202 }));
    const port = await freePort();
    const run = startToolflow(['connector', '--target', `handle-status=${f.url}`], { TOOLFLOW_AMQP_URL: AMQP_URL, TOOLFLOW_NAMESPACE: ns, TOOLFLOW_CONNECTOR_TARGETS: '', TOOLFLOW_METRICS_PORT: `127.0.0.1:${port}`, TOOLFLOW_LOG_LEVEL: 'info' });
    cleanups.push(async () => {
      run.child.kill('SIGTERM');
      await run.exitCode;
    });
    await until(() => run.stderr().includes('metrics: serving'), 30_000, 'the connector to start');
    expect(run.stderr()).toContain(`toolflow connector: metrics: serving /metrics on http://127.0.0.1:${port}/metrics\n`);
    // and at info level in its JSON log (stdout)
    await until(() => run.stdout().includes('"metricsUrl"'), 30_000, 'the connector to log where its metrics are');
    const logged = run.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toContainEqual(expect.objectContaining({ level: 30, msg: `metrics: serving /metrics on http://127.0.0.1:${port}/metrics`, metricsUrl: `http://127.0.0.1:${port}/metrics` }));
    const { families } = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(depth(families, amqpNames(ns).queue('handle-status'))).toBe(0);
    expect(families.get('toolflow_process_resident_memory_bytes')?.type).toBe('gauge');
    run.child.kill('SIGTERM');
    expect(await run.exitCode).toBe(0);
  });
});
