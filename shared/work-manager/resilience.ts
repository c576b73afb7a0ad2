/**
 * How a work manager rides out failures around it: it keeps publishing while the bus is down (its
 * state lives in memory until its events are out), and before it reruns an attempt that a dead
 * driver left running, it has the executor stop what is left of it.
 */
import { ServiceUnavailableError } from '../errors.js';
import type { ToolflowEvent } from '../events/catalog.js';
import type { Ports } from '../runtime/ports.js';

/**
 * Publishes `events`, again and again while the bus is unavailable (ServiceUnavailableError;
 * backoff 1 s doubling to 15 s), until they are confirmed or `stopped()` says to give up.
 * @throws the bus's error once stopped, or any error that is not ServiceUnavailableError.
 */
export async function publishUntilConfirmed(ports: Pick<Ports, 'bus' | 'log'>, taskId: string, events: ToolflowEvent[], stopped: () => boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ports.bus.publish(events);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableError) || stopped()) throw err;
      const pause = Math.min(15_000, 1000 * 2 ** Math.min(attempt - 1, 4));
      ports.log.warn({ taskId, err: err.message, try: attempt, retryInMs: pause }, 'the bus is unavailable; publishing again soon');
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/**
 * Has the executor stop what a dead driver left of each attempt (`Executor.stopLeftover`), so none
 * is rerun beside a copy of itself. One that cannot be checked is logged and rerun anyway: a task
 * must not wait for ever on an executor that does not answer.
 */
export async function stopLeftovers(ports: Pick<Ports, 'executor' | 'log'>, taskId: string, attempts: { tool: string; attempt: number }[], workRoot: string | undefined): Promise<void> {
  for (const { tool, attempt } of attempts) {
    const where = { taskId, tool, attempt };
    const stopped = await ports.executor.stopLeftover(taskId, tool, attempt, workRoot).catch((err: unknown) => {
      ports.log.warn({ ...where, err: (err as Error).message }, 'could not check for a leftover attempt; rerunning it anyway');
      return false;
    });
    if (stopped) ports.log.warn(where, 'stopped an attempt a dead driver left running');
  }
}
