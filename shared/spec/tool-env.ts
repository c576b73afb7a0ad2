/**
 * The rules of a tool's environment, shared by the workflow loader, the value check at submit and
 * the executor, so that each refuses the same names and sizes:
 * - which of toolflow's own variables may be passed through (`envvars`, `TOOLFLOW_PASS_ENV`);
 * - which names a tool's `env` may not set (`TF_*`, in any case);
 * - how large the whole environment may be (Linux's ARG_MAX, shared by argv and envp).
 * The per-variable limit (MAX_ARG_STRLEN) is in option-values.ts.
 */
import type { OptionValue, ToolSpec } from './types.js';

/** The environment-variable form of a tool or input name: `-` becomes `_` (`b-c` → `TF_DEP_b_c`). */
export function envKey(name: string): string {
  return name.replace(/-/g, '_');
}

/** A shell variable name: what `export NAME=…` accepts. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names that are never passed through, each with why (matched in any case: `tf_x`, `Aws_Region`). */
const NEVER_PASSED: [RegExp, (name: string, match: string) => string][] = [
  [/^TF_/i, (n) => `"${n}": names starting with TF_ are set by toolflow for each attempt (options, inputs, resources), so they cannot be passed through`],
  [
    /^TOOLFLOW_/i,
    (n) => `"${n}": TOOLFLOW_ variables configure toolflow itself and hold its database, broker and S3 addresses with their passwords, so they are never passed to tools`,
  ],
  [
    /^AWS_/i,
    (n) =>
      `"${n}": AWS_ variables hold toolflow's own S3 credentials, so they are never passed to tools; give a tool credentials of its own as an input file (and export AWS_SHARED_CREDENTIALS_FILE="$TF_INPUT_<input>" in its command)`,
  ],
  [
    /SECRET|PASSWORD|TOKEN|CREDENTIAL/i,
    (n, m) => `"${n}" looks like it holds a secret (its name contains ${m.toUpperCase()}), and toolflow never passes secrets from its own environment to tools; give the tool the secret as an input file instead`,
  ],
];

/**
 * Why `name` may not be passed through from toolflow's environment to a tool, or undefined when it
 * may. The one rule for the workflow's `envvars` (workflow and tool level), `TOOLFLOW_PASS_ENV` and
 * the executor. Refused: names that are not shell identifiers; `TF_*` (toolflow sets them);
 * `TOOLFLOW_*` and `AWS_*` (toolflow's configuration and credentials); any name containing SECRET,
 * PASSWORD, TOKEN or CREDENTIAL. Every prefix and word is matched in any case (`tf_x`, `aws_x`,
 * `toolflow_x`, `Aws_Region` are refused): environment names are case-sensitive, but a name that
 * differs from a secret's only in case is as likely to hold one. Like Snakemake's `envvars`, the
 * rest are passed when set.
 * @param name a variable name, e.g. `LD_LIBRARY_PATH` (undefined) or `AWS_SECRET_ACCESS_KEY`.
 * @returns a message that starts with the quoted name, or undefined.
 */
export function passEnvProblem(name: string): string | undefined {
  if (!SHELL_NAME.test(name)) return `"${name}" is not a shell variable name (letters, digits and _, not starting with a digit)`;
  for (const [re, why] of NEVER_PASSED) {
    const m = re.exec(name);
    if (m) return why(name, m[0]);
  }
  return undefined;
}

/**
 * Why a tool's `env` may not set `name`, or undefined: `TF_*` names, in any case (`tf_x` too),
 * are toolflow's own variables for each attempt.
 */
export function envNameProblem(name: string): string | undefined {
  return /^TF_/i.test(name) ? `"${name}": names starting with TF_ (in any case) are reserved for toolflow` : undefined;
}

/**
 * The most bytes a tool's environment may take, as toolflow counts it (`toolEnvBytes`): 1 MiB.
 * Linux refuses an exec whose argument and environment strings (each with its NUL, plus one pointer
 * each) take more than ARG_MAX together: a quarter of the stack limit, at least 32 pages and at most
 * 6 MiB (fs/exec.c; execve(2), "Limits on size of arguments and environment"), so 2 MiB with the
 * usual 8 MiB stack (`getconf ARG_MAX`). Every command of a tool is exec'd with the whole
 * environment, so half of that is left for the commands' own arguments and for what the estimate
 * does not know exactly (the real paths, the passed-through values).
 */
