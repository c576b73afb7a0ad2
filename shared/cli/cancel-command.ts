/**
 * `toolflow cancel TASK`: stops a task from another terminal. The request is recorded in the store
 * (`tasks.cancel_requested_at`); the process driving the task sees it within a second and cancels as
 * Ctrl-C there would (tools get SIGTERM, then SIGKILL after 10 s). A task no live process drives
 * (its process died) is cancelled here: what its driver left running is stopped first.
 */
import { lazyLogger } from '../runtime/lazy-logger.js';
import { NotFoundError } from '../errors.js';
import { LocalExecutor } from '../executor/local/local-executor.js';
import { LocalObjectStore } from '../objects/local-object-store.js';
import { describeProcess } from '../process-identity.js';
import { openCoordination } from '../runtime/adapters.js';
import { loadConfig } from '../runtime/config.js';
import { cancelAbandoned, driverOf } from '../runtime/task-driver.js';
import { isTerminal } from '../scheduler/status.js';
import { openStore } from '../store/open-store.js';
import type { TaskRow } from '../store/store.js';

/** Options of `toolflow cancel`. */
export interface CancelOptions {
  json?: boolean;
  /** Return once the request is recorded, without waiting for the task to end. */
  wait?: boolean;
  /** Longest wait for the task to end, seconds (default 60: the 10 s grace and margin). */
  timeoutSeconds?: number;
}

/**
 * Cancels a task. @returns the exit code: 0 once the task is cancelled (or, without waiting, once
 * the request is recorded), 1 when it finished otherwise meanwhile or did not end in time.
 * @throws NotFoundError for an unknown task.
 */
export async function cancelCommand(taskId: string, opts: CancelOptions): Promise<number> {
  const config = loadConfig();
  const log = lazyLogger(config.logLevel, { component: 'toolflow' }); // stderr: stdout carries the result
  const store = await openStore(config.databasePath);
  const coordination = await openCoordination(config, store, log).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const say = (line: string) => {
    if (!opts.json) process.stderr.write(line + '\n');
  };
  const result = (status: string, extra: Record<string, unknown> = {}) => {
    if (opts.json) process.stdout.write(JSON.stringify({ taskId, status, ...extra }) + '\n');
  };
  try {
    const task = await store.getTask(taskId);
    if (!task) throw new NotFoundError(`no task ${taskId}`);
    if (isTerminal(task.status)) {
      say(`task ${taskId} has already finished (${task.status}); nothing to cancel`);
      result(task.status);
      return task.status === 'cancelled' ? 0 : 1;
    }
    await store.requestCancel(taskId, Date.now());
    // A task nobody drives is cancelled here, after stopping what its dead driver left running.
    const cancelHere = async (row: TaskRow) => {
      // Cluster mode: what is left of the task is its Jobs, deleted through the Kubernetes executor.
      const executor = config.kubernetes
        ? (await (await import('../runtime/cluster-parts.js')).openClusterParts(config.kubernetes, new LocalObjectStore(config.objectsDir), log)).executor
        : new LocalExecutor({ root: row.work_dir ?? config.workDir, objects: new LocalObjectStore(config.objectsDir) });
      try {
        const stopped = await cancelAbandoned(row, store, executor, 'cancelled with toolflow cancel (no live process drove it)');
        say(`task ${taskId} had no live driver: cancelled here${stopped ? ` (stopped ${stopped} tool${stopped > 1 ? 's' : ''} its dead process left running)` : ''}`);
      } finally {
        await executor.close();
      }
      result('cancelled');
      return 0;
    };
    const driver = await driverOf(task, coordination);
    if (driver.state === 'gone') return await cancelHere(task); // awaited here: the store closes in `finally`
    say(`cancel requested: task ${taskId} is driven by ${driver.state === 'live' && driver.holder ? describeProcess(driver.holder) : 'another process'}; its tools get SIGTERM, then SIGKILL after 10 s`);
    if (opts.wait === false) {
      result('cancelling');
      return 0;
    }
    const deadline = Date.now() + (opts.timeoutSeconds ?? 60) * 1000;
    for (;;) {
      const now = await store.getTask(taskId);
      if (now && isTerminal(now.status)) {
        say(`task ${taskId}: ${now.status}`);
        result(now.status);
        return now.status === 'cancelled' ? 0 : 1;
      }
      // Its driver may turn out dead: a lease held by a process that was killed runs out (etcd).
      if (now && (await driverOf(now, coordination)).state === 'gone') return await cancelHere(now);
      if (Date.now() > deadline) {
        say(`task ${taskId} has not ended yet (still ${now?.status}); its driver has the request: see toolflow status ${taskId}`);
        result('cancelling');
        return 1;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await coordination.close();
    await store.close();
  }
}
