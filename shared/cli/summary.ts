/**
 * The result of a task as people and programs read it: one row per tool, from the store, and for
 * each failed tool the last lines of its stderr and where its logs are.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { TaskRow, ToolRunRow, Store } from '../store/store.js';
import { formatBytes, formatCpu } from '../spec/resources.js';
import type { InstanceOf, ToolSpec, WorkflowSpec } from '../spec/types.js';
import type { AttemptRef } from '../events/catalog.js';
import { NotFoundError } from '../errors.js';
import { attemptObjectKey, outputSegments } from '../sidecar/pod-layout.js';
import { shellWord } from './messages.js';
import { cachedFromOf, latestSucceeded, outputEntries } from '../attempts/recorded-outputs.js';
import type { PublishReport } from '../attempts/publish.js';
import { attemptDir, readStderrTail } from './attempt-files.js';
import { attemptsOf, type AttemptView } from '../task-report/attempt-view.js';

/**
 * One output of a tool's newest succeeded attempt. `bytes` and `sha256` are as recorded when the
 * attempt ended (null for attempts that recorded none: older tasks).
 */
export interface OutputSummary {
  /** The named output it is (`bam`), or null for the list form of outputs. */
  name: string | null;
  /** Absolute path in the attempt's work dir (local executor), or its object key (cluster mode); the declared relative path when the work dir is not known. */
  path: string;
  bytes: number | null;
  /** SHA-256, lowercase hex. */
  sha256: string | null;
  /** Where `--outdir` (or `toolflow publish`) put it, absolute; null when it was not published by this command. */
  published: string | null;
}

/** What `--outdir` did, in a summary. */
export interface PublishSummary {
  /** DIR, absolute. */
  outdir: string;
  /** Files published. */
  files: number;
  /** How many of them were hard-linked, copied, downloaded (cluster mode), or were there already (the same file). */
  how: { link: number; copy: number; download: number; unchanged: number };
  /** Tools with outputs to publish that did not succeed, with their status: nothing of theirs was published. */
  notPublished: { tool: string; status: string }[];
  /** Files that could not be published, and why. */
  errors: { tool: string; path: string; message: string }[];
  /** Why nothing could be published at all (DIR unusable), else null. */
  error: string | null;
}

/**
 * One tool's result. `durationMs` runs from its first attempt's start to its last attempt's end (for
 * a cancelled attempt: until its process was gone, when the executor reported that).
 */
export interface ToolSummary {
  name: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'pending' | 'ready' | 'running';
  /**
   * Every attempt, first to last (as the API's task view has them): when each was submitted,
   * started and finished, its wall and cpu time, peak memory, exit code, reason and message, the
   * resources it was given, the attempt it reused. A tool that never ran (skipped, or cancelled
   * before it was submitted) has none (`isAttempt`); one still waiting has its next attempt,
   * `pending`; how many ran: those with `deliveredAt`.
   */
  attempts: AttemptView[];
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
  /** For an instance of a scattered tool (`align[A]`): its template, input, key and 0-based index; null otherwise. */
  instance: InstanceOf | null;
  /** When its last attempt did not run but reused the outputs of an earlier one (a cache hit): that attempt. */
  cached: AttemptRef | null;
  /** The outputs of its newest succeeded attempt, in declaration order (empty when none succeeded). */
  outputs: OutputSummary[];
  /** The cpu its last attempt had, millicores (what `TF_CPUS` was made of). */
  cpuMillicores: number;
  /** When the plan capped its cpu to the executor's most: what it asked for, millicores; null otherwise. */
  requestedCpuMillicores: number | null;
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
  /** Lines to heed that are no failure: each tool (or group of instances) whose cpu was capped (`cpuWarnings`). */
  warnings: string[];
  /** What `--outdir` published; null when nothing was asked to be. */
  published: PublishSummary | null;
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
 * The outputs of a tool's newest succeeded attempt `run` (`ToolSummary.outputs`, see
 * `outputEntries`), each at `location(path)`.
 */
export function outputSummaries(tool: Pick<ToolSpec, 'outputs' | 'namedOutputs' | 'bindings'>, run: Pick<ToolRunRow, 'outputs_json'>, location: (path: string) => string): OutputSummary[] {
  return outputEntries(tool, run).map((o) => ({ ...o, path: location(o.path), published: null }));
}

/** The instance names of a group of capped tools, at most three of them: `align[A] and align[B]`, `align[A], align[B], align[C] and 997 more instances of align`. */
function namesOf(group: ToolSummary[]): string {
  const first = group.slice(0, group.length > 3 ? 3 : group.length).map((t) => t.name);
  if (group.length <= 3) return first.length === 1 ? first[0]! : `${first.slice(0, -1).join(', ')} and ${first[first.length - 1]}`;
  const more = group.length - 3;
  return `${first.join(', ')} and ${more} more instance${more === 1 ? '' : 's'} of ${group[0]!.instance?.tool ?? group[0]!.name}`;
}