export const MAX_TOOL_ENV_BYTES = 1024 * 1024;
/** Bytes counted for the passed-through variables (PATH, HOME, LANG…, `envvars`, `TOOLFLOW_PASS_ENV`), unknown before the run. */
export const PASSED_THROUGH_MARGIN_BYTES = 64 * 1024;
/**
 * Bytes counted for each path variable's value (TF_WORKDIR, each TF_INPUT_*, each TF_DEP_*), unknown
 * before the run: a typical `<work dir>/<task>/<tool>/attempt-<n>` (the executor checks the real
 * total again when the tool starts). A tool relying on thousands of others gets one TF_DEP_* each.
 */
export const PATH_VALUE_BYTES = 256;
/** Bytes counted for TF_TASK_ID, TF_ATTEMPT and the resource variables together. */
const FIXED_TF_BYTES = 512;
/** A pointer in envp, bytes (64-bit). */
const POINTER_BYTES = 8;

/** What one variable takes in an exec: `NAME=value`, its NUL and its envp pointer, bytes (UTF-8). */
const entryBytes = (name: string, value: string) => Buffer.byteLength(name) + 1 + Buffer.byteLength(value) + 1 + POINTER_BYTES;

/**
 * The bytes a tool's environment will take, as far as they are known before the run: its `env`, its
 * option values as `TF_OPT_<name>`, and margins for the rest (PASSED_THROUGH_MARGIN_BYTES for the
 * passed-through variables, PATH_VALUE_BYTES for each path of TF_WORKDIR, TF_INPUT_<input> and
 * TF_DEP_<tool>, the tool's name in TF_TOOL).
 * @param values the option values by name (defaults at validation, the resolved values at submit).
 * @param inputNames the workflow's input names (each tool gets every input).
 * @returns `{ total, env, options }`: all counted, the `env` part and the `TF_OPT_*` part, bytes.
 */
export function toolEnvBytes(tool: Pick<ToolSpec, 'name' | 'env' | 'rely'>, values: Record<string, OptionValue>, inputNames: readonly string[]): { total: number; env: number; options: number } {
  let env = 0;
  for (const [name, value] of Object.entries(tool.env)) env += entryBytes(name, value);
  let options = 0;
  for (const [name, value] of Object.entries(values)) options += entryBytes(`TF_OPT_${name}`, String(value));
  let margin = PASSED_THROUGH_MARGIN_BYTES + FIXED_TF_BYTES + entryBytes('TF_TOOL', tool.name) + entryBytes('TF_WORKDIR', '') + PATH_VALUE_BYTES;
  for (const input of inputNames) margin += entryBytes(`TF_INPUT_${input}`, '') + PATH_VALUE_BYTES;
  for (const dep of tool.rely) margin += entryBytes(`TF_DEP_${dep}`, '') + PATH_VALUE_BYTES;
  return { total: env + options + margin, env, options };
}

/**
 * Checks that a tool's environment fits (see MAX_TOOL_ENV_BYTES and `toolEnvBytes`).
 * @returns a message naming the sizes, the limit, why it exists and what to do, or undefined when it fits.
 */
export function toolEnvProblem(tool: Pick<ToolSpec, 'name' | 'env' | 'rely'>, values: Record<string, OptionValue>, inputNames: readonly string[]): string | undefined {
  const { total, env, options } = toolEnvBytes(tool, values, inputNames);
  if (total <= MAX_TOOL_ENV_BYTES) return undefined;
  return (
    `the environment of tool "${tool.name}" would take about ${total} bytes (env ${env}, option values as TF_OPT_* ${options}, ` +
    `and ${total - env - options} for toolflow's TF_* paths and the passed-through variables), more than the ${MAX_TOOL_ENV_BYTES}-byte limit: ` +
    'Linux refuses to start a command whose arguments and environment together pass ARG_MAX (2 MiB with the usual 8 MiB stack; `getconf ARG_MAX`), ' +
    'and every command of the tool would fail with "Argument list too long"; put large values in files and pass them as inputs instead ' +
    '(declare them under inputs, give them with --input NAME=PATH, read them at $TF_INPUT_NAME)'
  );
}
