/**
 * Waiting for a task to end, as `Runtime.waitFor` does: by its final event on the bus and, as a
 * backstop, by asking the store every 500 ms (the final event may have passed before the wait
 * began, or the store be written after it, by handle-status in another process).
 */
import type { EventBus } from '../events/bus.js';
import { EventType, makeEvent, type ToolflowEvent } from '../events/catalog.js';
import { isTerminal } from '../scheduler/status.js';
import type { Store, TaskRow } from '../store/store.js';

/** How often a waiter also asks the store whether its task has finished, ms. */
const WAIT_POLL_MS = 500;

const FINAL = [EventType.taskSucceeded, EventType.taskFailed, EventType.taskCancelled];

/** The final event of a finished task, made again from its row (same id as the work manager's). */
export function finalEventOf(t: TaskRow): ToolflowEvent {
  if (t.status === 'succeeded') return makeEvent(EventType.taskSucceeded, '/toolflow/work-manager', { taskId: t.id }, `succeeded/${t.id}`);
  if (t.status === 'cancelled') return makeEvent(EventType.taskCancelled, '/toolflow/work-manager', { taskId: t.id, error: t.error ?? '' }, `cancelled/${t.id}`);
  return makeEvent(EventType.taskFailed, '/toolflow/work-manager', { taskId: t.id, error: t.error ?? '' }, `failed/${t.id}`);
}

/**
 * Resolves with the task's final event once the store shows it finished. `haltWaiters` gets, under
 * the task id, the function that ends the wait with an error (a halted work manager, a stalled
 * task); it is removed when the wait ends.
 */
export async function waitForTask(ports: { store: Store; bus: EventBus }, taskId: string, haltWaiters: Map<string, (err: Error) => void>): Promise<ToolflowEvent> {
  const { store, bus } = ports;
  // Already finished (a resume that found it done): the store says so, and its final event is
  // made again from the row. Checked before subscribing, so no queue is made for nothing.
  const before = await store.getTask(taskId);
  if (before && isTerminal(before.status)) return finalEventOf(before);
  return new Promise((resolve, reject) => {
    const stop = () => {
      off();
      clearInterval(poll);
      haltWaiters.delete(taskId);
    };
    haltWaiters.set(taskId, (err) => {
      stop();
      reject(err);
    });
    const fromStore = () =>
      void store.getTask(taskId).then(
        (t) => {
          if (!t || !isTerminal(t.status) || !haltWaiters.has(taskId)) return;
          stop();
          resolve(finalEventOf(t));
        },
        () => undefined,
      );
    const poll = setInterval(fromStore, WAIT_POLL_MS);
    fromStore();
    const off = bus.subscribe(
      `wait/${taskId}`,
      FINAL,
      async (e) => {
        stop();
        // Not awaited here: idle() waits for this very handler to return.
        void (async () => {
          await bus.idle();
          // handle-status may run in another process: the final status is the store's.
          for (let delay = 5; !isTerminal((await store.getTask(taskId))?.status ?? 'queued'); delay = Math.min(200, delay * 2)) {
            await new Promise((r) => setTimeout(r, delay));
          }
          resolve(e);
        })().catch(reject);
      },
      { taskId },
    );
  });
}
