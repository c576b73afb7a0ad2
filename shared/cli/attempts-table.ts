/**
 * The attempts of a task's tools as `toolflow status TASK` prints them under its summary: one row
 * per attempt (when it was submitted and started after the task was created, its wall time, its cpu
 * time and share of the cpu it was given, its peak memory and share of the memory it was given, what
 * it was given), then the message of each failed attempt that is not a tool's last (the summary
 * shows those). By default only the tools that ran more than once are shown (a rerun's history is
 * what the summary table cannot tell); `--attempts` shows every tool's.
 */
import { formatBytes, formatCpu } from '../spec/resources.js';
import { usageOf, type AttemptView } from '../task-report/attempt-view.js';
import { cleanLine } from './attempt-files.js';
import { compactTable, formatDuration, type TaskSummary } from './summary.js';

/** Which tools' attempts `attemptsSection` shows: those with more than one attempt, or all. */
export type AttemptsShown = 'reruns' | 'all';

/** `+1.25s` after `origin` (epoch ms); `-` when `at` is null. */
function after(origin: number, at: string | null): string {
  return at === null ? '-' : `+${formatDuration(Math.max(0, Date.parse(at) - origin))}`;
}

/** `45%`, or `-` for null. */
function percent(fraction: number | null): string {
  return fraction === null ? '-' : `${Math.round(fraction * 100)}%`;
}

/** The status cell: a cache hit says so. */
function statusCell(a: AttemptView): string {
  return a.cachedFrom ? `${a.status} (cached)` : a.status;
}

/**
 * The table's rows: `[tool, attempt, status, exit code, reason, submitted, started, wall, cpu time,
 * cpu used, peak memory, memory used, given]`, times after the task's creation. With `all`, a tool
 * that never ran (no attempt: skipped, or cancelled before it was submitted) has one row saying so,
 * `[tool, '-', 'skipped (not run)', '-', …]`, and no attempt.
 */
export function attemptRows(summary: Pick<TaskSummary, 'createdAt' | 'tools'>, shown: AttemptsShown): string[][] {
  const origin = Date.parse(summary.createdAt);
  const rows: string[][] = [];
  for (const t of summary.tools) {
    if (shown === 'reruns' && t.attempts.length < 2) continue;
    if (t.attempts.length === 0) rows.push([t.name, '-', `${t.status} (not run)`, ...ATTEMPT_HEAD.slice(3).map(() => '-')]);
    for (const a of t.attempts) {
      const use = usageOf(a);
      rows.push([
        t.name,
        String(a.attempt),
        statusCell(a),
        a.exitCode === null ? '-' : String(a.exitCode),
        a.reason ?? '-',
        after(origin, a.deliveredAt),
        after(origin, a.startedAt),
        formatDuration(a.durationMs),
        a.cpuTimeMs === null ? '-' : formatDuration(a.cpuTimeMs),
        percent(use.cpu),
        a.peakMemBytes === null ? '-' : formatBytes(a.peakMemBytes),
        percent(use.memory),
        `${formatCpu(a.resources.cpuMillicores)} cpu, ${formatBytes(a.resources.memBytes)}`,
      ]);
    }
  }
  return rows;
}

/** The header of the attempts table. */
export const ATTEMPT_HEAD = ['tool', 'attempt', 'status', 'exit code', 'reason', 'submitted', 'started', 'wall', 'cpu time', 'cpu used', 'peak memory', 'memory used', 'given'];

/**
 * The attempts section of `toolflow status TASK`: a title line, the table, and `  tool attempt N:
 * message` for each failed attempt that was rerun (its message is not in the summary). Empty when no
 * tool qualifies (`reruns`: none ran more than once).
 */
export function attemptsSection(summary: Pick<TaskSummary, 'createdAt' | 'tools'>, shown: AttemptsShown): string[] {
  const rows = attemptRows(summary, shown);
  if (rows.length === 0) return [];
  const title =
    shown === 'all'
      ? 'attempts (times after the task was created; cpu used: cpu time / (wall × cpu given); memory used: peak / memory given):'
      : 'attempts of the tools that ran more than once (toolflow status TASK --attempts shows every tool\'s):';
  const lines = [title, compactTable(ATTEMPT_HEAD, rows)];
  for (const t of summary.tools) {
    if (shown === 'reruns' && t.attempts.length < 2) continue;
    for (const a of t.attempts.slice(0, -1)) if (a.status === 'failed' && a.message) lines.push(`  ${t.name} attempt ${a.attempt}: ${cleanLine(a.message)}`);
  }
  return lines;
}
