/**
 * `toolflow run`: validate, upload inputs, submit, follow, summarize. Exit code 0 only when the
 * task succeeded (1 when it failed or was cancelled, 2 for invalid input, 130 after Ctrl-C).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ConfigError, SpecError } from '../errors.js';
import type { StoredInput } from '../events/catalog.js';
import { loadWorkflowFile } from '../spec/load.js';
import { expandWorkflow } from '../spec/expand.js';
import { parseSetArgs, readParamsFile, resolveInputs, resolveValues, type ResolvedInputs } from '../spec/values.js';
import { loadConfig, type Config } from '../runtime/config.js';
import { ensureDir } from '../ensure-dir.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { metricsPlan, metricsSetting, startDedicatedMetrics } from '../metrics/settings.js';
import { showProgress, type PlanTool } from './progress.js';
import { startUploadProgress, type UploadProgress } from './upload-progress.js';
import { quotedName, shownName } from '../uploads/upload-names.js';
import { FormatMismatchError } from '../uploads/upload-errors.js';
import { countOf, summarizeTask, summaryJson, summaryTable, withPublished, type TaskSummary } from './summary.js';
import { checkOutdir, localSource, publishTask, type OutputSource } from '../attempts/publish.js';
import type { WorkflowSpec } from '../spec/types.js';

/** Options of `toolflow run`. */
export interface RunOptions {
  input: string[];
  set: string[];
  params?: string;
  workdir?: string;
  json?: boolean;
  quiet?: boolean;
  failFast?: boolean;
  /** False with `--no-cache` (commander's negated option): reuse no earlier attempt. */
  cache?: boolean;
  /** `--outdir DIR`: where the results are published when the task succeeds. */
  outdir?: string;
  cpus?: number;
  memory?: number;
}

