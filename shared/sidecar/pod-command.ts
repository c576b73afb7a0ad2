/**
 * `command.sh` of a tool attempt's Pod: the local executor's script (`command-script.ts`) for an
 * image that may have no bash. Same environment rules (`commandEnv`: option values, input and
 * dependency paths only as environment variables, every value single-quoted, so nothing a user
 * submits can run as code; a planned tool's variables from its bindings, resolved to the Pod's
 * paths), but POSIX sh: `#!/bin/sh`, `set -eu`, and `pipefail` only where the
 * shell has it (bash and busybox ash do; Debian 12's dash 0.5.12 does not), so a failing stage of a
 * pipeline fails the tool where the image's shell allows it.
 *
 * The tool's base environment is its image's, not toolflow's: the container runtime sets `PATH`
 * (and `HOME`, and the image's `ENV` lines such as `JAVA_HOME` or conda's `PATH`) before the wrapper
 * runs, and `command.sh` only adds to it. So `commandEnv` is given an empty parent environment and
 * no `TOOLFLOW_PASS_ENV` names: nothing of the sidecar's own environment (its Node image's `PATH`
 * and `HOME`, its object-store credentials) reaches the tool, and no pass-through variable is
 * written. `commandEnv` then sets a default `PATH`, which is dropped here unless the tool's own `env`
 * sets `PATH`: exporting any other `PATH` would hide the image's (a conda image's `/opt/conda/bin`).
 */
import type { AttemptRequest } from '../executor/executor.js';
import { commandEnv, shellQuote } from '../executor/local/command-script.js';

/** Container paths of an attempt's files, as both containers see them (under `$TOOLFLOW_POD_DIR`). */
export interface PodPaths {
  /** `TF_WORKDIR`: `<pod dir>/work`. */
  workDir: string;
  /** Stored input name → `<pod dir>/inputs/<input>/<file>` (an item's file `samples/A/fastq` → `inputs/samples/A/fastq/<file>`). */
  inputs: Record<string, string>;
  /** Dependency tool → `<pod dir>/deps/<tool>` (a planned tool: only the tools of its `dir` bindings). */
  deps: Record<string, string>;
}

/**
 * The tool's environment in its Pod: `commandEnv` without any of the sidecar's environment (see the
 * module comment), `PATH` only when the tool's `env` sets it.
 */
export function podCommandEnv(request: AttemptRequest, paths: PodPaths): Record<string, string> {
  const env = commandEnv(request, paths, {}, []);
  if (!Object.hasOwn(request.spec.env ?? {}, 'PATH')) delete env.PATH;
  return env;
}

/**
 * The text of the Pod's `command.sh`: `#!/bin/sh`, a comment naming the attempt, `export NAME='value'`
 * lines (values quoted by `shellQuote`), `set -eu`, `pipefail` when the shell has it, then the
 * commands in order. The wrapper runs it with `sh` in the work dir.
 * @throws Error for a variable name that is not a shell identifier (the tool's `env` was checked at submit).
 */
export function podCommandScript(request: AttemptRequest, paths: PodPaths): string {
  const lines = ['#!/bin/sh', `# toolflow: task ${request.taskId}, tool ${request.tool}, attempt ${request.attempt}`];
  for (const [name, value] of Object.entries(podCommandEnv(request, paths))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
    lines.push(`export ${name}=${shellQuote(value)}`);
  }
  lines.push('set -eu', '(set -o pipefail) 2>/dev/null && set -o pipefail', ...request.spec.cmds, '');
  return lines.join('\n');
}
