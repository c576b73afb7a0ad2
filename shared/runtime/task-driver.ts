/**
 * Who drives a task: the process holding its work manager's lock. A task in `processing` whose lock
 * nobody holds (its process was SIGKILLed, crashed, or the machine rebooted) has no driver: nothing
 * will move it until `toolflow resume` takes it over, or `toolflow cancel` ends it.
 */
import type { Coordination, LockHolder } from '../coordination/coordination.js';
import type { Executor } from '../executor/executor.js';
import type { ProcessIdentity } from '../process-identity.js';
import { isTerminal } from '../scheduler/status.js';
import type { Store, TaskRow } from '../store/store.js';

/** Prefix of `tasks.error` while a task is stalled on a dead-lettered event (the task stays `processing`). */
export const STALLED = 'stalled: ';

/** The lock a task's work manager runs under. */
export function workManagerLock(taskId: string): string {
  return `locks/work-manager/${taskId}`;
}

/**
 * A task's driver: `finished` (nothing drives a finished task), `live` (a process holds its lock;
 * `holder` where the lock records it), or `gone` (no live process holds it).
 */
export type DriverState = { state: 'finished' } | { state: 'live'; holder?: ProcessIdentity } | { state: 'gone' };

/**
 * Tells who drives `task`. A coordination that does not answer is reported as `live` with no holder
 * (unknown is not gone: nothing is taken over on a guess).
 */
export async function driverOf(task: TaskRow, coordination: Coordination): Promise<DriverState> {
  if (isTerminal(task.status)) return { state: 'finished' };
  const holder = await coordination.lockHolder(workManagerLock(task.id)).catch((): LockHolder => ({}));
  if (holder === null) return { state: 'gone' };
  return holder.holder ? { state: 'live', holder: holder.holder } : { state: 'live' };
}

/** The message for people about a task without a live driver, with the command that goes on. */
export function abandonedNote(task: TaskRow): string {
  return task.status === 'queued'
    ? `no live process will start it (the process that submitted it is gone): start it with toolflow resume ${task.id}`
    : `no live process drives it any more (its process died): take it over with toolflow resume ${task.id}, or end it with toolflow cancel ${task.id}`;
}

/**
 * Cancels a task no live process drives: stops what its dead driver left running (through the
 * executor's `stopLeftover`), moves its unfinished attempts and then the task to `cancelled`.
 * @returns how many leftover attempts were stopped.
 */
export async function cancelAbandoned(task: TaskRow, store: Store, executor: Pick<Executor, 'stopLeftover'>, reason: string): Promise<number> {
  let stopped = 0;
  const now = Date.now();
  for (const r of await store.listToolRuns(task.id)) {
    if (isTerminal(r.status)) continue;
    if (r.status === 'ready' || r.status === 'running') {
      if (await executor.stopLeftover(task.id, r.tool, r.attempt, task.work_dir ?? undefined).catch(() => false)) stopped++;
    }
    await store.moveToolRun({ taskId: task.id, tool: r.tool, attempt: r.attempt }, 'cancelled', { finished_at: now, message: reason });
  }
  await store.moveTask(task.id, 'cancelled', { finished_at: now, error: reason });
  return stopped;
}