/** Runs a workflow. @returns the process exit code. */
export async function runCommand(workflowFile: string, opts: RunOptions, overrides: Partial<Config> = {}): Promise<number> {
  const config = loadConfig(process.env, { ...overrides, ...(opts.workdir ? { workDir: opts.workdir } : {}), ...(opts.cpus ? { cpuMillicores: opts.cpus } : {}), ...(opts.memory ? { memBytes: opts.memory } : {}) });
  const metricsAt = metricsPlan('one-shot', metricsSetting()); // none unless TOOLFLOW_METRICS_PORT asks
  // Check everything that can be checked before anything is stored.
  const { spec, source } = await loadWorkflowFile(workflowFile);
  // Values and inputs are checked together so that one run reports every problem.
  const checks = await Promise.allSettled([
    (async () => {
      const given = [...(opts.params ? await readParamsFile(opts.params) : []), ...parseSetArgs(opts.set)];
      resolveValues(spec, given, workflowFile);
      return given;
    })(),
    resolveInputs(spec, opts.input, workflowFile),
  ]);
  const failed = checks.filter((c): c is PromiseRejectedResult => c.status === 'rejected').map((c) => c.reason as unknown);
  if (failed.length) {
    const specErrors = failed.filter((e): e is SpecError => e instanceof SpecError);
    throw specErrors.length === failed.length ? new SpecError(specErrors.flatMap((e) => e.issues)) : failed[0];
  }
  const given = (checks[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof parseSetArgs>>>).value;
  const resolved = (checks[1] as PromiseFulfilledResult<ResolvedInputs>).value;
  // The plan's own problems (staged files with one name…) before any file is uploaded; cpu is capped later, by the executor's capacity.
  const planned = expandWorkflow(spec, resolved.items, undefined, { file: workflowFile, source }).tools.length;

  for (const [what, dir] of [['TOOLFLOW_HOME', config.home], ['the work dir', config.workDir]] as const) {
    try {
      ensureDir(dir);
    } catch (err) {
      throw new ConfigError(`${what} ${dir} cannot be used as a folder: ${(err as Error).message}`);
    }
  }
  if (opts.outdir) await checkOutdir(opts.outdir, config.workDir); // said before anything runs, not after it
  const runtime = await createRuntime(config);
  await startMetrics(metricsAt, runtime);
  let taskId: string | undefined;
  return followTask(runtime, () => taskId, opts, async (signal) => {
    // A bar per large input file, on a terminal only: run's other output is unchanged.
    const progress = await startUploadProgress(opts.json || opts.quiet || !process.stderr.isTTY ? 'off' : 'live', { minBytes: UPLOAD_BAR_BYTES, donePrefix: runtime.mode === 'embedded' ? 'input' : 'uploaded' });
    let inputs: Record<string, StoredInput>;
    try {
      inputs = await uploadInputs(runtime, config.owner, resolved.files, signal, progress, resolved.streams);
    } finally {
      progress.stop();
    }
    taskId = await runtime.submit({
      owner: config.owner,
      workflowFile,
      workflowText: await readFile(workflowFile, 'utf8'),
      values: given,
      inputs,
      failFast: opts.failFast,
      noCache: opts.cache === false,
      workRoot: resolve(config.workDir),
      items: resolved.items,
    });
    return { taskId, name: spec.name, tools: planned };
  });
}

/**
 * Serves `/metrics` while this process runs when `TOOLFLOW_METRICS_PORT` asks (shared/metrics/): the
 * server never keeps the process alive, and a port that cannot be used is a warning, not a failure.
 * Where it listens (the port chosen for `0`) is said on stderr and logged at info level.
 */
async function startMetrics(plan: ReturnType<typeof metricsPlan>, runtime: Runtime): Promise<void> {
  await startDedicatedMetrics(plan, {
    warn: (m) => process.stderr.write(`toolflow: ${m}\n`),
    serving: (m, url) => {
      runtime.ports.log.info({ metricsUrl: url }, m);
      process.stderr.write(`toolflow: ${m}\n`);
    },
  });
}

/** Uploads in flight at once. */
const UPLOADS_AT_ONCE = 4;

/** Input files at least this large get a progress bar while they are uploaded (on a terminal): 32 MiB. */
export const UPLOAD_BAR_BYTES = 32 * 1024 * 1024;

/**
 * Uploads the run's files (each file input, each sheet, each item file), a path given under several
 * names (two samples sharing a file) once.
 * @param files stored input name → local path (`ResolvedInputs.files`).
 * @param progress where each file's bytes show (`UploadProgress.add` skips files under its `minBytes`).
 * @param streams the inputs given as pipes (`ResolvedInputs.streams`): their declared format is
 *   checked on the way in (the first 64 KiB of the copy), and a mismatch is a SpecError naming the
 *   input, as a local file's is.
 * @returns stored input name → where it is stored.
 * @throws SpecError for a pipe whose bytes do not fit its format; the first upload's error (the others in flight finish or fail first); an abort through `signal`.
 */
async function uploadInputs(runtime: Runtime, owner: string, files: Record<string, string>, signal: AbortSignal, progress: UploadProgress, streams: NonNullable<ResolvedInputs['streams']> = {}): Promise<Record<string, StoredInput>> {
  const byPath = new Map<string, string[]>();
  for (const [name, path] of Object.entries(files)) {
    const abs = resolve(path);
    const names = byPath.get(abs);
    if (names) names.push(name);
    else byPath.set(abs, [name]);
  }
  const todo = [...byPath];
  const inputs: Record<string, StoredInput> = {};
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < todo.length && failed === undefined) {
      const [path, names] = todo[next++]!;
      try {
        const size = progress.mode === 'off' ? 0 : (await stat(path)).size;
        const bar = progress.add(shownName(basename(path)), size);
        let stored;
        try {
          // Embedded mode: in place, no byte copied (`Runtime.useInput`).
          const stream = names.map((n) => streams[n]).find((x) => x !== undefined);
          stored = await runtime.useInput(owner, path, { signal, onProgress: (n: number) => bar.update(n), ...(stream?.format ? { format: stream.format } : {}) }).catch((err: unknown) => {
            if (!(stream?.format && err instanceof FormatMismatchError)) throw err;
            throw new SpecError([{ ...stream.issue, message: `${quotedName(path)}: ${err.message} (${stream.declaredAt} declares format: ${stream.format})` }]);
          });
        } finally {
          bar.finish(stored ? size : undefined);
        }
        const { key, fileName, sha256, bytes } = stored;
        // How an in-place input is held, for the executor's checks (`StoredInput.local`).
        const local = 'local' in stored ? stored.local : undefined;
        // The checksum and size go with it: the cache key reads them.
        for (const name of names) inputs[name] = { key, fileName, sha256, bytes, ...(local ? { local } : {}) };
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOADS_AT_ONCE, todo.length) }, worker));
  if (failed !== undefined) throw failed;
  return inputs;
}

