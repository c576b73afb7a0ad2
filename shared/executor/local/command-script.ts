/**
 * What a tool's commands see, and how they are run safely.
 *
 * Option values, input paths and dependency paths reach the commands only as environment variables,
 * never spliced into the command text, so nothing a user submits can run as code:
 *
 * | variable | value |
 * | --- | --- |
 * | `TF_OPT_<option>` | the option's value (`true`/`false` for bool options) |
 * | `TF_INPUT_<input>` | absolute path of the input file (a sample sheet: the sheet file) |
 * | `TF_DEP_<tool>` | absolute path of that dependency's work dir (its outputs and logs) |
 * | `TF_WORKDIR` | absolute path of this attempt's work dir (also the current directory) |
 * | `TF_TASK_ID`, `TF_TOOL`, `TF_ATTEMPT` | which run this is |
 * | `TF_CPUS` | cpu as whole cores, at least 1 (for `-t`/`--threads` flags) |
 * | `TF_CPU_MILLICORES`, `TF_MEM_BYTES`, `TF_DISK_BYTES` | the attempt's resources |
 * | each of `spec.bindings` (issue 10) | see below: `TF_ITEM_<column>`, `TF_ITEM`, `TF_OUT_<name>`, `TF_DEP_<tool>`, `TF_DEP_<tool>_<output>` |
 *
 * A planned tool (one with `spec.bindings`, made by the planner, shared/spec/expand.ts) gets
 * `TF_INPUT_*` only for the workflow's own inputs (stored input names without `/`; an item's file
 * is stored as `<input>/<key>/<column>` and reaches the tool through a binding), no automatic
 * `TF_DEP_<tool>` (the planner makes a `dir` binding for each dependency that needs one), and each
 * binding as its variable:
 *
 * | binding | value |
 * | --- | --- |
 * | `{env, value}` | the text itself (`TF_ITEM_<column>`, `TF_ITEM`, `TF_OUT_<name>`) |
 * | `{env, input}` | absolute path of that stored input, staged for the attempt (`TF_ITEM_<file column>`) |
 * | `{env, dir}` | absolute path of that tool's attempt dir, from `request.deps` (`TF_DEP_<tool>`) |
 * | `{env, outputs}` | the base names of those files, linked into this attempt's work dir by the executor, joined by single spaces (`TF_DEP_<tool>_<output>`) |
 *
 * A binding sets a `TF_` name that nothing else set (a clash, or an input or tool the attempt was
 * not given, is a launch error). A task stored before issue 10 (no `bindings`) gets `TF_INPUT_<input>`
 * for every input and `TF_DEP_<tool>` for every dependency, as before.
 *
 * In tool and input names, `-` becomes `_`. The commands run as one bash script (`command.sh` in the
 * work dir, kept for debugging) under `set -euo pipefail`, so a failure anywhere, a pipeline stage
 * included, fails the tool. The environment is written at the top of the same script, every value
 * shell-quoted. The tool gets a minimal environment (PATH, HOME, LANG, TZ, TMPDIR…), the variables
 * named in `TOOLFLOW_PASS_ENV` and in the workflow (`passEnv`) that are set in toolflow's own
 * environment, then its declared `env` (which wins), not the whole parent environment: toolflow's
 * own settings and secrets (`TOOLFLOW_*`, `AWS_*`, names with SECRET, PASSWORD, TOKEN, CREDENTIAL)
 * never reach tools, even when named (see `pass-env.ts`).
 */
import { envKey } from '../../spec/load.js';
import type { Binding } from '../../spec/types.js';
import { outputSegments } from '../../sidecar/pod-layout.js';
import type { AttemptRequest } from '../executor.js';
import { passedEnv } from './pass-env.js';

/** Variables passed through from toolflow's environment when set. */
const PASSED_THROUGH = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TERM', 'TMPDIR'];

/**
 * The text of `command.sh`: the attempt's environment as `export NAME='value'` lines (values
 * shell-quoted, so none can run as code), then the commands in order under `set -euo pipefail`.
 * `bash command.sh` in the work dir reruns the attempt by hand, environment included.
 * @throws Error for a variable name that is not a shell identifier.
 */
export function commandScript(request: AttemptRequest, env: Record<string, string>): string {
  const lines = ['#!/usr/bin/env bash', `# toolflow: task ${request.taskId}, tool ${request.tool}, attempt ${request.attempt}`];
  for (const [name, value] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
    lines.push(`export ${name}=${shellQuote(value)}`);
  }
  lines.push('set -euo pipefail', ...request.spec.cmds, '');
  return lines.join('\n');
}

