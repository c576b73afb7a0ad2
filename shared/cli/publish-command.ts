/**
 * `toolflow publish TASK --outdir DIR`: puts the results of a task that has ended into DIR, as
 * `toolflow run --outdir DIR` does at the end of a run (`attempts/publish.ts`): `DIR/<tool>/<file>`,
 * instances in `DIR/<tool>/<key>/<file>`, hard links to the work dirs' files (copies across
 * filesystems); in cluster mode (`TOOLFLOW_EXECUTOR=kubernetes`) downloads from the object store.
 */
import { ConfigError } from '../errors.js';
import { LocalObjectStore } from '../objects/local-object-store.js';
import type { ObjectStore } from '../objects/object-store.js';
import { loadConfig } from '../runtime/config.js';
import { localSource, publishTask, type OutputSource, type PublishReport } from '../attempts/publish.js';
import { openStore } from '../store/open-store.js';
import { publishLines, type PublishSummary } from './summary.js';

/** Options of `toolflow publish`. */
export interface PublishOptions {
  /** DIR. */
  outdir: string;
  json?: boolean;
  /** Where the work dirs are, for tasks that did not record theirs (default: the configured work dir). */
  workdir?: string;
}

/** The counts `publishLines` shows, from a report. */
function summaryOf(report: PublishReport): PublishSummary {
  const how = { link: 0, copy: 0, download: 0, unchanged: 0 };
  for (const f of report.files) how[f.how]++;
  return { outdir: report.outdir, files: report.files.length, how, notPublished: report.notPublished, errors: report.errors, error: null };
}

/**
 * Publishes a task's results. Writes what was done (JSON with `json`: `{taskId, status, outdir,
 * files: [{tool, attempt, name, path, source, published, bytes, how}], notPublished, errors}`).
 * @returns 0 when every output to publish was published; 1 when some were not (a tool that did not
 *   succeed, a file that could not be placed).
 * @throws NotFoundError for an unknown task; ConfigError for a task that has not ended, or a DIR
 *   that cannot be used.
 */
export async function publishCommand(taskId: string, opts: PublishOptions): Promise<number> {
  if (!opts.outdir) throw new ConfigError('toolflow publish needs --outdir DIR: where to put the results');
  const config = loadConfig(process.env, opts.workdir ? { workDir: opts.workdir } : {});
  const store = await openStore(config.databasePath);
  let objects: ObjectStore | undefined;
  try {
    const task = await store.getTask(taskId);
    let source: OutputSource;
    if (config.kubernetes) {
      // Cluster mode: the outputs were uploaded by the attempts' sidecars.
      if (config.s3) {
        const { S3ObjectStore } = await import('../objects/s3-object-store.js');
        objects = new S3ObjectStore(config.s3);
      } else objects = new LocalObjectStore(config.objectsDir);
      source = { kind: 'objects', objects };
    } else source = localSource(task ?? { id: taskId, work_dir: null }, config.workDir);
    const report = await publishTask(store, taskId, { outdir: opts.outdir, source });
    const status = task?.status ?? 'unknown';
    if (opts.json) process.stdout.write(JSON.stringify({ taskId, status, ...report }) + '\n');
    else process.stdout.write(publishLines(summaryOf(report), status).join('\n') + '\n');
    return report.errors.length === 0 && report.notPublished.length === 0 ? 0 : 1;
  } finally {
    await objects?.close?.();
    await store.close();
  }
}
