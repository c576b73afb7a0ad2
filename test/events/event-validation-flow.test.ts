/**
 * Validation on the real paths: every event an embedded run produces (real local executor: tools that
 * succeed, keep alive, fail, are rerun, are skipped, are cancelled, with an uploaded input) passes
 * `validateEvent`; and an invalid event delivered on RabbitMQ (this run's own namespace) is
 * dead-lettered at once, its handler never run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as amqpConnect } from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { amqpNames, routingKey, toMessage } from '../../shared/events/amqp-binding.js';
import type { DeadLetter } from '../../shared/events/bus.js';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { validateEvent } from '../../shared/events/event-schemas.js';
import { MemoryBus } from '../../shared/events/memory-bus.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { createRuntime } from '../../shared/runtime/runtime.js';
import { AMQP_URL, deleteAmqpNamespace, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const log = pino({ level: 'silent' });
const home = tempDir('toolflow-event-validation-');

/** The in-process bus, keeping every event published on it. */
class RecordingBus extends MemoryBus {
  readonly published: ToolflowEvent[] = [];
  override async publish(events: ToolflowEvent[]): Promise<void> {
    this.published.push(...events);
    await super.publish(events);
  }
}

const WORKFLOW = `name: checked
inputs:
  reads: {type: file, required: true}
tools:
  - name: count
    cmds: ['wc -l < "$TF_INPUT_reads" > n.txt', 'sleep 0.5']
    outputs: [n.txt]
    env: {LC_ALL: C}
    options: [{name: min, type: int, default: 2}, {name: mode, type: string, default: fast}]
  - {name: use, cmds: ['cat ../../count/attempt-1/n.txt'], rely: [count]}
  - {name: flaky, cmds: ['echo no >&2; exit 3'], retry: {max: 2, on: [exit]}}
  - {name: after_flaky, cmds: ['true'], rely: [flaky]}
  - {name: nothing, cmds: ['true'], outputs: [missing.txt], retry: {max: 1}}
`;

describe('every event of an embedded run', () => {
  it('validates: produced (the bus refuses invalid ones) and as recorded, for every type the flow emits', async () => {
    const bus = new RecordingBus(log);
    const rt = await createRuntime(loadConfig({ TOOLFLOW_HOME: join(home, 'flow') }, { keepaliveSeconds: 0.1, lostAfterSeconds: 60 }), { bus, log });
    try {
      const reads = join(home, 'reads.txt');
      writeFileSync(reads, 'a\nb\nc\n');
      const input = await rt.upload('me', reads);
      const failed = await rt.submit({ owner: 'me', workflowFile: 'wf.yaml', workflowText: WORKFLOW, values: [{ tool: 'count', option: 'min', value: 3, from: '--set' }], inputs: { reads: input } });
      expect((await rt.waitFor(failed)).type).toBe(EventType.taskFailed);
      const ok = await rt.submit({ owner: 'me', workflowFile: 'ok.yaml', workflowText: 'name: ok\ntools:\n  - {name: a, cmds: ["true"], cpu: 500m, mem: 64Mi, time: 1h}\n', values: [], inputs: {} });
      expect((await rt.waitFor(ok)).type).toBe(EventType.taskSucceeded);
      const long = await rt.submit({ owner: 'me', workflowFile: 'long.yaml', workflowText: 'name: long\ntools:\n  - {name: sleeper, cmds: ["sleep 30"]}\n', values: [], inputs: {} });
      for (let i = 0; !bus.published.some((e) => e.type === EventType.toolStarted && e.data.taskId === long); i++) {
        if (i > 600) throw new Error('the sleeper did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
      const cancelled = rt.waitFor(long);
      await rt.cancel(long, true);
      expect((await cancelled).type).toBe(EventType.taskCancelled);
      await bus.idle();
    } finally {
      await rt.close();
    }
    expect(bus.deadLetters).toEqual([]);
    const invalid = bus.published.map((e) => ({ type: e.type, id: e.id, check: validateEvent(e) })).filter((r) => !r.check.ok);
    expect(invalid).toEqual([]);
    expect(new Set(bus.published.map((e) => e.type))).toEqual(new Set(Object.values(EventType)));
  });
});

describe.skipIf(skipped('rabbitmq'))('an invalid event delivered on RabbitMQ', () => {
  const namespace = runPrefix();
  const names = amqpNames(namespace);
  const consumer = `${namespace}-status`;
  let bus: AmqpBus | undefined;

  beforeAll(async () => {
    await requireRabbitmq();
  });
  afterAll(async () => {
    await bus?.close();
    await deleteAmqpNamespace(namespace, [consumer]);
  });

  it('is dead-lettered at once, with an error naming it, and its handler never runs', async () => {
    bus = await AmqpBus.connect({ url: AMQP_URL, namespace, log });
    const handled: string[] = [];
    const dead: DeadLetter[] = [];
    bus.onDeadLetter((d) => dead.push(d));
    bus.subscribe(consumer, [EventType.toolExited, EventType.taskQueued], async (e) => void handled.push(e.id));
    await bus.idle(); // the queue is declared and bound

    // A producer that does not validate (another program, an older toolflow) publishes straight to the exchange.
    const bad = makeEvent(EventType.toolExited, '/elsewhere', { taskId: 't1', tool: 'a', attempt: 1, at: Date.now(), resources: { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: null }, retry: { maxAttempts: 1, on: [], grow: 2, capMemBytes: 1e10, capDiskBytes: 1e10, capTimeSeconds: 3600 }, exitCode: 1.5 as number, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [] });
    const unknown = { ...makeEvent(EventType.taskQueued, '/elsewhere', { taskId: 't1' }), type: 'io.toolflow.task.exploded' } as unknown as ToolflowEvent;
    const good = makeEvent(EventType.taskQueued, '/elsewhere', { taskId: 't1' });
    const conn = await amqpConnect(AMQP_URL);
    try {
      const ch = await conn.createConfirmChannel();
      for (const [event, key] of [
        [bad, routingKey(bad)],
        [unknown, routingKey(good)], // routed as a task.queued, typed otherwise
        [good, routingKey(good)],
      ] as const) {
        const { body, options } = toMessage(event);
        ch.publish(names.exchange, key, body, options);
      }
      await ch.waitForConfirms();
      for (let i = 0; handled.length < 1 || dead.length < 2; i++) {
        if (i > 300) throw new Error(`timed out: handled ${handled.length}, dead-lettered ${dead.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await bus.idle();
      expect(handled).toEqual([good.id]);
      expect(dead.map((d) => [d.event.id, d.error, d.deliveries])).toEqual([
        [bad.id, 'io.toolflow.tool.exited: data.exitCode must be integer or null', 1],
        [unknown.id, `unknown event type "io.toolflow.task.exploded": toolflow's types are ${Object.values(EventType).join(', ')}`, 1],
      ]);
      // Both are in the dead-letter queue, delivered once each (not redelivered first).
      const inDeadLetters: string[] = [];
      for (let i = 0; inDeadLetters.length < 2 && i < 100; i++) {
        const msg = await ch.get(names.deadLetterQueue, { noAck: true });
        if (msg) inDeadLetters.push(String(msg.properties.messageId));
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(inDeadLetters.sort()).toEqual([bad.id, unknown.id].sort());
      await ch.close();
    } finally {
      await conn.close();
    }
  });
});
