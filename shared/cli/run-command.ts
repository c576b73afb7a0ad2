/**
 * `toolflow run`: validate, upload inputs, submit, follow, summarize. Exit code 0 only when the
 * task succeeded (1 when it failed or was cancelled, 2 for invalid input, 130 after Ctrl-C).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, SpecError } from '../errors.js';
import type { StoredInput } from '../events/catalog.js';
import { loadWorkflowFile } from '../spec/load.js';
import { parseSetArgs, readParamsFile, resolveInputs, resolveValues } from '../spec/values.js';
import { loadConfig, type Config } from '../runtime/config.js';
import { ensureDir } from '../ensure-dir.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { showProgress } from './progress.js';
import { countOf, summarizeTask, summaryJson, summaryTable } from './summary.js';

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
  // Check everything that can be checked before anything is stored.
  const { spec } = await loadWorkflowFile(workflowFile);
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
  const inputPaths = (checks[1] as PromiseFulfilledResult<Record<string, string>>).value;

  for (const [what, dir] of [['TOOLFLOW_HOME', config.home], ['the work dir', config.workDir]] as const) {
    try {
      ensureDir(dir);
    } catch (err) {
      throw new ConfigError(`${what} ${dir} cannot be used as a folder: ${(err as Error).message}`);
    }
  }
  const runtime = await createRuntime(config);
  let taskId: string | undefined;
  return followTask(runtime, () => taskId, opts, async (signal) => {
    const inputs: Record<string, StoredInput> = {};
    for (const [name, path] of Object.entries(inputPaths)) {
      const { key, fileName } = await runtime.upload(config.owner, path, signal);
      inputs[name] = { key, fileName };
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
    });
    return { taskId, name: spec.name, tools: spec.tools.length };
  });
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
  const runtime = await createRuntime(config);
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
 * Starts a task with `start` and follows it to its end: progress, Ctrl-C/SIGTERM/SIGHUP cancel (a
 * second one kills at once), the summary. A signal before the task exists aborts `start` (its
 * uploads, through `signal`). Closes the runtime. @returns the process exit code.
 */
async function followTask(
  runtime: Runtime,
  currentTask: () => string | undefined,
  opts: Pick<RunOptions, 'json' | 'quiet'>,
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
    const stop = started.finished ? () => undefined : showProgress(runtime.ports.bus, taskId, tools, mode);
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
    const summary = await summarizeTask(runtime.ports.store, taskId, { workDirOf: (id, tool, attempt) => runtime.ports.executor.workDirOf(id, tool, attempt) });
    if (opts.json) process.stdout.write(summaryJson(summary) + '\n');
    else {
      process.stdout.write(summaryTable(summary) + '\n');
      const root = (await runtime.ports.store.getTask(taskId))?.work_dir;
      process.stdout.write(`work dirs: ${root ? join(root, taskId) + '/' : runtime.ports.executor.workDirOf(taskId, '<tool>', 1).replace(/<tool>.*$/, '')}\n`);
    }
    if (interrupted) return 130;
    return summary.status === 'succeeded' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await runtime.close();
  }
}
