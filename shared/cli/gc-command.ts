/**
 * `toolflow gc [--older-than DURATION] [--dry-run] [--json]`: removes the work dirs and input
 * objects of tasks that finished before the cutoff and that no newer task needs
 * (`runtime/gc.ts`, which has the rules), and prints what it removed and the bytes freed.
 */
import { ConfigError } from '../errors.js';
import { loadConfig } from '../runtime/config.js';
import { collectGarbage, type GcReport } from '../runtime/gc.js';
import { formatBytes, formatSeconds } from '../spec/resources.js';
import { openStore } from '../store/open-store.js';

/** Options of `toolflow gc`. */
export interface GcCommandOptions {
  /** Seconds: tasks that finished longer ago than this are collected (default 7 days; `--older-than` is parsed in main.ts: 0, or `parseDuration`'s forms). */
  olderThan?: number;
  dryRun?: boolean;
  json?: boolean;
  /** Where the work dirs are, for tasks that did not record theirs (default: the configured work dir). */
  workdir?: string;
}

/** The default of `--older-than`: 7 days, in seconds. */
export const DEFAULT_GC_AGE_SECONDS = 7 * 86_400;

/** `GcReport` in lines for people. */
export function gcLines(report: GcReport): string[] {
  const would = report.dryRun ? 'would remove' : 'removed';
  const lines: string[] = [];
  for (const t of report.tasks) {
    const kept = t.keptAttempts.length ? ` (kept ${t.keptAttempts.join(', ')}: reused by a newer task)` : '';
    lines.push(`${would} task ${t.taskId} (${t.name}, ${t.status} ${new Date(t.finishedAt).toISOString()})${t.dir ? `: ${t.dir}` : ': no work dir on this machine'}${kept}`);
  }
  for (const o of report.objects) {
    const what = o.kind === 'reference' ? 'a link to the user\'s file, which stays' : o.kind === 'link' ? 'a hard link: the user\'s file stays' : 'a stored copy';
    lines.push(`${would} input object ${o.key} (${what}${o.taskId ? '' : '; no task used it'})`);
  }
  if (report.checksumsDropped) lines.push(`${report.dryRun ? 'would drop' : 'dropped'} ${report.checksumsDropped} checksum record(s) of input files gone or changed`);
  for (const p of report.problems) lines.push(`could not remove ${p}`);
  const freed = `${formatBytes(report.freedBytes)} (${report.freedBytes} bytes)`;
  lines.push(
    `${report.dryRun ? 'dry run: would free' : 'freed'} ${freed} in ${report.removedFiles} file(s) and link(s), from ${report.tasks.length} task(s) finished before ${new Date(report.before).toISOString()}; ` +
      `${report.keptTasks} newer or unfinished task(s) kept. Bytes count only files whose every hard link went (an input held in place stays the user's, a published result stays in its --outdir)`,
  );
  return lines;
}

/**
 * Runs `gc`. Writes the report (JSON with `json`: `GcReport`).
 * @returns 0, or 1 when something could not be removed.
 * @throws ConfigError in cluster mode (attempts' files are in the object store there: use the
 *   bucket's lifecycle rules); the store's error.
 */
export async function gcCommand(opts: GcCommandOptions): Promise<number> {
  const config = loadConfig(process.env, opts.workdir ? { workDir: opts.workdir } : {});
  if (config.kubernetes) throw new ConfigError('toolflow gc collects this machine\'s work dirs and local objects; in cluster mode the attempts\' files are in the object store: expire them with the bucket\'s lifecycle rules');
  const age = opts.olderThan ?? DEFAULT_GC_AGE_SECONDS;
  const store = await openStore(config.databasePath);
  try {
    const report = await collectGarbage(
      { store, workDir: config.workDir, ...(config.s3 ? {} : { objectsDir: config.objectsDir }) },
      { before: Date.now() - age * 1000, dryRun: opts.dryRun },
    );
    if (opts.json) process.stdout.write(JSON.stringify({ ...report, olderThanSeconds: age, objectsCollected: !config.s3 }) + '\n');
    else {
      const lines = gcLines(report);
      if (config.s3) lines.push(`input objects are in S3 (bucket ${config.s3.bucket}) and were not collected: expire them with the bucket's lifecycle rules`);
      if (report.tasks.length === 0) lines.unshift(`no task finished more than ${age ? formatSeconds(age) : '0s'} ago: nothing to remove`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    return report.problems.length ? 1 : 0;
  } finally {
    await store.close();
  }
}
