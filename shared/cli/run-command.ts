/**
 * `toolflow run`: validate, upload inputs, submit, follow, summarize. Exit code 0 only when the
 * task succeeded (1 when it failed or was cancelled, 2 for invalid input, 130 after Ctrl-C).
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, SpecError } from '../errors.js';
import type { StoredInput } from '../events/catalog.js';
import { loadWorkflowFile } from '../spec/load.js';
import { parseSetArgs, readParamsFile, resolveInputs, resolveValues } from '../spec/values.js';
import { loadConfig, type Config } from '../runtime/config.js';
import { ensureDir } from '../ensure-dir.js';
import { createRuntime } from '../runtime/runtime.js';
import { showProgress } from './progress.js';
import { summarizeTask, summaryJson, summaryTable } from './summary.js';

/** Options of `toolflow run`. */
export interface RunOptions {
  input: string[];
  set: string[];
  params?: string;
  workdir?: string;
  json?: boolean;
  quiet?: boolean;
  failFast?: boolean;
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
  let interrupted = 0;
  let taskId: string | undefined;
  // Ctrl-C, SIGTERM or SIGHUP: cancel (tools get SIGTERM, then SIGKILL after 10 s); a second one kills at once.
  // Either way the task ends as cancelled in the store and no tool is left running.
  const onSignal = () => {
    interrupted++;
    if (!taskId) process.exit(130);
    process.stderr.write(interrupted === 1 ? '\ncancelling: stopping running tools (again to kill them at once)…\n' : '\nkilling running tools…\n');
    void runtime.cancel(taskId, interrupted > 1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal); // a closed terminal or a lost ssh session
  try {
    const inputs: Record<string, StoredInput> = {};
    for (const [name, path] of Object.entries(inputPaths)) {
      const { key, fileName } = await runtime.upload(config.owner, path);
      inputs[name] = { key, fileName };
    }
    taskId = await runtime.submit({
      owner: config.owner,
      workflowFile,
      workflowText: await readFile(workflowFile, 'utf8'),
      values: given,
      inputs,
      failFast: opts.failFast,
    });
    const mode = opts.json || opts.quiet ? 'off' : process.stderr.isTTY ? 'live' : 'plain';
    if (mode !== 'off') process.stderr.write(`task ${taskId}: ${spec.name}, ${spec.tools.length} tools\n`);
    const stop = showProgress(runtime.ports.bus, taskId, spec.tools.length, mode);
    await runtime.waitFor(taskId);
    stop();
    const summary = await summarizeTask(runtime.ports.store, taskId);
    if (opts.json) process.stdout.write(summaryJson(summary) + '\n');
    else {
      process.stdout.write(summaryTable(summary) + '\n');
      process.stdout.write(`work dirs: ${runtime.ports.executor.workDirOf(taskId, '<tool>', 1).replace(/<tool>.*$/, '')}\n`);
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

/** Prints a SpecError's issues, one per line. */
export function printSpecError(err: SpecError): void {
  process.stderr.write(`${err.issues.length} problem${err.issues.length > 1 ? 's' : ''}:\n${err.message}\n`);
}