/** Options of `toolflow resume`. */
export type ResumeOptions = Pick<RunOptions, 'json' | 'quiet' | 'cpus' | 'memory' | 'workdir'>;

/**
 * Resumes a task that no process drives any more (its process died): this process takes its lock,
 * rebuilds its work manager from the store (succeeded tools stay done; attempts caught in flight are
 * lost and rerun by the policy), and follows it as `run` does. Waits up to the lock's TTL for a lock
 * whose holder died. @returns the process exit code.
 * @throws NotFoundError for an unknown task; ConfigError when another live process drives it.
 */
export async function resumeCommand(taskId: string, opts: ResumeOptions, overrides: Partial<Config> = {}): Promise<number> {
  const config = loadConfig(process.env, { ...overrides, ...(opts.cpus ? { cpuMillicores: opts.cpus } : {}), ...(opts.memory ? { memBytes: opts.memory } : {}) });
  const metricsAt = metricsPlan('one-shot', metricsSetting());
  const runtime = await createRuntime(config);
  await startMetrics(metricsAt, runtime);
  return followTask(runtime, () => taskId, opts, async (signal) => {
    const resumed = await runtime.resume(taskId, {
      signal,
      workRoot: opts.workdir,
      // On stderr also with --json (stdout keeps its one object): a wait must never be silent.
      onWait: (message) => {
        if (!opts.quiet) process.stderr.write(`${message}\n`);
      },
    });
    if (resumed.finished && !opts.quiet) process.stderr.write(`task ${taskId} finished while waiting for its lock; nothing was resumed\n`);
    return { taskId, name: resumed.name, tools: resumed.tools, finished: resumed.finished };
  });
}

/**
 * Where a task's attempts keep their outputs, for publishing: the object store in cluster mode
 * (attempts outlive their driver), else the work dirs (the task's recorded work root, or the
 * executor's own layout for rows that recorded none).
 */
function outputSourceOf(runtime: Runtime, task: { id: string; work_dir: string | null }): OutputSource {
  const { executor, objects } = runtime.ports;
  if (executor.attemptsOutliveDriver) return { kind: 'objects', objects };
  if (task.work_dir !== null) return localSource(task, task.work_dir);
  return { kind: 'local', dirOf: (tool, attempt) => executor.workDirOf(task.id, tool, attempt) };
}

/**
 * Publishes a task's results into `outdir` and adds what was done to its summary (`published`).
 * Publishing that cannot start (DIR became a file meanwhile) is `published.error`, not a throw: the
 * summary is still shown. @returns false when anything could not be published.
 */
async function publishInto(runtime: Runtime, summary: TaskSummary, outdir: string): Promise<boolean> {
  const task = (await runtime.ports.store.getTask(summary.taskId))!;
  try {
    const report = await publishTask(runtime.ports.store, summary.taskId, { outdir, source: outputSourceOf(runtime, task) });
    withPublished(summary, report);
    return report.errors.length === 0;
  } catch (err) {
    summary.published = { outdir: resolve(outdir), files: 0, how: { link: 0, copy: 0, download: 0, unchanged: 0 }, notPublished: [], errors: [], error: (err as Error).message };
    return false;
  }
}

/** The planned tools of a task (names and instances), for the progress; undefined when its row is not there yet. */
async function planOf(runtime: Runtime, taskId: string): Promise<PlanTool[] | undefined> {
  const task = await runtime.ports.store.getTask(taskId).catch(() => undefined);
  return task ? (JSON.parse(task.spec) as { spec: WorkflowSpec }).spec.tools.map((t) => ({ name: t.name, ...(t.instance ? { instance: t.instance } : {}) })) : undefined;
}

/**
 * Starts a task with `start` and follows it to its end: progress, Ctrl-C/SIGTERM/SIGHUP cancel (a
 * second one kills at once), the summary, and with `outdir` the published results (what succeeded,
 * also of a task that failed). A signal before the task exists aborts `start` (its uploads, through
 * `signal`). Closes the runtime. @returns the process exit code (1 also when publishing failed).
 */
