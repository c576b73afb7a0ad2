/**
 * What the notify tests share: a logger whose JSON lines are kept (to look for secrets in them),
 * a notifier on the loopback robot server with a hand-moved clock, and events to notify about.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { eventMessage } from '../../shared/notify/message-format.js';
import { Notifier, type Notification } from '../../shared/notify/notifier.js';
import type { NotifySettings } from '../../shared/notify/notify-settings.js';
import type { BackoffPolicy } from '../../shared/notify/retry.js';
import type { ManualClock } from '../support/manual-clock.js';

/** A logger at `level` whose output is kept, line by line. */
export function capturedLog(level = 'debug'): { log: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: pino({ level }, sink), lines, text: () => lines.join('\n') };
}

/** A notifier for `settings` on `clock` (its timers and its retry waits), with `backoff`. */
export function testNotifier(settings: Partial<NotifySettings>, clock: ManualClock, log: Logger, backoff?: BackoffPolicy): Notifier {
  return new Notifier({
    settings: { robots: [], events: [EventType.taskFailed], ...settings },
    log,
    clock,
    retryClock: clock.retry,
    ...(backoff ? { backoff } : {}),
  });
}

/** The `task.failed` of task `taskId` (deterministic id, as the work manager's). */
export function taskFailed(taskId: string, error = 'tool align failed: exited with code 1'): ToolflowEvent<typeof EventType.taskFailed> {
  return makeEvent(EventType.taskFailed, '/toolflow/work-manager', { taskId, error }, `failed/${taskId}`);
}

/** The notification of a task.failed, as the handler makes it (without the store's details). */
export function failureNotification(taskId: string, error?: string): Notification {
  const event = taskFailed(taskId, error);
  return { key: `${event.source}|${event.id}`, message: eventMessage(event), webhook: { source: 'toolflow', kind: 'event', event } };
}
