/**
 * schedule-tool (on `tool.ready`): marks the attempt delivered and hands it to the executor, with
 * reports routed to the task's work manager. A duplicate of an event already handled finds the
 * attempt started and changes nothing. An attempt that cannot be launched at all exits at once with
 * `launchError`, except when a backend it needs is down (ServiceUnavailableError: an S3 server that
 * does not answer while an input is staged): then the handler fails with that error, and the bus
 * handles the event again once the backend answers (the RabbitMQ bus retries it in place, without
 * spending deliveries), as a task whose attempt would otherwise fail as a `config` error at once.
 */
import { ServiceUnavailableError } from '../errors.js';
import { EventType, isEvent, type ToolflowEvent } from '../events/catalog.js';
import { exitReport } from '../executor/executor.js';
import { jobName } from '../executor/kubernetes/names.js';
import type { FunctionDef } from './handler.js';

/** Deterministic name of an attempt's Job (`tf-<task>-<tool>-a<attempt>`): see executor/kubernetes/names.ts. */
export { jobName };

export const scheduleTool: FunctionDef = {
  name: 'schedule-tool',
  placement: 'task-host',
  consumes: [EventType.toolReady],
  async handle(event, ports): Promise<ToolflowEvent[]> {
    if (!isEvent(event, EventType.toolReady)) return [];
    const d = event.data;
    const key = { taskId: d.taskId, tool: d.tool, attempt: d.attempt };
    // delivered_at is the event's time: a row moved by this very event is recognised below.
    const deliveredAt = Date.parse(event.time);
    if (!(await ports.store.moveToolRun(key, 'ready', { delivered_at: deliveredAt, job_name: jobName(d.taskId, d.tool, d.attempt) }))) {
      // Not moved: a redelivery of this event, or a retry whose first try had committed, finds the
      // row ready with this event's time and starts the attempt (the executor ignores a second
      // start); any other event (stale, or fenced out) finds something else and does nothing.
      const row = await ports.store.getToolRun(key);
      if (row?.status !== 'ready' || Number(row.delivered_at) !== deliveredAt) return [];
    }
    try {
      await ports.executor.start(d, ports.reports.sinkFor(d.taskId));
      return [];
    } catch (err) {
      // A backend that is down is not the attempt's fault: the event is handled again later.
      if (err instanceof ServiceUnavailableError) {
        ports.log.warn({ err: err.message, ...key }, 'a backend is unavailable while launching the attempt; trying again later');
        throw err;
      }
      ports.reports.sinkFor(d.taskId)(exitReport(key, { launchError: (err as Error).message }));
      ports.log.warn({ err, ...key }, 'could not launch attempt');
      return [];
    }
  },
};

