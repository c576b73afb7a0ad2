/**
 * `toolflow connector` as a user runs it (the built CLI): its configuration errors, and a whole
 * run against RabbitMQ on loopback that SIGTERM stops gracefully.
 */
import { connect as amqpConnect } from 'amqplib';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { amqpNames } from '../../shared/events/amqp-binding.js';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { startToolflow, toolflow, until } from '../support/cli.js';
import { AMQP_URL, deleteAmqpNamespace, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { startFunction } from './function-server.js';

const ns = runPrefix();

describe('toolflow connector (CLI)', () => {
  it('says what is missing: the broker, the targets (exit 2)', async () => {
    const noBroker = await toolflow(['connector', '--target', 'enqueue=http://127.0.0.1:1/'], { TOOLFLOW_AMQP_URL: '' });
    expect(noBroker.code).toBe(2);
    expect(noBroker.stderr).toContain('toolflow: the connector consumes queues on RabbitMQ: set TOOLFLOW_AMQP_URL=amqp://user:password@host:5672');
    const noTarget = await toolflow(['connector'], { TOOLFLOW_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672', TOOLFLOW_CONNECTOR_TARGETS: '' });
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('toolflow: no function to deliver to: give --target NAME=URL (repeatable) or TOOLFLOW_CONNECTOR_TARGETS=NAME=URL,NAME=URL');
  });

  describe.skipIf(skipped('rabbitmq'))('against RabbitMQ', () => {
    afterAll(async () => {
      await deleteAmqpNamespace(ns, ['handle-status']);
    });

    it('delivers, and on SIGTERM finishes the request in flight before it exits 0', async () => {
      await requireRabbitmq();
      const f = await startFunction((n) => (n === 0 ? { status: 202 } : 'hold'));
      const run = startToolflow(['connector', '--target', `handle-status=${f.url}`, '--concurrency', 'handle-status=2', '--timeout', '30'], {
        TOOLFLOW_AMQP_URL: AMQP_URL,
        TOOLFLOW_NAMESPACE: ns,
        TOOLFLOW_CONNECTOR_TARGETS: '',
      });
      const bus = await AmqpBus.connect({ url: AMQP_URL, log: pino({ level: 'silent' }), namespace: ns });
      try {
        await until(() => run.stderr().includes('delivering from RabbitMQ'), 30_000, 'the connector to start');
        expect(run.stderr()).toContain(`toolflow connector: ${ns}.handle-status → ${f.url} (at most 2 in flight)`);
        expect(run.stderr()).toContain('delivering from RabbitMQ at amqp://guest:***@127.0.0.1');
        const first = makeEvent(EventType.toolStarted, '/test', { taskId: 'cli', tool: 'a', attempt: 1, at: 1 });
        const second = makeEvent(EventType.toolStarted, '/test', { taskId: 'cli', tool: 'b', attempt: 1, at: 1 });
        await bus.publish([first]);
        await until(() => f.received.length === 1, 10_000, 'the first request');
        await bus.publish([second]);
        await until(() => f.held() === 1, 10_000, 'the second request');
        run.child.kill('SIGTERM');
        await until(() => run.stderr().includes('SIGTERM: stopping'), 10_000, 'the stop');
        f.release(202);
        expect(await run.exitCode).toBe(0);
        expect(run.stderr()).toContain('toolflow connector: stopped');
        expect(f.received.map((r) => r.id)).toEqual([first.id, second.id]);
        const admin = await amqpConnect(AMQP_URL);
        const ch = await admin.createChannel();
        expect((await ch.checkQueue(amqpNames(ns).queue('handle-status'))).messageCount).toBe(0);
        await admin.close();
      } finally {
        run.child.kill('SIGKILL');
        await bus.close();
        await f.close();
      }
    });
  });
});