/**
 * A warning for each tool whose cpu the plan capped to the executor's most (issue 10 §5), instances
 * of one template with the same numbers in one line:
 * `align[A] asked for 4 cpu and ran with 2, the most this executor has (TF_CPUS=2)`.
 */
export function cpuWarnings(tools: readonly ToolSummary[]): string[] {
  const groups = new Map<string, ToolSummary[]>();
  for (const t of tools) {
    // A cache hit did not run: it got no cpu at all.
    if (t.cached || t.requestedCpuMillicores === null || t.requestedCpuMillicores <= t.cpuMillicores) continue;
    const key = `${t.instance?.tool ?? t.name}\0${t.requestedCpuMillicores}\0${t.cpuMillicores}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()].map((group) => {
    const { requestedCpuMillicores: asked, cpuMillicores: ran } = group[0]!;
    return `${namesOf(group)} asked for ${formatCpu(asked!)} cpu and ran with ${formatCpu(ran)}, the most this executor has (TF_CPUS=${Math.max(1, Math.floor(ran / 1000))})`;
  });
}

/**
 * Reads a task's summary; for each failed tool, also the last lines of its stderr (file reads).
 * @param options.workDirOf where attempts' files are when the task did not record its work folder
 *   (`tasks.work_dir`, null on older rows): the executor's `workDirOf`, or the configured work dir's
 *   layout; without it such tasks show no work dirs.
 * @param options.outputsIn where the outputs are: `local` work dirs (default), or `objects` (cluster
 *   mode: each output's `path` is then its object key, `attempts/<task>/<tool>/attempt-<n>/<path>`).
 * @throws NotFoundError for an unknown task id.
 */
export async function summarizeTask(store: Store, taskId: string, options: { workDirOf?: WorkDirOf; outputsIn?: 'local' | 'objects' } = {}): Promise<TaskSummary> {
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
      const good = latestSucceeded(runs);
      const location = (attempt: number) => (path: string) => {
        if (options.outputsIn === 'objects') return attemptObjectKey(taskId, t.name, attempt, path);
        if (!dirOf) return path;
        try {
          return join(dirOf(taskId, t.name, attempt), ...outputSegments(path));
        } catch {
          return path;
        }
      };
      return {
        name: t.name,
        status,
        attempts: attemptsOf(runs),
        exitCode: last?.exit_code ?? null,
        reason: last?.reason ?? null,
        message: last?.message ?? null,
        durationMs: firstStart !== null && last?.finished_at ? Number(last.finished_at) - Number(firstStart) : null,
        peakMemBytes: last?.peak_mem_bytes ?? null,
        evidence: last?.evidence ?? null,
        workDir,
        stderrTail: status === 'failed' && workDir !== null && lastDelivered === last ? await readStderrTail(workDir) : null,
        instance: t.instance ?? null,
        cached: last ? cachedFromOf(last) : null,
        outputs: good ? outputSummaries(t, good, location(Number(good.attempt))) : [],
        cpuMillicores: last ? Number(last.cpu_millicores) : t.cpuMillicores,
        requestedCpuMillicores: t.requestedCpuMillicores ?? null,
      };
    }),
  );
  return { ...taskListItem(task), tools, warnings: cpuWarnings(tools), published: null };
}

/**
 * Adds what publishing did to a summary (in place): each published output's `published` path, and
 * `summary.published`. @returns the summary.
 */
export function withPublished(summary: TaskSummary, report: PublishReport): TaskSummary {
  const byTool = new Map<string, Map<string, string>>();
  // By where the file was read (the summary's `path`), and by its relative path (a summary without work dirs shows that).
  for (const f of report.files) byTool.set(f.tool, (byTool.get(f.tool) ?? new Map<string, string>()).set(f.source, f.published).set(f.path, f.published));
  for (const t of summary.tools) {
    const files = byTool.get(t.name);
    if (files) for (const o of t.outputs) o.published = files.get(o.path) ?? null;
  }
  const how = { link: 0, copy: 0, download: 0, unchanged: 0 };
  for (const f of report.files) how[f.how]++;
  summary.published = { outdir: report.outdir, files: report.files.length, how, notPublished: report.notPublished, errors: report.errors, error: null };
  return summary;
}

/** Table borders without lines between rows. */
export const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/**
 * The table cli-table3 draws with `COMPACT` borders and no style, drawn in linear time: cli-table3
 * lays cells out in quadratic time (its span checks compare every cell with every other), ~0.3-0.45 s
 * for a 500-tool summary here (issue 10 §6). Cells of printable ASCII on one line are drawn here,
 * byte for byte as cli-table3 draws them (test/cli/summary-table.test.ts); any other cell (wide or
 * combining characters, colours, a newline) gets cli-table3 itself, loaded then.
 */
export function compactTable(head: string[], rows: (string | number)[][]): string {
  const all = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map(() => 0);
  for (const r of all) {
    for (let i = 0; i < r.length; i++) {
      const cell = r[i]!;
      if (!/^[\x20-\x7e]*$/.test(cell)) {
        const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
        const table = new Table({ head, style: { head: [], border: [] }, chars: COMPACT });
        table.push(...rows);
        return table.toString();
      }
      if (cell.length > widths[i]!) widths[i] = cell.length;
    }
  }
  const rule = (left: string, mid: string, right: string) => left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  const line = (r: string[]) => `│${widths.map((w, i) => ` ${(r[i] ?? '').padEnd(w)} `).join('│')}│`;
  return [rule('┌', '┬', '┐'), ...all.map(line), rule('└', '┴', '┘')].join('\n');
}

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
  if (t.workDir) lines.push(`    logs:   ${t.workDir}/ ${t.stderrTail === null ? '(not found on this machine)' : `(toolflow logs ${taskId} ${shellWord(t.name)})`}`);
  return lines;
}

/** How many of a tool's attempts were submitted to run (a pending one is not yet). */
export function attemptsRun(t: Pick<ToolSummary, 'attempts'>): number {
  return t.attempts.filter((a) => a.deliveredAt !== null).length;
}

/** The reason column: a cache hit names the task whose attempt it reused. */
function reasonCell(t: ToolSummary): string {
  if (t.cached) return t.cached.taskId === '' ? 'cached' : `cached (task ${t.cached.taskId})`;
  return t.reason ?? '-';
}

/** At most `n` names, then how many more. */
function someNames(names: string[], n = 10): string {
  return names.length <= n ? names.join(', ') : `${names.slice(0, n).join(', ')} and ${names.length - n} more`;
}

/**
 * What `--outdir` did, for people: `published 12 files to /…/results (hard links)`, what was not
 * published because it did not succeed, and each file that could not be published.
 */
export function publishLines(p: PublishSummary, taskStatus: string): string[] {
  const labels = { link: ['hard link', 'hard links'], copy: ['copy', 'copies'], download: ['download', 'downloads'], unchanged: ['already there', 'already there'] } as const;
  const used = (Object.keys(labels) as (keyof typeof labels)[]).filter((k) => p.how[k] > 0);
  const kinds = used.length === 1 ? [labels[used[0]!][1]] : used.map((k) => `${p.how[k]} ${labels[k][p.how[k] === 1 ? 0 : 1]}`);
  if (p.error) return [`not published to ${p.outdir}: ${p.error}`];
  const lines = [p.files === 0 ? `published nothing to ${p.outdir}` : `published ${p.files === 1 ? '1 file' : `${p.files} files`} to ${p.outdir} (${kinds.join(', ')})`];
  if (p.notPublished.length > 0) {
    const what = p.notPublished.map((n) => `${n.tool} (${n.status})`);
    lines.push(`${taskStatus === 'succeeded' ? '' : `the task ${taskStatus}: only what succeeded was published; `}not published: ${someNames(what)}`);
  }
  for (const e of p.errors.slice(0, 20)) lines.push(`  not published: ${e.tool} ${e.path}: ${e.message}`);
  if (p.errors.length > 20) lines.push(`  … and ${p.errors.length - 20} more files not published (see --json)`);
  return lines;
}

/**
 * The summary as a table for a terminal (one row per tool; instances by their names, `align[A]`;
 * a cache hit says `cached (task …)` in the reason column), then the task's outcome, the cpu
 * warnings, what was published, and what went wrong.
 */
export function summaryTable(summary: TaskSummary): string {
  const rows = summary.tools.map((t) => [t.name, t.status, attemptsRun(t), t.exitCode ?? '-', reasonCell(t), formatDuration(t.durationMs), t.peakMemBytes === null ? '-' : formatBytes(t.peakMemBytes)]);
  const lines = [compactTable(['tool', 'status', 'attempts', 'exit code', 'reason', 'duration', 'peak memory'], rows), `task ${summary.taskId} (${summary.name}): ${summary.status} in ${formatDuration(summary.durationMs)}`];
  if (summary.error) lines.push(`error: ${summary.error}`);
  for (const w of summary.warnings ?? []) lines.push(`warning: ${w}`);
  if (summary.published) lines.push(...publishLines(summary.published, summary.status));
  for (const t of summary.tools) if (t.status === 'failed') lines.push(...failureDetails(summary.taskId, t));
  return lines.join('\n');
}

/**
 * The `--json` object: `{taskId, name, status, error, durationMs, …, warnings, published, tools:
 * [{name, status, attempts: [{attempt, status, reason, message, exitCode, resources, peakMemBytes,
 * cpuTimeMs, deliveredAt, startedAt, finishedAt, durationMs, cachedFrom, …}], exitCode, reason,
 * durationMs, workDir, stderrTail, instance, cached, outputs: [{name, path, bytes, sha256,
 * published}], cpuMillicores, requestedCpuMillicores, …}]}`.
 */
export function summaryJson(summary: TaskSummary): string {
  return JSON.stringify(summary);
}