async function followTask(
  runtime: Runtime,
  currentTask: () => string | undefined,
  opts: Pick<RunOptions, 'json' | 'quiet' | 'outdir'>,
  start: (signal: AbortSignal) => Promise<{ taskId: string; name: string; tools: number; finished?: boolean }>,
): Promise<number> {
  let interrupted = 0;
  let running = false;
  const starting = new AbortController();
  // Ctrl-C, SIGTERM or SIGHUP: cancel (tools get SIGTERM, then SIGKILL after 10 s); a second one kills at once.
  // Either way the task ends as cancelled in the store and no tool is left running. A third one
  // exits at once, whatever the store or the bus are doing (the tools were killed by the second).
  const onSignal = () => {
    interrupted++;
    const taskId = currentTask();
    if (!running || !taskId) {
      if (interrupted > 1) process.exit(130);
      process.stderr.write('\ncancelling: stopping the uploads or the wait…\n');
      starting.abort();
      return;
    }
    if (interrupted > 2) {
      process.stderr.write('\nexiting now; the task may stay processing in the store: see toolflow status\n');
      process.exit(130);
    }
    process.stderr.write(interrupted === 1 ? '\ncancelling: stopping running tools (again to kill them at once)…\n' : '\nkilling running tools (once more to exit at once)…\n');
    runtime.cancel(taskId, interrupted > 1).catch((err: unknown) => process.stderr.write(`toolflow: could not cancel task ${taskId}: ${(err as Error).message}\n`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal); // a closed terminal or a lost ssh session
  try {
    let started;
    try {
      started = await start(starting.signal);
    } catch (err) {
      if (starting.signal.aborted) return 130;
      throw err;
    }
    const { taskId, name, tools } = started;
    running = true;
    if (starting.signal.aborted) runtime.cancel(taskId).catch(() => undefined); // the signal came as the task was submitted
    const mode = opts.json || opts.quiet ? 'off' : process.stderr.isTTY ? 'live' : 'plain';
    if (mode !== 'off' && runtime.mode === 'services') process.stderr.write(`services mode: ${runtime.backends}\n`);
    if (mode !== 'off') process.stderr.write(`task ${taskId}: ${name}, ${countOf(tools, 'tool')}\n`);
    // A task that finished before this process took it: nothing to follow (and no queue to make).
    const stop = started.finished ? () => undefined : showProgress(runtime.ports.bus, taskId, tools, mode, undefined, () => planOf(runtime, taskId));
    // Nothing left to run and the task not finished: Node would exit with code 13 and no word.
    // Say what happened instead (a bug, or a state the work manager cannot get out of).
    const stuck = () => {
      process.stderr.write(`toolflow: internal error: task ${taskId} stopped making progress (nothing is running or waiting in this process); see toolflow status ${taskId}, and take it over with toolflow resume ${taskId}\n`);
      if (opts.json) process.stdout.write(JSON.stringify({ taskId, status: 'stuck', error: 'the task stopped making progress' }) + '\n');
      process.exit(3);
    };
    process.once('beforeExit', stuck);
    try {
      await runtime.waitFor(taskId);
    } finally {
      process.off('beforeExit', stuck);
      stop();
    }
    const summary = await summarizeTask(runtime.ports.store, taskId, {
      workDirOf: (id, tool, attempt) => runtime.ports.executor.workDirOf(id, tool, attempt),
      outputsIn: runtime.ports.executor.attemptsOutliveDriver ? 'objects' : 'local',
    });
    let published = true;
    if (opts.outdir && !interrupted) published = await publishInto(runtime, summary, opts.outdir);
    else if (opts.outdir) {
      const error = `the run was stopped: nothing was published (toolflow publish ${taskId} --outdir ${opts.outdir} publishes what succeeded)`;
      summary.published = { outdir: resolve(opts.outdir), files: 0, how: { link: 0, copy: 0, download: 0, unchanged: 0 }, notPublished: [], errors: [], error };
    }
    if (opts.json) process.stdout.write(summaryJson(summary) + '\n');
    else {
      process.stdout.write(summaryTable(summary) + '\n');
      const root = (await runtime.ports.store.getTask(taskId))?.work_dir;
      process.stdout.write(`work dirs: ${root ? join(root, taskId) + '/' : runtime.ports.executor.workDirOf(taskId, '<tool>', 1).replace(/<tool>.*$/, '')}\n`);
    }
    if (interrupted) return 130;
    return summary.status === 'succeeded' && published ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await runtime.close();
  }
}
