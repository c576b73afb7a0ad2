/**
 * How a work manager picks a task up from the store, when it starts or after a restart: succeeded,
 * skipped and cancelled tools stay as they are; a failed attempt whose rerun was never decided (its
 * driver died, or the decision was dead-lettered) is decided again; an attempt caught in flight is
 * declared `lost` so the rerun policy decides, as for any lost tool — unless attempts outlive their
 * driver (Kubernetes Jobs): then it still runs, and is adopted. Pure: the work manager acts on the plan.
 */
import { attemptFailedEvent, type ToolflowEvent } from '../events/catalog.js';
import { TERMINAL, type Slot } from './slot.js';
import type { StoredTask } from './stored-task.js';

/** What a work manager starts from. Indexes are into `slots` (the workflow's order). */
export interface RestorePlan {
  slots: Slot[];
  /** Tools not in a terminal state. */
  remaining: number;
  /** Slots whose state is `deciding`. */
  deciding: number;
  /** Waiting tools whose dependencies all succeeded: to be queued. */
  ready: number[];
  /** Attempts in flight to declare lost (after stopping what is left of them). */
  lost: number[];
  /** Attempts in flight to adopt (`dispatched` or `running`). */
  adopted: number[];
  /** `tool.attempt.failed` events to publish again (same ids as handle-status gives them). */
  undecided: ToolflowEvent[];
}

/** Builds the plan for `task`; `source` is the CloudEvent source of the events it makes. */
export function restorePlan(taskId: string, task: StoredTask, adoptInFlight: boolean, source: string): RestorePlan {
  const plan: RestorePlan = { slots: [], remaining: 0, deciding: 0, ready: [], lost: [], adopted: [], undecided: [] };
  task.tools.forEach((t, i) => {
    const s: Slot = { spec: t.spec, state: 'waiting', attempt: t.attempt, resources: t.resources, waitingOn: 0, reserved: false };
    plan.slots.push(s);
    const { status, failure } = t;
    if (status === 'succeeded' || status === 'skipped' || status === 'cancelled' || status === 'failed') {
      s.state = status === 'failed' ? 'deciding' : status;
      if (failure) plan.undecided.push(attemptFailedEvent(source, { taskId, tool: s.spec.name, attempt: s.attempt, ...failure, resources: s.resources, retry: s.spec.retry }));
    } else if ((status === 'ready' || status === 'running') && adoptInFlight) {
      s.state = status === 'ready' ? 'dispatched' : 'running';
      plan.adopted.push(i);
    } else if (status === 'ready' || status === 'running') {
      s.state = 'deciding';
      plan.lost.push(i);
    }
  });
  plan.slots.forEach((s, i) => {
    if (!TERMINAL.has(s.state)) plan.remaining++;
    if (s.state === 'deciding') plan.deciding++;
    s.waitingOn = task.dag.parents[i]!.filter((p) => plan.slots[p]!.state !== 'succeeded').length;
    if (s.state === 'waiting' && s.waitingOn === 0) plan.ready.push(i);
  });
  return plan;
}
