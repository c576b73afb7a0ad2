/**
 * The notify handler on a real SQLite store and the loopback robot: a task failure's message names
 * the task, its owner and the tools that failed (read from the store), and the handler only reads:
 * every store call it makes is recorded and none writes. Events not configured, or no target, do
 * nothing; a store that cannot be read still lets the message go. A notification that fails never
 * changes a task: a dead letter of notify, in process, leaves the task as it was (runtime.ts).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { MemoryBus } from '../../shared/events/memory-bus.js';
import { notify, notifyFunction } from '../../shared/handlers/notify.js';
import { NotificationRefusedError } from '../../shared/notify/notify-errors.js';
import { NOTIFIABLE_TYPES } from '../../shared/notify/notify-settings.js';
import { FUNCTIONS, routeFunctions } from '../../shared/runtime/functions.js';
import type { Ports } from '../../shared/runtime/ports.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { ERRCODES, startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { manualClock } from '../support/manual-clock.js';
import { capturedLog, taskFailed, testNotifier } from './helpers.js';

const resources = { cpuMillicores: 1000, memBytes: 1e6, diskBytes: null, timeSeconds: null };
const READS = new Set(['getTask', 'listToolRuns']);

/** `store` with every method call recorded in `calls`. */
function recorded(store: Store, calls: string[]): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('the notify handler', () => {
  let robot: DingTalkServer;
  let store: Store;

  beforeAll(async () => {
    robot = await startDingTalkServer();
    robot.addRobot('handler', { secret: 'SEChandler-secret-0123456789', keywords: ['toolflow'] });
    store = openSqliteStore(':memory:');
    await store.migrate();
    await store.createTask(
      { id: 'abcdef012345', owner: 'ann', name: 'variant-calling', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: 1, started_at: 1000, finished_at: null },
      [newToolRun('abcdef012345', 'align[S1]', 1, resources), newToolRun('abcdef012345', 'call', 1, resources), newToolRun('abcdef012345', 'stats', 1, resources)],
    );
    const ref = (tool: string, attempt: number) => ({ taskId: 'abcdef012345', tool, attempt });
    await store.moveToolRun(ref('align[S1]', 1), 'ready');
    await store.moveToolRun(ref('align[S1]', 1), 'failed', { reason: 'oom', message: 'killed for memory at 1Gi' });
    await store.addToolRun(newToolRun('abcdef012345', 'align[S1]', 2, resources));
    await store.moveToolRun(ref('align[S1]', 2), 'ready');
    await store.moveToolRun(ref('align[S1]', 2), 'failed', { reason: 'oom', message: 'out of memory at the 2Gi cap' });
    await store.moveToolRun(ref('call', 1), 'skipped', { message: 'a dependency failed' });
    await store.moveToolRun(ref('stats', 1), 'ready');
    await store.moveToolRun(ref('stats', 1), 'succeeded');
  });
  afterAll(async () => {
    await store.close();
    await robot.close();
  });

  const settings = () => ({ robots: [{ label: 'robot 1', url: robot.robotUrl('handler'), secret: 'SEChandler-secret-0123456789' }] });

  it('is registered as a shared observer of the notifiable types', () => {
    expect(FUNCTIONS.at(-1)).toBe(notify);
    expect(notify).toMatchObject({ name: 'notify', placement: 'shared', observer: true, consumes: NOTIFIABLE_TYPES });
  });

  it('a task failure names the task, its owner and the tools that failed for good, and the handler only reads the store', async () => {
    const clock = manualClock();
    robot.now = () => clock.now();
    const notifier = testNotifier(settings(), clock, capturedLog().log);
    const calls: string[] = [];
    const ports = { store: recorded(store, calls), log: pino({ level: 'silent' }) } as unknown as Ports;
    expect(await notifyFunction(() => notifier).handle(taskFailed('abcdef012345', '1 tool failed: align[S1]'), ports)).toEqual([]);
    const m = robot.messages.at(-1)!;
    expect(m.title).toBe('toolflow: task failed: variant-calling (abcdef012345)');
    expect(m.text).toContain('**task** variant-calling (abcdef012345) · owner ann');
    expect(m.text).toContain('- **align\\[S1\\]** (attempt 2): oom · out of memory at the 2Gi cap');
    expect(m.text).not.toContain('**call**'); // skipped, not failed
    expect(m.text).not.toContain('attempt 1)');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !READS.has(c))).toEqual([]);
    expect((await store.getTask('abcdef012345'))?.status).toBe('processing');
    await notifier.close();
  });

  it('an event type not configured, or no target at all, sends nothing and reads nothing', async () => {
    const clock = manualClock();
    const before = robot.requests.length;
    const calls: string[] = [];
    const ports = { store: recorded(store, calls), log: pino({ level: 'silent' }) } as unknown as Ports;
    const succeeded = makeEvent(EventType.taskSucceeded, '/toolflow/work-manager', { taskId: 'abcdef012345' }, 'succeeded/abcdef012345');
    await notifyFunction(() => testNotifier(settings(), clock, capturedLog().log)).handle(succeeded, ports);
    await notifyFunction(() => testNotifier({}, clock, capturedLog().log)).handle(taskFailed('abcdef012345'), ports);
    expect(robot.requests.length).toBe(before);
    expect(calls).toEqual([]);
    // Configured, the same task.succeeded notifies.
    await notifyFunction(() => testNotifier({ ...settings(), events: [EventType.taskSucceeded] }, clock, capturedLog().log)).handle(succeeded, ports);
    expect(robot.messages.at(-1)!.title).toBe('toolflow: task succeeded: variant-calling (abcdef012345)');
  });

  it('a store that cannot be read: the message goes with what the event says, and the handler says why', async () => {
    const clock = manualClock();
    robot.now = () => clock.now();
    const broken = openSqliteStore(':memory:'); // never migrated: every read fails
    const logs = capturedLog();
    await notifyFunction(() => testNotifier(settings(), clock, logs.log)).handle(taskFailed('0123456789ab', 'boom'), { store: broken, log: logs.log } as unknown as Ports);
    expect(robot.messages.at(-1)!.text).toBe('### toolflow: task failed\n\n**task** 0123456789ab\n\n**error**\n\n> boom');
    expect(logs.text()).toContain('the store could not be read');
    await broken.close();
  });

  it('in process, a notification the robot refuses is dead-lettered at once and the task is not touched', async () => {
    robot.script('handler', ERRCODES.signNotMatch);
    const clock = manualClock();
    robot.now = () => clock.now();
    const log = pino({ level: 'silent' });
    const bus = new MemoryBus(log);
    const calls: string[] = [];
    const ports = { store: recorded(store, calls), bus, log } as unknown as Ports;
    const fn = notifyFunction(() => testNotifier(settings(), clock, capturedLog().log));
    const off = routeFunctions(ports, [fn]);
    const task = await store.getTask('abcdef012345');
    await bus.publish([taskFailed('abcdef012345', 'refused notification')]);
    // notify is a background subscription: idle() does not wait for it, close() does (bounded).
    await bus.close();
    off();
    expect(bus.deadLetters).toHaveLength(1);
    expect(bus.deadLetters[0]).toMatchObject({ consumer: 'notify', deliveries: 1, error: expect.stringContaining('errcode 310000') });
    expect(calls.filter((c) => !READS.has(c))).toEqual([]);
    expect(await store.getTask('abcdef012345')).toEqual(task);
    // What the handler threw is what the buses dead-letter at once.
    robot.script('handler', ERRCODES.signNotMatch);
    await expect(fn.handle(taskFailed('fedcba987654'), ports)).rejects.toBeInstanceOf(NotificationRefusedError);
  });
});
