/**
 * `toolflow report TASK [-o FILE]`: writes the task's report, one self-contained HTML file
 * (`task-report/report-html.ts`), from the store and, for failed attempts, their stderr where their
 * work dirs are on this machine. The file is written whole (a temporary file in the same folder,
 * then renamed), so a reader never sees half of it; an existing file is replaced.
 */
import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadConfig } from '../runtime/config.js';
import { openStore } from '../store/open-store.js';
import { readTaskReport } from '../task-report/report-data.js';
import { reportHtml } from '../task-report/report-html.js';
import { barAttempts } from '../task-report/timeline-svg.js';
import { attemptDir } from './attempt-files.js';

/** Options of `toolflow report`. */
export interface ReportOptions {
  /** Where to write (default `toolflow-report-<task>.html` in the current folder). */
  output?: string;
  /** Where the work dirs are for tasks that did not record theirs (default: the configured work dir). */
  workdir?: string;
}

/** An error for people in place of a failed write of the report to `file`, for the causes a user fixes. */
function unwritable(err: unknown, file: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const fix = 'give another place with -o FILE';
  if ((code === 'ENOENT' || code === 'ENOTDIR') && !existsSync(dirname(file))) return new ConfigError(`cannot write the report to ${file}: the folder ${dirname(file)} does not exist; make it, or ${fix}`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT') return new ConfigError(`cannot write the report to ${file}: ${dirname(file)} is not writable (${code}); ${fix}`);
  if (code === 'EISDIR') return new ConfigError(`cannot write the report to ${file}: it is a folder; ${fix} (a file name, e.g. ${join(file, 'report.html')})`);
  return err;
}

/** The default file name: `toolflow-report-<task>.html`, the id's characters other than letters, digits, `.`, `_` and `-` made `_` (no path can come of it). */
export function defaultReportName(taskId: string): string {
  return `toolflow-report-${taskId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`;
}

/**
 * Runs `report`: writes the file and says where, with what it holds.
 * @throws NotFoundError for an unknown task; ConfigError when the file cannot be written there (its
 *   folder missing, not writable, or FILE a folder), saying which; any other file system error as it is.
 */
export async function reportCommand(taskId: string, opts: ReportOptions): Promise<void> {
  const config = loadConfig(process.env, opts.workdir ? { workDir: opts.workdir } : {});
  const store = await openStore(config.databasePath);
  let report;
  try {
    report = await readTaskReport(store, taskId, { dirOf: (id, tool, attempt) => attemptDir(config.workDir, id, tool, attempt) });
  } finally {
    await store.close();
  }
  const file = resolve(opts.output ?? defaultReportName(taskId));
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, reportHtml(report), { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw unwritable(err, file);
  }
  const attempts = report.tools.reduce((n, t) => n + barAttempts(t).length, 0);
  const failures = report.failures.length;
  process.stdout.write(`wrote ${file}: task ${report.task.taskId} (${report.task.status}), ${report.tools.length} tool${report.tools.length === 1 ? '' : 's'}, ${attempts} attempt${attempts === 1 ? '' : 's'} run, ${failures} failure${failures === 1 ? '' : 's'}\n`);
}
