/**
 * enqueue (on `task.submitted`): under the task lock (`locks/task/<id>`; design doc: "ignore if
 * another backend is already processing the task": while it is held, the event is handled again later
 * rather than dropped, as its holder may have died), records the task and the first attempt of every
 * tool in one transaction, then emits `task.queued`. A redelivered submission finds the task and
 * emits the same `task.queued` again (same id), which consumers recognise.
 */
import { EventType, isEvent, makeEvent, type ToolflowEvent } from '../events/catalog.js';
import { ServiceUnavailableError } from '../errors.js';
import { recordTaskSubmitted } from '../metrics/record.js';
import { newToolRun } from '../store/store.js';
import { sourceOf, type FunctionDef } from './handler.js';

/** Lease of the enqueue lock, seconds. */
export const ENQUEUE_LOCK_TTL_SECONDS = 30;

export const enqueue: FunctionDef = {
  name: 'enqueue',
  placement: 'shared',
  concurrency: 16,
  consumes: [EventType.taskSubmitted],
  async handle(event, ports): Promise<ToolflowEvent[]> {
    if (!isEvent(event, EventType.taskSubmitted)) return [];
    const d = event.data;
    const lease = await ports.coordination.tryLock(`locks/task/${d.taskId}`, ENQUEUE_LOCK_TTL_SECONDS);
    if (!lease) {
      // Another consumer holds the lock: it may be enqueueing this very task, or have died holding it.
      // Not done here: the bus tries again once the lock is free (a finished enqueue is then recognised).
      throw new ServiceUnavailableError(`task ${d.taskId} is being enqueued elsewhere (its lock is held); trying again`);
    }
    try {
      const now = Date.now();
      const runs = d.spec.tools.map((t) => newToolRun(d.taskId, t.name, 1, t));
      const created = await ports.store.createTask(
        {
          id: d.taskId,
          owner: d.owner,
          name: d.spec.name,
          status: 'queued',
          spec: JSON.stringify({ spec: d.spec, failFast: d.failFast, workflowFile: d.workflowFile, ...(d.noCache ? { noCache: true } : {}) }),
          values_json: JSON.stringify(d.values),
          inputs_json: JSON.stringify(d.inputs),
          error: null,
          work_dir: d.workRoot ?? null,
          created_at: now,
          started_at: null,
          finished_at: null,
        },
        runs,
      );
      if (created) recordTaskSubmitted();
      else {
        const task = await ports.store.getTask(d.taskId);
        if (task?.status !== 'queued') return [];
      }
      return [makeEvent(EventType.taskQueued, sourceOf('enqueue'), { taskId: d.taskId }, `queued/${d.taskId}`)];
    } finally {
      await lease.release();
    }
  },
};
