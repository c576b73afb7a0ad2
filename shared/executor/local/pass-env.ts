/**
 * Which of toolflow's own environment variables may pass through to a tool (issue 7, section 6):
 * conda and module users need `LD_LIBRARY_PATH`, `CONDA_PREFIX`, `JAVA_HOME`, `PYTHONPATH`, proxies,
 * `OMP_NUM_THREADS`…, named by the operator in `TOOLFLOW_PASS_ENV` (comma-separated) or by the
 * workflow (`ToolSpec.passEnv`). Both are checked by the one rule the workflow's `envvars` field
 * uses (`passEnvProblem`, shared/spec/tool-env.ts), so toolflow's own settings and credentials never
 * pass, even when named, in any case: `TF_*` (the tool's own variables, set by toolflow),
 * `TOOLFLOW_*` (database and broker URLs with passwords), `AWS_*` (S3 keys), and any name
 * containing SECRET, PASSWORD, TOKEN or CREDENTIAL.
 */
import { ConfigError } from '../../errors.js';
import { passEnvProblem } from '../../spec/tool-env.js';

/**
 * Reads `TOOLFLOW_PASS_ENV`: comma-separated variable names, spaces around them ignored.
 * @param text the variable's value; undefined or empty gives [].
 * @returns the names, without duplicates, in the order given.
 * @throws ConfigError for a name that is not a variable name, or one that is never passed (see
 *   `passEnvProblem`), naming it, why, and what to do.
 */
export function parsePassEnv(text: string | undefined): string[] {
  const names: string[] = [];
  for (const raw of (text ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const refused = passEnvProblem(name);
    if (refused) throw new ConfigError(`TOOLFLOW_PASS_ENV: ${refused}; remove it from TOOLFLOW_PASS_ENV (names separated by commas, e.g. LD_LIBRARY_PATH,JAVA_HOME)`);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The variables to pass from `parentEnv`: every name in `names` that `passEnvProblem` accepts and
 * that is set. Refused names are skipped silently here (the places that read the names, the
 * workflow loader and `parsePassEnv`, report them).
 */
export function passedEnv(names: readonly string[], parentEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    if (passEnvProblem(name) !== undefined) continue;
    const value = parentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
