/**
 * schedule-tool (on `tool.ready`): marks the attempt delivered and hands it to the executor, with
 * reports routed to the task's work manager. A duplicate finds the attempt no longer pending and
 * does nothing. An attempt that cannot be launched at all exits at once with `launchError`.
 */
import { EventType, isEvent, type ToolflowEvent } from '../events/catalog.js';
import type { FunctionDef } from './handler.js';

/** Deterministic name of an attempt's Job (ARCHITECTURE.md: `tf-<task>-<tool>-a<attempt>`). */
export function jobName(taskId: string, tool: string, attempt: number): string {
  return `tf-${taskId}-${tool.toLowerCase().replace(/_/g, '-')}-a${attempt}`;
}

export const scheduleTool: FunctionDef = {
  name: 'schedule-tool',
  placement: 'task-host',
  consumes: [EventType.toolReady],
  async handle(event, ports): Promise<ToolflowEvent[]> {
    if (!isEvent(event, EventType.toolReady)) return [];
    const d = event.data;
    const key = { taskId: d.taskId, tool: d.tool, attempt: d.attempt };
    if (!(await ports.store.moveToolRun(key, 'ready', { delivered_at: Date.now(), job_name: jobName(d.taskId, d.tool, d.attempt) }))) return [];
    try {
      await ports.executor.start(d, ports.reports.sinkFor(d.taskId));
      return [];
    } catch (err) {
      ports.reports.sinkFor(d.taskId)({
        kind: 'exit',
        ...key,
        at: Date.now(),
        exitCode: null,
        signal: null,
        oomKilled: false,
        peakMemBytes: null,
        stderrTail: '',
        missingOutputs: [],
        launchError: (err as Error).message,
      });
      ports.log.warn({ err, ...key }, 'could not launch attempt');
      return [];
    }
  },
};

