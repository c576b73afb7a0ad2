/**
 * Retried, then dead-lettered, through the same path every event function's failures take on
 * OpenFaaS: RabbitMQ (a namespace of this file's own) → `toolflow connector` → the notify function
 * over HTTP (its OpenFaaS server) → the loopback robot. A robot that stays busy (`-1`) gets 3 tries
 * per delivery, the connector delivers 6 times (the queue's delivery limit of 5), then the event is
 * in `<ns>.dead-letters`; a robot that refuses (`310000`) is asked once and the event is
 * dead-lettered at once. Counts are asserted, never times.
 */
import { connect as amqpConnect, type Channel, type ChannelModel } from 'amqplib';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connector } from '../../shared/connector/connector.js';
import { amqpNames, fromMessage } from '../../shared/events/amqp-binding.js';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import type { DeadLetter } from '../../shared/events/bus.js';
import type { ToolflowEvent } from '../../shared/events/catalog.js';
import { notifyFunction } from '../../shared/handlers/notify.js';
import { serveRaw } from '../../shared/http/raw-server.js';
import { notifyHttpFunction } from '../../shared/notify/notify-function.js';
import type { Notifier } from '../../shared/notify/notifier.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { AMQP_URL, deleteAmqpNamespace, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { ERRCODES, startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { manualClock } from '../support/manual-clock.js';
import { tempDir } from '../support/tmp.js';
import { capturedLog, taskFailed, testNotifier } from './helpers.js';

const ns = `${runPrefix()}-notify`;
const silent = pino({ level: 'silent' });

describe.skipIf(skipped('rabbitmq'))('notify: retried, then dead-lettered (RabbitMQ, the connector, HTTP)', () => {
  const home = tempDir('toolflow-notify-dl-');
  let robot: DingTalkServer;
  let bus: AmqpBus;
  let connector: Connector;
  let server: Server;
  let notifier: Notifier;
  let admin: ChannelModel;
  let ch: Channel;
  const deadLetters: DeadLetter[] = [];
  const logs = capturedLog('info');
  const clock = manualClock(); // the retry waits are recorded, not slept; the robot's window follows it

  beforeAll(async () => {
    await requireRabbitmq();
    robot = await startDingTalkServer();
    robot.addRobot('dl');
    robot.now = () => clock.now();
    notifier = testNotifier({ robots: [{ label: 'robot 1', url: robot.robotUrl('dl') }] }, clock, logs.log);
    const fn = notifyHttpFunction(notifyFunction(() => notifier), () => notifier);
    const open = await fn.open(loadConfig({ TOOLFLOW_HOME: home, USER: 'test' }), silent);
    server = await serveRaw((r) => open.answer(r), async () => undefined, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    bus = await AmqpBus.connect({ url: AMQP_URL, namespace: ns, log: silent });
    const def = notifyFunction(() => notifier);
    connector = await Connector.start({ amqpUrl: AMQP_URL, namespace: ns, log: logs.log, targets: [{ function: 'notify', types: def.consumes, url, concurrency: 1 }] });
    connector.onDeadLetter((d) => deadLetters.push(d));
    admin = await amqpConnect(AMQP_URL);
    ch = await admin.createChannel();
  });
  afterAll(async () => {
    await connector?.close();
    await bus?.close();
    await notifier?.close();
    await new Promise((r) => server?.close(r));
    await admin?.close();
    await robot?.close();
    if (!skipped('rabbitmq')) await deleteAmqpNamespace(ns, ['notify']);
  });

  const until = async (test: () => boolean | Promise<boolean>, what: string) => {
    for (const t0 = Date.now(); !(await test()); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() - t0 > 60_000) throw new Error(`timed out waiting for ${what}`);
    }
  };
  /** Takes the messages of the dead-letter queue: the event and why it died (x-death). */
  async function takeDead(): Promise<{ event: ToolflowEvent; reason: unknown }[]> {
    const out = [];
    for (let msg = await ch.get(amqpNames(ns).deadLetterQueue); msg; msg = await ch.get(amqpNames(ns).deadLetterQueue)) {
      out.push({ event: fromMessage(msg), reason: (msg.properties.headers?.['x-death'] as { reason?: unknown }[] | undefined)?.[0]?.reason });
      ch.ack(msg);
    }
    return out;
  }
  const requestsFor = (taskId: string) => robot.requests.filter((r) => r.token === 'dl' && r.body.includes(taskId));

  it('a robot that stays busy: 3 tries per delivery, 6 deliveries, then the event is in the dead-letter queue', async () => {
    robot.script('dl', ...Array.from({ length: 18 }, () => ERRCODES.busy));
    const event = taskFailed('dead00000001', 'a failure nobody hears of');
    await bus.publish([event]);
    await until(() => deadLetters.length === 1, 'the dead letter');
    expect(deadLetters[0]).toMatchObject({ consumer: 'notify', deliveries: 6, error: expect.stringContaining('errcode -1') });
    expect(requestsFor('dead00000001')).toHaveLength(18);
    expect(robot.messages.filter((m) => m.text.includes('dead00000001'))).toEqual([]);
    let dead: Awaited<ReturnType<typeof takeDead>> = [];
    await until(async () => (dead = await takeDead()).length === 1, 'the message in the dead-letter queue');
    expect(dead[0]!.event.id).toBe(event.id);
    expect(dead[0]!.reason).toBe('delivery_limit');
  });

  it('a robot that refuses it (310000): asked once, dead-lettered at once', async () => {
    robot.script('dl', ERRCODES.signNotMatch);
    const event = taskFailed('dead00000002', 'refused');
    await bus.publish([event]);
    await until(() => deadLetters.length === 2, 'the dead letter');
    expect(deadLetters[1]).toMatchObject({ consumer: 'notify', deliveries: 1, error: expect.stringContaining('400 NOTIFICATION_REFUSED') });
    expect(requestsFor('dead00000002')).toHaveLength(1);
    let dead: Awaited<ReturnType<typeof takeDead>> = [];
    await until(async () => (dead = await takeDead()).length === 1, 'the message in the dead-letter queue');
    expect(dead[0]!.event.id).toBe(event.id);
    expect(dead[0]!.reason).toBe('rejected');
  });

  it('a robot busy twice, then fine: sent on the first delivery, nothing dead-lettered', async () => {
    clock.advance(60_000); // the 19 requests above leave the robot's window (20 a minute)
    robot.script('dl', ERRCODES.busy, ERRCODES.busy);
    await bus.publish([taskFailed('dead00000003', 'heard')]);
    await until(() => robot.messages.some((m) => m.text.includes('dead00000003')), 'the message');
    await until(() => connector.inFlight === 0, 'the ack');
    expect(requestsFor('dead00000003')).toHaveLength(3);
    expect(deadLetters).toHaveLength(2);
    expect(await takeDead()).toEqual([]);
  });
});
