/**
 * The result of a task as people and programs read it: one row per tool, from the store, and for
 * each failed tool the last lines of its stderr and where its logs are.
 */
import Table from 'cli-table3';
import type { TaskRow, ToolRunRow, Store } from '../store/store.js';
import { formatBytes } from '../spec/resources.js';
import type { WorkflowSpec } from '../spec/types.js';
import { NotFoundError } from '../errors.js';
import { attemptDir, readStderrTail } from './attempt-files.js';

/**
 * One tool's result. `durationMs` runs from its first attempt's start to its last attempt's end (for
 * a cancelled attempt: until its process was gone, when the executor reported that).
 */
export interface ToolSummary {
  name: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'pending' | 'ready' | 'running';
  attempts: number;
  exitCode: number | null;
  reason: string | null;
  message: string | null;
  durationMs: number | null;
  peakMemBytes: number | null;
  /** What the last attempt's outcome was read from when the platform told it (cluster mode: the Pod's status), else null. */
  evidence: string | null;
  /** Work dir of the last attempt that was delivered (its `stdout.log`, `stderr.log`, `command.sh`); null when none was. */
  workDir: string | null;
  /** For a failed tool: the last lines of its last attempt's stderr (empty: stderr was empty; null: no `stderr.log` found). Null otherwise. */
  stderrTail: string[] | null;
}

/**
 * What a task list shows of each task, also part of a task's summary. Times are ISO 8601 (UTC),
 * `durationMs` milliseconds from start to end (null until both are known).
 */
export interface TaskListItem {
  taskId: string;
  name: string;
  owner: string;
  status: TaskRow['status'];
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Folder holding the task's work dirs, as recorded at submit (null: not recorded). */
  workDir: string | null;
}

/** A task's result: the `--json` output of `toolflow run` and `toolflow status TASK`. */
export interface TaskSummary extends TaskListItem {
  tools: ToolSummary[];
}

export { countOf } from './messages.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** A task row as listed by `toolflow status`. */
export function taskListItem(task: TaskRow): TaskListItem {
  return {
    taskId: task.id,
    name: task.name,
    owner: task.owner,
    status: task.status,
    error: task.error,
    createdAt: iso(task.created_at)!,
    startedAt: iso(task.started_at),
    finishedAt: iso(task.finished_at),
    durationMs: task.started_at && task.finished_at ? Number(task.finished_at) - Number(task.started_at) : null,
    workDir: task.work_dir,
  };
}

/** Where an attempt's files are: `(taskId, tool, attempt) => folder` (`Executor.workDirOf`). */
export type WorkDirOf = (taskId: string, tool: string, attempt: number) => string;

/**
 * Reads a task's summary; for each failed tool, also the last lines of its stderr (file reads).
 * @param options.workDirOf where attempts' files are when the task did not record its work folder
 *   (`tasks.work_dir`, null on older rows): the executor's `workDirOf`, or the configured work dir's
 *   layout; without it such tasks show no work dirs.
 * @throws NotFoundError for an unknown task id.
 */
export async function summarizeTask(store: Store, taskId: string, options: { workDirOf?: WorkDirOf } = {}): Promise<TaskSummary> {
  const task = await store.getTask(taskId);
  if (!task) throw new NotFoundError(`no task ${taskId}; \`toolflow status\` lists recent tasks`);
  const { spec } = JSON.parse(task.spec) as { spec: WorkflowSpec };
  const recorded = task.work_dir;
  const dirOf: WorkDirOf | undefined = recorded !== null ? (id, tool, attempt) => attemptDir(recorded, id, tool, attempt) : options.workDirOf;
  const byTool = new Map<string, ToolRunRow[]>();
  for (const r of await store.listToolRuns(taskId)) {
    const list = byTool.get(r.tool) ?? [];
    list.push(r);
    byTool.set(r.tool, list);
  }
  const tools = await Promise.all(
    spec.tools.map(async (t): Promise<ToolSummary> => {
      const runs = (byTool.get(t.name) ?? []).sort((a, b) => a.attempt - b.attempt);
      const last = runs[runs.length - 1];
      const firstStart = runs.find((r) => r.started_at !== null)?.started_at ?? null;
      const delivered = runs.filter((r) => r.delivered_at !== null);
      const lastDelivered = delivered[delivered.length - 1];
      const workDir = dirOf && lastDelivered ? dirOf(taskId, t.name, lastDelivered.attempt) : null;
      const status = last?.status ?? 'pending';
      return {
        name: t.name,
        status,
        attempts: delivered.length,
        exitCode: last?.exit_code ?? null,
        reason: last?.reason ?? null,
        message: last?.message ?? null,
        durationMs: firstStart !== null && last?.finished_at ? Number(last.finished_at) - Number(firstStart) : null,
        peakMemBytes: last?.peak_mem_bytes ?? null,
        evidence: last?.evidence ?? null,
        workDir,
        stderrTail: status === 'failed' && workDir !== null && lastDelivered === last ? await readStderrTail(workDir) : null,
      };
    }),
  );
  return { ...taskListItem(task), tools };
}

/** Table borders without lines between rows. */
export const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** Formats milliseconds as `0.42s`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * What to read about a failed tool, under its message:
 * ```
 *   bad: exited with code 1
 *     stderr: cat: nope.txt: No such file or directory
 *     logs:   /…/work/<task>/bad/attempt-1/ (toolflow logs <task> bad)
 * ```
 */
export function failureDetails(taskId: string, t: ToolSummary): string[] {
  const lines = [`  ${t.name}: ${t.message ?? t.reason ?? 'failed'}`];
  if (t.evidence) lines.push(`    seen:   ${t.evidence}`);
  if (t.stderrTail && t.stderrTail.length > 0) t.stderrTail.forEach((l, i) => lines.push(`    ${i === 0 ? 'stderr:' : '       '} ${l}`));
  else if (t.stderrTail) lines.push('    stderr: (empty)');
  if (t.workDir) lines.push(`    logs:   ${t.workDir}/ ${t.stderrTail === null ? '(not found on this machine)' : `(toolflow logs ${taskId} ${t.name})`}`);
  return lines;
}

/** The summary as a table for a terminal, then the task's outcome and what went wrong. */
export function summaryTable(summary: TaskSummary): string {
  const table = new Table({ head: ['tool', 'status', 'attempts', 'exit code', 'reason', 'duration', 'peak memory'], style: { head: [], border: [] }, chars: COMPACT });
  for (const t of summary.tools) {
    table.push([t.name, t.status, t.attempts, t.exitCode ?? '-', t.reason ?? '-', formatDuration(t.durationMs), t.peakMemBytes === null ? '-' : formatBytes(t.peakMemBytes)]);
  }
  const lines = [table.toString(), `task ${summary.taskId} (${summary.name}): ${summary.status} in ${formatDuration(summary.durationMs)}`];
  if (summary.error) lines.push(`error: ${summary.error}`);
  for (const t of summary.tools) if (t.status === 'failed') lines.push(...failureDetails(summary.taskId, t));
  return lines.join('\n');
}

/** The `--json` object: `{taskId, name, status, error, durationMs, …, tools: [{name, status, attempts, exitCode, reason, durationMs, workDir, stderrTail, …}]}`. */
export function summaryJson(summary: TaskSummary): string {
  return JSON.stringify(summary);
}
