/**
 * Which of toolflow's own environment variables may pass through to a tool (issue 7, section 6):
 * conda and module users need `LD_LIBRARY_PATH`, `CONDA_PREFIX`, `JAVA_HOME`, `PYTHONPATH`, proxies,
 * `OMP_NUM_THREADS`…, named by the operator in `TOOLFLOW_PASS_ENV` (comma-separated) or by the
 * workflow (`ToolSpec.passEnv`). toolflow's own settings and credentials never pass, even when
 * named: `TF_*` (the tool's own variables, set by toolflow), `TOOLFLOW_*` (database and broker URLs
 * with passwords), `AWS_*` (S3 keys), and any name containing SECRET, PASSWORD, TOKEN or CREDENTIAL.
 */
import { ConfigError } from '../../errors.js';

/** A shell variable name: what `export NAME=…` accepts. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Why a variable is never passed to tools, or null when it may be.
 * @param name a variable name, e.g. `LD_LIBRARY_PATH` (null) or `AWS_SECRET_ACCESS_KEY` (a reason).
 */
export function refusedPassEnvName(name: string): string | null {
  if (/^TF_/.test(name)) return 'TF_* variables are set by toolflow for each attempt';
  if (/^TOOLFLOW_/.test(name)) return "TOOLFLOW_* variables are toolflow's own configuration (they hold database and broker passwords)";
  if (/^AWS_/.test(name)) return 'AWS_* variables are cloud credentials';
  if (/SECRET|PASSWORD|TOKEN|CREDENTIAL/i.test(name)) return 'its name marks it as a secret (SECRET, PASSWORD, TOKEN, CREDENTIAL)';
  return null;
}

/**
 * Reads `TOOLFLOW_PASS_ENV`: comma-separated variable names, spaces around them ignored.
 * @param text the variable's value; undefined or empty gives [].
 * @returns the names, without duplicates, in the order given.
 * @throws ConfigError for a name that is not a variable name, or one that is never passed (see
 *   `refusedPassEnvName`), naming it and what to do.
 */
export function parsePassEnv(text: string | undefined): string[] {
  const names: string[] = [];
  for (const raw of (text ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!NAME.test(name)) throw new ConfigError(`TOOLFLOW_PASS_ENV: "${name}" is not a variable name: write names of letters, digits and _, separated by commas (e.g. LD_LIBRARY_PATH,JAVA_HOME)`);
    const refused = refusedPassEnvName(name);
    if (refused) throw new ConfigError(`TOOLFLOW_PASS_ENV: ${name} is never passed to tools (${refused}): remove it from TOOLFLOW_PASS_ENV`);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The variables to pass from `parentEnv`: every name in `names` that is a variable name, is set,
 * and is not refused. Refused names are skipped silently here (the places that read the names, the
 * workflow loader and `parsePassEnv`, report them).
 */
export function passedEnv(names: readonly string[], parentEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    if (!NAME.test(name) || refusedPassEnvName(name) !== null) continue;
    const value = parentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
