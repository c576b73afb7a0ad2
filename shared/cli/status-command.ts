/**
 * `toolflow status [TASK]`: one task's tools (the summary `run` prints) with the attempts of those
 * that ran more than once (`--attempts`: of every tool; `attempts-table.ts`), or a list of tasks,
 * newest first, from the store.
 */
import Table from 'cli-table3';
import { loadConfig } from '../runtime/config.js';
import type { TaskStatus } from '../scheduler/status.js';
import { openStore } from '../store/open-store.js';
import { withCacheFields } from '../cache/explain.js';
import { ConfigError } from '../errors.js';
import { lazyLogger } from '../runtime/lazy-logger.js';
import { describeProcess } from '../process-identity.js';
import { openCoordination } from '../runtime/adapters.js';
import { abandonedNote, driverOf, STALLED } from '../runtime/task-driver.js';
import type { TaskRow } from '../store/store.js';
import { attemptDir } from './attempt-files.js';
import { COMPACT, formatDuration, summarizeTask, summaryTable, taskListItem } from './summary.js';
import { DEFAULT_LIMIT } from './options.js';
import { attemptsSection } from './attempts-table.js';

export { DEFAULT_LIMIT, parseStatusFilter, TASK_STATUSES } from './options.js';

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
  /** Every attempt of every tool, not only of the tools that ran more than once (text output; JSON always has them all). */
  attempts?: boolean;
}

/**
 * Runs `status`: writes the task's summary, or the list, to stdout (JSON with `json`).
 * @throws NotFoundError for an unknown task; ConfigError for list options given with a task id, or
 *   `--attempts` without one.
 */
export async function statusCommand(taskId: string | undefined, opts: StatusOptions): Promise<void> {
  if (taskId && (opts.status || opts.all || opts.limit !== undefined)) {
    throw new ConfigError('--status, --limit and --all choose which tasks to list; leave them out to show one task');
  }
  if (!taskId && opts.attempts) throw new ConfigError('--attempts shows the attempts of one task: give its id (toolflow status TASK --attempts)');
  const config = loadConfig(process.env, opts.workdir ? { workDir: opts.workdir } : {});
  const store = await openStore(config.databasePath);
  // Who drives each unfinished task: its lock's holder (the database's locks table, or etcd).
  const coordination = await openCoordination(config, store, lazyLogger(config.logLevel, { component: 'toolflow' })).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const driverOfRow = (row: TaskRow) => driverOf(row, coordination);
  try {
    if (taskId) {
      // Cluster mode keeps outputs in the object store: their paths are object keys.
      const summary = await summarizeTask(store, taskId, { workDirOf: (id, tool, attempt) => attemptDir(config.workDir, id, tool, attempt), outputsIn: config.kubernetes ? 'objects' : 'local' });
      const row = (await store.getTask(taskId))!;
      const driver = await driverOfRow(row);
      if (opts.json) {
        const tools = await withCacheFields(store, row, summary.tools);
        process.stdout.write(JSON.stringify({ ...summary, tools, driver: driver.state, ...(driver.state === 'live' && driver.holder ? { driverProcess: driver.holder } : {}) }) + '\n');
        return;
      }
      const lines = [summaryTable(summary), ...attemptsSection(summary, opts.attempts ? 'all' : 'reruns')];
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
