/**
 * What `toolflow report` shows of a task, read from the store (and, for failed attempts, the last
 * lines of their `stderr.log` where the attempt's work dir is on this machine): the task, each tool
 * in workflow order with every attempt (`AttemptView`), and every failed attempt with its message.
 * Times are ISO 8601 UTC as in the API; `generatedAt` is when the report was made (a task still
 * running is drawn up to then).
 */
import { join } from 'node:path';
import { NotFoundError } from '../errors.js';
import type { InstanceOf, WorkflowSpec } from '../spec/types.js';
import type { AttemptStatus } from '../scheduler/status.js';
import type { Store, TaskRow, ToolRunRow } from '../store/store.js';
import { readStderrTail } from '../cli/attempt-files.js';
import { attemptsOf, taskSummaryOf, type AttemptView, type TaskSummary } from './attempt-view.js';

/** Lines of a failed attempt's stderr the report shows. */
export const REPORT_STDERR_LINES = 20;
/** Failed attempts whose stderr is read (a scatter with thousands of failures shows the messages of all, the stderr of these first ones). */
export const MAX_STDERR_READS = 200;

/** Where an attempt's files are on this machine: `(taskId, tool, attempt) => folder`. */
export type AttemptDirOf = (taskId: string, tool: string, attempt: number) => string;

/** One tool of the report. Its status is its last row's (`pending` when it has none). */
export interface ReportTool {
  name: string;
  status: AttemptStatus;
  /** Its last row's message: why it was skipped (`a failed`), how its last attempt ended; null when none. */
  message: string | null;
  rely: string[];
  /** Where an instance of a scattered tool came from (`align[A]` of `align`), else null. */
  instance: InstanceOf | null;
  /** Its attempts (`attemptsOf`): none for a tool that never ran (skipped, or cancelled before it was submitted). */
  attempts: AttemptView[];
}

/** A failed attempt: what the report's failures section lists. */
export interface ReportFailure {
  tool: string;
  attempt: number;
  reason: string | null;
  message: string | null;
  exitCode: number | null;
  signal: string | null;
  evidence: string | null;
  /** Whether a later attempt of the tool followed (the failure was rerun). */
  rerun: boolean;
  /** The last lines of its stderr (cleaned of control characters; empty: stderr was empty); null when not read or not on this machine. */
  stderrTail: string[] | null;
}

/** The report's data. */
export interface TaskReport {
  task: TaskSummary;
  generatedAt: string;
  tools: ReportTool[];
  failures: ReportFailure[];
}


/**
 * The report of a task from its rows: tools in the order of its stored plan, each with its
 * attempts; failures with the stderr `tails` gives (by `tool/attempt`).
 */
export function reportFrom(task: TaskRow, runs: ToolRunRow[], now: number, tails: ReadonlyMap<string, string[] | null> = new Map()): TaskReport {
  const { spec } = JSON.parse(task.spec) as { spec: WorkflowSpec };
  const byTool = new Map<string, ToolRunRow[]>();
  for (const r of runs) byTool.set(r.tool, [...(byTool.get(r.tool) ?? []), r]);
  const tools = spec.tools.map((t): ReportTool => {
    const rows = (byTool.get(t.name) ?? []).sort((a, b) => Number(a.attempt) - Number(b.attempt));
    const last = rows[rows.length - 1];
    return { name: t.name, status: last?.status ?? 'pending', message: last?.message ?? null, rely: t.rely, instance: t.instance ?? null, attempts: attemptsOf(rows) };
  });
  const failures: ReportFailure[] = [];
  for (const t of tools) {
    t.attempts.forEach((a, i) => {
      if (a.status !== 'failed') return;
      failures.push({
        tool: t.name,
        attempt: a.attempt,
        reason: a.reason,
        message: a.message,
        exitCode: a.exitCode,
        signal: a.signal,
        evidence: a.evidence,
        rerun: i < t.attempts.length - 1,
        stderrTail: tails.get(`${t.name}/${a.attempt}`) ?? null,
      });
    });
  }
  return {
    task: taskSummaryOf(task),
    generatedAt: new Date(now).toISOString(),
    tools,
    failures,
  };
}

/**
 * Reads a task's report from the store; the stderr of its first `MAX_STDERR_READS` failed attempts
 * from their work dirs (the task's recorded work folder, else `dirOf`; none: no stderr is shown).
 * @throws NotFoundError for an unknown task id.
 */
export async function readTaskReport(store: Pick<Store, 'getTask' | 'listToolRuns'>, taskId: string, options: { dirOf?: AttemptDirOf; now?: number } = {}): Promise<TaskReport> {
  const task = await store.getTask(taskId);
  if (!task) throw new NotFoundError(`no task ${taskId}; \`toolflow status\` lists recent tasks`);
  const runs = await store.listToolRuns(taskId);
  const recorded = task.work_dir;
  const dirOf: AttemptDirOf | undefined = recorded !== null ? (id, tool, attempt) => join(recorded, id, tool, `attempt-${attempt}`) : options.dirOf;
  const tails = new Map<string, string[] | null>();
  if (dirOf) {
    const failed = runs.filter((r) => r.status === 'failed' && r.delivered_at !== null).slice(0, MAX_STDERR_READS);
    await Promise.all(
      failed.map(async (r) => {
        let dir: string;
        try {
          dir = dirOf(taskId, r.tool, Number(r.attempt));
        } catch {
          return; // a name that cannot be a folder: nothing to read
        }
        tails.set(`${r.tool}/${r.attempt}`, await readStderrTail(dir, REPORT_STDERR_LINES));
      }),
    );
  }
  return reportFrom(task, runs, options.now ?? Date.now(), tails);
}
