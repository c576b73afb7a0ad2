/**
 * rerun-policy (on `tool.attempt.failed`): applies `policy/rerun.ts`. A rerun records the next
 * attempt (pending, with its grown resources) and emits `tool.retrying`, which the work manager
 * admits against the budget; giving up records the final message and emits `tool.failed`.
 */
import { EventType, isEvent, makeEvent, type ToolflowEvent } from '../events/catalog.js';
import { decideRerun } from '../policy/rerun.js';
import { prepareOutcomeSeries, recordRerun } from '../metrics/record.js';
import { newToolRun } from '../store/store.js';
import { sourceOf, type FunctionDef } from './handler.js';

const SOURCE = sourceOf('rerun-policy');

export const rerunPolicy: FunctionDef = {
  name: 'rerun-policy',
  placement: 'shared',
  concurrency: 16,
  consumes: [EventType.toolAttemptFailed],
  async handle(event, ports): Promise<ToolflowEvent[]> {
    if (!isEvent(event, EventType.toolAttemptFailed)) return [];
    const d = event.data;
    const ref = { taskId: d.taskId, tool: d.tool, attempt: d.attempt };
    prepareOutcomeSeries(d.tool); // its reruns at 0 in this process from its first failure on (shared/metrics/record.ts)
    // Only an attempt recorded as failed is decided on: statuses only move forward, so an event
    // about an attempt that succeeded (or was cancelled, or never ran) changes nothing.
    if ((await ports.store.getToolRun(ref))?.status !== 'failed') {
      ports.log.warn({ ...ref, id: event.id }, 'tool.attempt.failed for an attempt not recorded as failed; ignored');
      return [];
    }
    const decision = decideRerun({
      reason: d.reason,
      message: d.message,
      attempt: d.attempt,
      resources: d.resources,
      retry: d.retry,
      capacity: ports.executor.capacity,
    });
    if (decision.action === 'fail') {
      await ports.store.updateToolRun(ref, { message: decision.message });
      return [makeEvent(EventType.toolFailed, SOURCE, { ...ref, reason: d.reason, message: decision.message }, `failed/${d.taskId}/${d.tool}/${d.attempt}`)];
    }
    const r = decision.resources;
    // Counted once: a redelivery finds the attempt recorded.
    if (await ports.store.addToolRun(newToolRun(d.taskId, d.tool, decision.attempt, r))) recordRerun(d.tool, d.reason);
    await ports.store.updateToolRun(ref, { message: `${d.message}; rerun: ${decision.note}` });
    return [
      makeEvent(
        EventType.toolRetrying,
        SOURCE,
        { taskId: d.taskId, tool: d.tool, attempt: decision.attempt, reason: d.reason, resources: r, previous: d.message },
        `retrying/${d.taskId}/${d.tool}/${decision.attempt}`,
      ),
    ];
  },
};
