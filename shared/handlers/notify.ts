/**
 * notify (on `task.failed`, and `task.succeeded`, `task.cancelled`, `tool.failed`, `tool.retrying`
 * when `TOOLFLOW_NOTIFY_EVENTS` names them): tells people, through the DingTalk robots and the
 * webhook of `shared/notify/notify-settings.ts`. It reads the task and its attempts from the store
 * (its name, owner, the tools that failed) and writes nothing, anywhere: a notification that fails
 * never changes a task. An event of a type not configured, or with no target configured, is taken
 * and nothing is done.
 *
 * Failures go the delivery layer's usual way (`shared/notify/notifier.ts`): a target that still
 * fails after its tries in place → NotificationFailedError (delivered again, dead-lettered past the
 * delivery limit); a refusal → NotificationRefusedError (dead-lettered at once). It is an
 * `observer`: its dead letters do not mark the task stalled (runtime.ts).
 */
import type { Logger } from 'pino';
import { unboundLog } from '../runtime/log.js';
import { EventType, type ToolflowEvent } from '../events/catalog.js';
import { eventMessage, type TaskInfo } from '../notify/message-format.js';
import { Notifier } from '../notify/notifier.js';
import { NOTIFIABLE_TYPES, notifySettings } from '../notify/notify-settings.js';
import type { Store } from '../store/store.js';
import type { FunctionDef } from './handler.js';

/**
 * What the store says about a task for its message: name, owner, times, and the latest attempt of
 * each tool that failed for good. Reads only. @returns undefined for a task the store does not know.
 * @throws what the store throws.
 */
export async function taskInfo(store: Pick<Store, 'getTask' | 'listToolRuns'>, taskId: string, withTools: boolean): Promise<TaskInfo | undefined> {
  const task = await store.getTask(taskId);
  if (!task) return undefined;
  const failedTools: TaskInfo['failedTools'] = [];
  if (withTools) {
    const latest = new Map<string, Awaited<ReturnType<Store['listToolRuns']>>[number]>();
    for (const run of await store.listToolRuns(taskId)) {
      const seen = latest.get(run.tool);
      if (!seen || run.attempt > seen.attempt) latest.set(run.tool, run);
    }
    for (const run of latest.values()) if (run.status === 'failed') failedTools.push({ tool: run.tool, attempt: run.attempt, reason: run.reason, message: run.message });
  }
  return { name: task.name, owner: task.owner, startedAt: task.started_at, finishedAt: task.finished_at, failedTools };
}

/** The notify function over a notifier (made on the first event, from the log the function is given). */
export function notifyFunction(notifierFor: (log: Logger) => Notifier): FunctionDef {
  return {
    name: 'notify',
    placement: 'shared',
    observer: true,
    consumes: [...NOTIFIABLE_TYPES],
    async handle(event: ToolflowEvent, ports) {
      // The notifier outlives this event: made from the process's log, not this event's (runtime/log.ts).
      const notifier = notifierFor(unboundLog(ports.log));
      if (!notifier.configured || !notifier.settings.events.includes(event.type)) return [];
      const taskId = (event.data as { taskId: string }).taskId;
      let info: TaskInfo | undefined;
      try {
        info = await taskInfo(ports.store, taskId, event.type === EventType.taskFailed);
      } catch (err) {
        // The message goes without what the store knows rather than not at all.
        ports.log.warn({ taskId, err: (err as Error).message }, 'notify: the store could not be read; the message says only what the event says');
      }
      const message = eventMessage(event, info);
      await notifier.notify({ key: `${event.source}|${event.id}`, message, webhook: { source: 'toolflow', kind: 'event', event } }, ports.log);
      return [];
    },
  };
}

let processNotifier: Notifier | undefined;

/**
 * This process's notifier, made once from `process.env` (`notifySettings`): one rate limit per
 * robot for the whole process, whichever path (events, Alertmanager) sends.
 * @throws ConfigError for settings `notifySettings` refuses.
 */
export function notifierOfProcess(log: Logger): Notifier {
  processNotifier ??= new Notifier({ settings: notifySettings(process.env), log: (log.bindings() as { function?: unknown }).function === 'notify' ? log : log.child({ function: 'notify' }) });
  return processNotifier;
}

/** Forgets this process's notifier (after closing it), so the next one is made from the environment again (tests). */
export async function resetProcessNotifier(): Promise<void> {
  const n = processNotifier;
  processNotifier = undefined;
  await n?.close();
}

/**
 * Closes this process's notifier (if one was made) for a process that is closing: its last
 * digests get `graceMs` to go; then what is still being sent is aborted (`Notifier.abort`: the
 * bus has stopped waiting for its events by then), so a robot that does not answer never holds
 * the process. The next notifier is made afresh.
 */
export async function closeProcessNotifier(graceMs: number): Promise<void> {
  const n = processNotifier;
  processNotifier = undefined;
  if (!n) return;
  const closed = n.close();
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([closed.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
  clearTimeout(timer);
  // Whatever is still being sent (a digest past the grace, an event's message the bus stopped waiting for) stops now.
  n.abort();
  if (late) await closed;
}

/** The notify function of the flow (`FUNCTIONS`), with this process's notifier. */
export const notify: FunctionDef = notifyFunction(notifierOfProcess);
