/**
 * The result of a task as people and programs read it: one row per tool, from the store.
 */
import Table from 'cli-table3';
import type { TaskRow, ToolRunRow, Store } from '../store/store.js';
import { formatBytes } from '../spec/resources.js';
import type { WorkflowSpec } from '../spec/types.js';
import { NotFoundError } from '../errors.js';

/** One tool's result. `durationMs` runs from its first attempt's start to its last attempt's end. */
export interface ToolSummary {
  name: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'pending' | 'ready' | 'running';
  attempts: number;
  exitCode: number | null;
  reason: string | null;
  message: string | null;
  durationMs: number | null;
  peakMemBytes: number | null;
}

/** A task's result: the `--json` output of `toolflow run`. */
export interface TaskSummary {
  taskId: string;
  name: string;
  status: TaskRow['status'];
  error: string | null;
  durationMs: number | null;
  tools: ToolSummary[];
}

/**
 * Reads a task's summary.
 * @throws NotFoundError for an unknown task id.
 */
export async function summarizeTask(store: Store, taskId: string): Promise<TaskSummary> {
  const task = await store.getTask(taskId);
  if (!task) throw new NotFoundError(`no task ${taskId}; \`toolflow status\` lists recent tasks`);
  const { spec } = JSON.parse(task.spec) as { spec: WorkflowSpec };
  const byTool = new Map<string, ToolRunRow[]>();
  for (const r of await store.listToolRuns(taskId)) {
    const list = byTool.get(r.tool) ?? [];
    list.push(r);
    byTool.set(r.tool, list);
  }
  const tools = spec.tools.map((t): ToolSummary => {
    const runs = (byTool.get(t.name) ?? []).sort((a, b) => a.attempt - b.attempt);
    const last = runs[runs.length - 1];
    const firstStart = runs.find((r) => r.started_at !== null)?.started_at ?? null;
    const tried = runs.filter((r) => r.delivered_at !== null).length;
    return {
      name: t.name,
      status: last?.status ?? 'pending',
      attempts: tried,
      exitCode: last?.exit_code ?? null,
      reason: last?.reason ?? null,
      message: last?.message ?? null,
      durationMs: firstStart !== null && last?.finished_at ? last.finished_at - firstStart : null,
      peakMemBytes: last?.peak_mem_bytes ?? null,
    };
  });
  return {
    taskId,
    name: task.name,
    status: task.status,
    error: task.error,
    durationMs: task.started_at && task.finished_at ? task.finished_at - task.started_at : null,
    tools,
  };
}

/** Table borders without lines between rows. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** Formats milliseconds as `0.42s`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** The summary as a table for a terminal. */
export function summaryTable(summary: TaskSummary): string {
  const table = new Table({ head: ['tool', 'status', 'attempts', 'exit code', 'reason', 'duration', 'peak memory'], style: { head: [], border: [] }, chars: COMPACT });
  for (const t of summary.tools) {
    table.push([t.name, t.status, t.attempts, t.exitCode ?? '-', t.reason ?? '-', formatDuration(t.durationMs), t.peakMemBytes === null ? '-' : formatBytes(t.peakMemBytes)]);
  }
  const lines = [table.toString(), `task ${summary.taskId} (${summary.name}): ${summary.status} in ${formatDuration(summary.durationMs)}`];
  if (summary.error) lines.push(`error: ${summary.error}`);
  for (const t of summary.tools) if (t.status === 'failed' && t.message) lines.push(`  ${t.name}: ${t.message}`);
  return lines.join('\n');
}

/** The `--json` object: `{taskId, status, tools: [{name, status, attempts, exitCode, reason, durationMs}]}` and a few more fields. */
export function summaryJson(summary: TaskSummary): string {
  return JSON.stringify(summary);
}
