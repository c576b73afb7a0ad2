/**
 * How the user API shows tasks: rows of the store as the OpenAPI document's `TaskListItem`, `Task`,
 * `Tool` and `Attempt` (times ISO 8601 UTC, durations ms, memory and disk bytes, cpu millicores),
 * and the opaque cursor of task pages. Server paths (work dirs) are not shown: an output's path is
 * relative to its attempt's work dir.
 */
import { specOf } from '../attempts/attempt-logs.js';
import { cachedFromOf, latestSucceeded, outputEntries, type OutputEntry } from '../attempts/recorded-outputs.js';
import type { AttemptRef } from '../events/catalog.js';
import type { InstanceOf } from '../spec/types.js';
import type { AttemptStatus } from '../scheduler/status.js';
import type { TaskCursor, TaskRow, ToolRunRow } from '../store/store.js';
import { attemptsOf, taskSummaryOf, type AttemptView, type TaskSummary } from '../task-report/attempt-view.js';
import { badRequest } from './errors.js';

export { attemptView, type AttemptView } from '../task-report/attempt-view.js';


/** A task as listed. */
export type TaskListItemView = TaskSummary;

/** One tool of a task: its status is its latest row's (a skipped tool has no attempt: `isAttempt`). */
export interface ToolView {
  /** Its name; an instance of a scattered tool is `template[key]` (`align[A]`). */
  name: string;
  status: AttemptStatus;
  rely: string[];
  /** The files it declares (paths relative to its work dir). */
  outputs: string[];
  /** The outputs of its newest succeeded attempt, with their names, sizes and checksums (`[]` until one succeeded). */
  outputFiles: OutputEntry[];
  /** The earlier attempt whose outputs its latest attempt reused (a cache hit), or null when it ran. */
  cached: AttemptRef | null;
  /** Where an instance of a scattered tool came from; null for a tool that is not one. */
  instance: InstanceOf | null;
  /** When the plan capped its cpu to the executor's most: what it asked for, millicores (its attempts' `resources` say what it got); else null. */
  requestedCpuMillicores: number | null;
  /** Its attempts, first to last; none for a tool that never ran (skipped, or cancelled before it was submitted). */
  attempts: AttemptView[];
}

/** A task with its tools. */
export interface TaskView extends TaskListItemView {
  cancelRequested: boolean;
  tools: ToolView[];
}

/** A task row as listed. */
export const taskListItemView: (t: TaskRow) => TaskListItemView = taskSummaryOf;

/** A task with its tools in workflow order, each with every attempt, from its rows. */
export function taskView(t: TaskRow, runs: ToolRunRow[]): TaskView {
  const byTool = new Map<string, ToolRunRow[]>();
  for (const r of runs) byTool.set(r.tool, [...(byTool.get(r.tool) ?? []), r]);
  const tools = specOf(t).tools.map((tool): ToolView => {
    const rows = (byTool.get(tool.name) ?? []).sort((a, b) => a.attempt - b.attempt);
    const last = rows[rows.length - 1];
    const good = latestSucceeded(rows);
    return {
      name: tool.name,
      status: last?.status ?? 'pending',
      rely: tool.rely,
      outputs: tool.outputs,
      outputFiles: good ? outputEntries(tool, good) : [],
      cached: last ? cachedFromOf(last) : null,
      instance: tool.instance ?? null,
      requestedCpuMillicores: tool.requestedCpuMillicores ?? null,
      attempts: attemptsOf(rows),
    };
  });
  return { ...taskListItemView(t), cancelRequested: t.cancel_requested_at !== null, tools };
}

/** The cursor of the page after `last`: base64url of `[created_at, id]`, opaque to clients. */
export function cursorAfter(last: TaskRow): string {
  return Buffer.from(JSON.stringify([Number(last.created_at), last.id])).toString('base64url');
}

/**
 * Reads a cursor made by `cursorAfter`.
 * @throws ApiError 400 for anything else.
 */
export function parseCursor(cursor: string): TaskCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || !Number.isSafeInteger(value[0]) || typeof value[1] !== 'string') {
    throw badRequest('cursor is not one this API gave: pass the nextCursor of the page before, as it is');
  }
  return { createdAt: value[0] as number, id: value[1] as string };
}
