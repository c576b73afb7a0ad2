/**
 * `toolflow status [TASK]`: one task's tools (the summary `run` prints), or a list of tasks, newest
 * first, from the store.
 */
import Table from 'cli-table3';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../runtime/config.js';
import type { TaskStatus } from '../scheduler/status.js';
import { openStore } from '../store/open-store.js';
import { ConfigError } from '../errors.js';
import { pino } from 'pino';
import { describeProcess } from '../process-identity.js';
import { openCoordination } from '../runtime/adapters.js';
import { abandonedNote, driverOf, STALLED } from '../runtime/task-driver.js';
import type { TaskRow } from '../store/store.js';
import { attemptDir } from './attempt-files.js';
import { COMPACT, formatDuration, summarizeTask, summaryTable, taskListItem } from './summary.js';

/** Every task status, for `--status`. */
export const TASK_STATUSES: readonly TaskStatus[] = ['queued', 'processing', 'succeeded', 'failed', 'cancelled'];

/** How many tasks `status` lists by default. */
export const DEFAULT_LIMIT = 20;

/** Options of `toolflow status`. */
export interface StatusOptions {
  json?: boolean;
  /** At most this many tasks (default 20); ignored with `all`. */
  limit?: number;
  /** Every task. */
  all?: boolean;
  /** Only tasks with one of these statuses. */
  status?: TaskStatus[];
  /** Where the work dirs are for tasks that did not record theirs (default: the configured work dir). */
  workdir?: string;
}

/**
 * Parses `--status` values: one status or several separated by commas (`failed,processing`),
 * added to those of earlier `--status` flags.
 * @throws InvalidArgumentError naming the unknown status and the valid ones.
 */
export function parseStatusFilter(value: string, previous: TaskStatus[] = []): TaskStatus[] {
  const out = [...previous];
  for (const raw of value.split(',')) {
    const s = raw.trim().toLowerCase();
    if (!(TASK_STATUSES as readonly string[]).includes(s)) throw new InvalidArgumentError(`"${raw.trim()}" is not a task status; use one of ${TASK_STATUSES.join(', ')} (several separated by commas)`);
    if (!out.includes(s as TaskStatus)) out.push(s as TaskStatus);
  }
  return out;
}

/**
 * Runs `status`: writes the task's summary, or the list, to stdout (JSON with `json`).
 * @throws NotFoundError for an unknown task; ConfigError for list options given with a task id.
 */
export async function statusCommand(taskId: string | undefined, opts: StatusOptions): Promise<void> {
  if (taskId && (opts.status || opts.all || opts.limit !== undefined)) {
    throw new ConfigError('--status, --limit and --all choose which tasks to list; leave them out to show one task');
  }
  const config = loadConfig(process.env, opts.workdir ? { workDir: opts.workdir } : {});
  const store = await openStore(config.databasePath);
  // Who drives each unfinished task: its lock's holder (the database's locks table, or etcd).
  const coordination = await openCoordination(config, store, pino({ level: config.logLevel }, pino.destination(2))).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const driverOfRow = (row: TaskRow) => driverOf(row, coordination);
  try {
    if (taskId) {
      const summary = await summarizeTask(store, taskId, { workDirOf: (id, tool, attempt) => attemptDir(config.workDir, id, tool, attempt) });
      const row = (await store.getTask(taskId))!;
      const driver = await driverOfRow(row);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...summary, driver: driver.state, ...(driver.state === 'live' && driver.holder ? { driverProcess: driver.holder } : {}) }) + '\n');
        return;
      }
      const lines = [summaryTable(summary)];
      if (driver.state === 'gone') lines.push(`driver: none — ${abandonedNote(row)}`);
      else if (driver.state === 'live') lines.push(`driver: ${driver.holder ? describeProcess(driver.holder) : 'a live process (its lock is held)'}`);
      if (row.status === 'processing' && row.error?.startsWith(STALLED)) lines.push(`stalled: ${row.error.slice(STALLED.length)}`);
      process.stdout.write(lines.join('\n') + '\n');
      return;
    }
    const limit = opts.all ? null : (opts.limit ?? DEFAULT_LIMIT);
    // One more than asked, to tell whether there are more.
    const rows = await store.listTasks(limit === null ? null : limit + 1, opts.status ? { status: opts.status } : {});
    const more = limit !== null && rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const drivers = await Promise.all(shown.map(driverOfRow));
    const tasks = shown.map((row, i) => ({ ...taskListItem(row), driver: drivers[i]!.state }));
    if (opts.json) {
      process.stdout.write(JSON.stringify(tasks) + '\n');
      return;
    }
    const which = opts.status ? `${opts.status.join(' or ')} ` : '';
    if (tasks.length === 0) {
      process.stdout.write(opts.status ? `no ${which}tasks\n` : 'no tasks yet\n');
      return;
    }
    const table = new Table({ head: ['task', 'workflow', 'status', 'created', 'duration'], style: { head: [], border: [] }, chars: COMPACT });
    for (const t of tasks) table.push([t.taskId, t.name, t.driver === 'gone' ? `${t.status} (driver gone)` : t.status, t.createdAt, formatDuration(t.durationMs)]);
    process.stdout.write(table.toString() + '\n');
    if (tasks.some((t) => t.driver === 'gone')) process.stdout.write('driver gone: the process that ran the task died; toolflow status TASK tells how to go on (toolflow resume TASK or toolflow cancel TASK)\n');
    if (more) process.stdout.write(`showing the newest ${limit}${opts.status ? ` ${opts.status.join(' or ')}` : ''}; --limit N or --all for more\n`);
  } finally {
    await coordination.close();
    await store.close();
  }
}