/** The bash workers' own environment: PATH alone (each attempt sets its own in command.sh). */
export function workerEnv(parentEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { PATH: parentEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
}

/** Quotes a value for bash: inside single quotes nothing is special, and `'` is written `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * The environment of an attempt: the minimal pass-through, then `passEnv` and the request's
 * `spec.passEnv` names that are set in `parentEnv` (refused names skipped), then the tool's `env`,
 * then the `TF_*` variables.
 * @param paths absolute paths: the attempt's work dir, each input file (by stored input name), each
 *   dependency's work dir (by tool).
 * @throws Error for a binding that cannot be resolved or would replace a variable (see `bindingValue`).
 * @param passEnv names from `TOOLFLOW_PASS_ENV` (already checked by `parsePassEnv`).
 */
export function commandEnv(
  request: AttemptRequest,
  paths: { workDir: string; inputs: Record<string, string>; deps: Record<string, string> },
  parentEnv: NodeJS.ProcessEnv = process.env,
  passEnv: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) if (parentEnv[name] !== undefined) env[name] = parentEnv[name]!;
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  Object.assign(env, passedEnv([...passEnv, ...(request.spec.passEnv ?? [])], parentEnv));
  Object.assign(env, request.spec.env);
  const r = request.resources;
  Object.assign(env, {
    TF_WORKDIR: paths.workDir,
    TF_TASK_ID: request.taskId,
    TF_TOOL: request.tool,
    TF_ATTEMPT: String(request.attempt),
    TF_CPUS: String(Math.max(1, Math.floor(r.cpuMillicores / 1000))),
    TF_CPU_MILLICORES: String(r.cpuMillicores),
    TF_MEM_BYTES: String(r.memBytes),
    TF_DISK_BYTES: r.diskBytes === null ? '' : String(r.diskBytes),
  });
  for (const [name, value] of Object.entries(request.values)) env[`TF_OPT_${name}`] = String(value);
  const bindings = request.spec.bindings;
  if (!bindings) {
    // A task stored before issue 10: every input, every dependency.
    for (const [name, path] of Object.entries(paths.inputs)) env[`TF_INPUT_${envKey(name)}`] = path;
    for (const [tool, path] of Object.entries(paths.deps)) env[`TF_DEP_${envKey(tool)}`] = path;
    return env;
  }
  for (const [name, path] of Object.entries(paths.inputs)) if (!name.includes('/')) env[`TF_INPUT_${envKey(name)}`] = path;
  for (const b of bindings) {
    if (!/^TF_[A-Za-z0-9_]+$/.test(b.env)) throw new Error(`binding ${JSON.stringify(b.env)} is not a TF_ variable name (letters, digits and _ after TF_)`);
    if (Object.hasOwn(env, b.env)) throw new Error(`binding ${b.env} would replace the ${b.env} toolflow already set for the attempt`);
    env[b.env] = bindingValue(b, paths);
  }
  return env;
}

/**
 * The value of one binding (see the module comment).
 * @throws Error for an `input` the attempt was not given, a `dir` tool not in `request.deps`, or an
 *   `outputs` path that is not inside its tool's work dir.
 */
function bindingValue(b: Binding, paths: { inputs: Record<string, string>; deps: Record<string, string> }): string {
  if ('value' in b) return b.value;
  if ('input' in b) {
    const path = paths.inputs[b.input];
    if (path === undefined) throw new Error(`binding ${b.env} names input ${JSON.stringify(b.input)}, which the attempt was not given`);
    return path;
  }
  if ('dir' in b) {
    const path = paths.deps[b.dir];
    if (path === undefined) throw new Error(`binding ${b.env} names tool ${JSON.stringify(b.dir)}, which is not among the attempt's dependencies`);
    return path;
  }
  return b.outputs.map((o) => linkedName(o.path)).join(' ');
}

/**
 * The name under which a dependency's output `path` (relative to that tool's work dir) is linked
 * into the work dir of an attempt whose `outputs` binding names it: its last path segment
 * (`sub/A.bam` → `A.bam`).
 * @throws Error (`outputSegments`) for a path that is absolute, has a `..` segment, or is empty.
 */
export function linkedName(path: string): string {
  return outputSegments(path).at(-1)!;
}
