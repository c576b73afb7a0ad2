/**
 * From checked YAML data to the normalized model (shared/spec/types.ts): units applied, defaults
 * filled, and the rules the JSON Schema cannot say (sizes, times, clashing names, reserved names).
 * This module normalizes the workflow and each tool's own fields (resources, env, options, retry,
 * rely, scatter); the `inputs` block is normalize-inputs.ts's, a tool's `outputs` and `publish`
 * normalize-outputs.ts's.
 *
 * It runs even when the schema check found problems, so that one pass reports every independent
 * error: a field the schema check already reported is skipped (not reported twice), and every value
 * is type-guarded, since a file with schema errors can have any shape.
 */
import type { SpecIssue } from '../errors.js';
import { closest } from './graph.js';
import { isObj, parseField, problem, type Ctx, type Obj, type Reported, type Scatter } from './normalize-context.js';
import { normalizeInputs } from './normalize-inputs.js';
import { normalizeOutputs, normalizePublish } from './normalize-outputs.js';
import { checkOptionValue, envStringProblem, typeOptionValue } from './option-values.js';
import { formatBytes, formatSeconds, parseBytes, parseCpu, parseDuration } from './resources.js';
import type { FailureReason, InputSpec, OptionSpec, OptionValue, RetryPolicy, ToolSpec, WorkflowSpec } from './types.js';
import { envKey, envNameProblem, passEnvProblem, toolEnvProblem } from './tool-env.js';
import type { DataPath, YamlSource } from './yaml-source.js';

export type { Reported } from './normalize-context.js';
export { checkRelativePath } from './normalize-outputs.js';
export { envKey } from './tool-env.js';

/** Defaults of the `retry` block (`capTimeSeconds`: 7 days). */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  on: ['oom', 'disk', 'lost', 'undelivered'],
  grow: 2,
  capMemBytes: parseBytes('64G'),
  capDiskBytes: parseBytes('500G'),
  capTimeSeconds: 7 * 24 * 3600,
};
const DEFAULT_CPU = 1;
const DEFAULT_MEM = '1Gi';

/** Smallest `mem` or `disk` accepted, bytes: below it, a size was almost surely written without its unit. */
export const MIN_BYTES = 1024 * 1024;

/** `1 byte`, `100 bytes`. */
const byteCount = (n: number) => `${n} ${n === 1 ? 'byte' : 'bytes'}`;

/**
 * Normalizes workflow data (after `typeScalars` and the schema check).
 * @param reported paths the schema check has reported (skipped here).
 * @returns the model, and the problems found (the model is only meaningful when there are none).
 */
export function normalizeWorkflow(source: YamlSource, reported: Reported): { spec: WorkflowSpec; problems: SpecIssue[] } {
  const ctx: Ctx = { source, problems: [], reported };
  const raw = isObj(source.data) ? source.data : {};
  const inputs = normalizeInputs(ctx, raw.inputs);
  const workflowEnvvars = normalizeEnvvars(ctx, raw.envvars, ['envvars']);
  const rawTools = Array.isArray(raw.tools) ? raw.tools : [];
  const depKeys = new Map<string, string>();
  const folded = new Map<string, string>();
  const tools = rawTools.map((t: unknown, i): ToolSpec => {
    const tool = normalizeTool(ctx, isObj(t) ? t : {}, i, workflowEnvvars, inputs);
    if (tool.name && !ctx.reported(['tools', i, 'name'])) {
      const key = envKey(tool.name);
      const clash = depKeys.get(key);
      const caseClash = folded.get(tool.name.toLowerCase());
      if (clash !== undefined && clash !== tool.name) problem(ctx, ['tools', i, 'name'], `"${tool.name}" and "${clash}" both become $TF_DEP_${key}; rename one`);
      // MySQL's default collation compares names without case, and Kubernetes names are lower case.
      else if (caseClash !== undefined && caseClash !== tool.name) problem(ctx, ['tools', i, 'name'], `"${tool.name}" and "${caseClash}" differ only in case, which the MySQL store and Kubernetes do not tell apart; rename one`);
      depKeys.set(key, tool.name);
      folded.set(tool.name.toLowerCase(), tool.name);
    }
    // The whole environment must fit too, with the defaults (the values given at submit are checked then, in values.ts).
    const defaults = Object.fromEntries(tool.options.filter((o) => o.default !== undefined).map((o) => [o.name, o.default!]));
    const tooBig = toolEnvProblem(tool, defaults, inputs.map((input) => envKey(input.name)));
    if (tooBig) problem(ctx, ['tools', i, isObj(t) && t.env !== undefined ? 'env' : 'options'], tooBig);
    return tool;
  });
  return {
    spec: { name: typeof raw.name === 'string' ? raw.name : '', description: typeof raw.description === 'string' ? raw.description : '', inputs, tools },
    problems: ctx.problems,
  };
}

function normalizeTool(ctx: Ctx, t: Obj, i: number, workflowEnvvars: string[], inputs: InputSpec[]): ToolSpec {
  const base: DataPath = ['tools', i];
  const at = (...rest: DataPath): DataPath => [...base, ...rest];
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const cpuMillicores = t.cpu === undefined ? parseCpu(DEFAULT_CPU) : parseField(ctx, at('cpu'), t.cpu, parseCpu);
  const memBytes = t.mem === undefined ? parseBytes(DEFAULT_MEM) : parseField(ctx, at('mem'), t.mem, parseBytes);
  const diskBytes = parseField(ctx, at('disk'), t.disk, parseBytes);
  const timeSeconds = parseField(ctx, at('time'), t.time, parseDuration);
  if (memBytes !== undefined && memBytes < MIN_BYTES) problem(ctx, at('mem'), `${byteCount(memBytes)} is too little to run anything; a size without a unit is bytes: write ${String(t.mem)}M or ${String(t.mem)}Mi`);
  if (diskBytes !== undefined && diskBytes < MIN_BYTES) problem(ctx, at('disk'), `${byteCount(diskBytes)} is too little; a size without a unit is bytes: write ${String(t.disk)}M or ${String(t.disk)}Mi`);

  const env = normalizeEnv(ctx, t.env, at('env'));
  const own = normalizeEnvvars(ctx, t.envvars, at('envvars'));
  own.forEach((name, k) => {
    if (name in env) problem(ctx, at('envvars', k), `"${name}" is both set in env and passed through; keep one (a value in env is passed literally)`);
  });
  // A tool's own env value wins over a workflow-level pass-through of the same name.
  const passEnv = [...new Set([...workflowEnvvars, ...own])].filter((name) => !(name in env));
  const scatter = normalizeScatter(ctx, t.scatter, at('scatter'), inputs);
  const { outputs, namedOutputs } = normalizeOutputs(ctx, t.outputs, at('outputs'), scatter);
  const publish = normalizePublish(ctx, t, at(), { outputs, namedOutputs });

  return {
    name: text(t.name),
    description: text(t.description),
    output: text(t.output),
    cpuMillicores: cpuMillicores ?? 1000,
    memBytes: memBytes ?? MIN_BYTES,
    diskBytes: diskBytes ?? null,
    timeSeconds: timeSeconds ?? null,
    passEnv,
    image: typeof t.image === 'string' ? t.image : null,
    outputs,
    namedOutputs,
    scatter: scatter.name,
    publish,
    env,
    options: Array.isArray(t.options) ? normalizeOptions(ctx, t.options, at('options')) : [],
    cmds: Array.isArray(t.cmds) ? t.cmds.map(String) : [],
    rely: ctx.reported(at('rely')) ? [] : splitRely(t.rely),
    retry: normalizeRetry(ctx, isObj(t.retry) ? t.retry : {}, at('retry'), { memBytes, diskBytes, timeSeconds }),
  };
}

/**
 * `scatter`: the name of an input of type samples or list. @returns the name as written (kept even
 * when it is wrong, so that later checks can tell "scattered over something unknown" from "not
 * scattered"), and the input when it is one to scatter over.
 */
function normalizeScatter(ctx: Ctx, raw: unknown, path: DataPath, inputs: InputSpec[]): Scatter {
  if (typeof raw !== 'string' || ctx.reported(path)) return { name: null };
  const input = inputs.find((n) => n.name === raw);
  const scatterable = inputs.filter((n) => n.type !== 'file').map((n) => n.name);
  const offer = scatterable.length > 0 ? `; inputs of type samples or list: ${scatterable.join(', ')}` : '; this workflow declares no input of type samples or list';
  if (!input) {
    const hint = closest(raw, scatterable) ?? closest(raw, inputs.map((n) => n.name));
    problem(ctx, path, `unknown input "${raw}"${hint ? ` (did you mean "${hint}"?)` : ''}: scatter names an input of type samples or list${hint ? '' : offer}`);
    return { name: raw };
  }
  if (input.type === 'file') {
    problem(ctx, path, `"${raw}" is an input of type file (one file, so one run): scatter names an input of type samples (a sample sheet) or list${offer}`);
    return { name: raw };
  }
  return { name: raw, input };
}

function normalizeRetry(ctx: Ctx, retry: Obj, base: DataPath, tool: { memBytes?: number; diskBytes?: number; timeSeconds?: number }): RetryPolicy {
  const usable = (key: string) => retry[key] !== undefined && !ctx.reported([...base, key]);
  const cap = isObj(retry.cap) ? retry.cap : {};
  const capAt = (key: string): DataPath => [...base, 'cap', key];
  const capMemBytes = cap.mem === undefined ? DEFAULT_RETRY.capMemBytes : parseField(ctx, capAt('mem'), cap.mem, parseBytes);
  const capDiskBytes = cap.disk === undefined ? DEFAULT_RETRY.capDiskBytes : parseField(ctx, capAt('disk'), cap.disk, parseBytes);
  const capTimeSeconds = cap.time === undefined ? DEFAULT_RETRY.capTimeSeconds : parseField(ctx, capAt('time'), cap.time, parseDuration);
  const below = (what: string, key: string, capValue: number | undefined, value: number | undefined, format: (n: number) => string) => {
    if (capValue !== undefined && value !== undefined && capValue < value) {
      problem(ctx, capAt(key), `the cap (${format(capValue)}) is below the tool's ${what} (${format(value)}); raise retry.cap.${key} or lower ${what}`);
    }
  };
  below('mem', 'mem', capMemBytes, tool.memBytes, formatBytes);
  below('disk', 'disk', capDiskBytes, tool.diskBytes, formatBytes);
  below('time', 'time', capTimeSeconds, tool.timeSeconds, formatSeconds);
  return {
    maxAttempts: usable('max') && typeof retry.max === 'number' ? retry.max : DEFAULT_RETRY.maxAttempts,
    on: usable('on') && Array.isArray(retry.on) ? (retry.on as FailureReason[]) : [...DEFAULT_RETRY.on],
    grow: usable('grow') && typeof retry.grow === 'number' ? retry.grow : DEFAULT_RETRY.grow,
    capMemBytes: capMemBytes ?? DEFAULT_RETRY.capMemBytes,
    capDiskBytes: capDiskBytes ?? DEFAULT_RETRY.capDiskBytes,
    capTimeSeconds: capTimeSeconds ?? DEFAULT_RETRY.capTimeSeconds,
  };
}

/** `rely` as a list of names: the design doc writes both lists and `"tool1;tool2"` strings, even inside a list. */
function splitRely(rely: unknown): string[] {
  const items: unknown[] = typeof rely === 'string' ? [rely] : Array.isArray(rely) ? rely : [];
  return [...new Set(items.filter((r): r is string => typeof r === 'string').flatMap((r) => r.split(';')).map((r) => r.trim()).filter(Boolean))];
}

/**
 * The `env` field: a list of `KEY=VALUE` or a mapping. Refuses `TF_` names in any case (toolflow sets them), a
 * name set twice in the list form, and values an environment variable cannot hold (NUL, longer than
 * MAX_ARG_STRLEN with the name).
 */
function normalizeEnv(ctx: Ctx, env: unknown, base: DataPath): Record<string, string> {
  const entries: [string | number, string, string][] = [];
  if (Array.isArray(env)) {
    env.forEach((kv: unknown, k) => {
      if (typeof kv !== 'string' || ctx.reported([...base, k]) || !kv.includes('=')) return;
      entries.push([k, kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]);
    });
  } else if (isObj(env)) {
    for (const [name, v] of Object.entries(env)) if (!ctx.reported([...base, name])) entries.push([name, name, String(v ?? '')]);
  }
  const out: Record<string, string> = {};
  const firstAt = new Map<string, string | number>();
  for (const [where, name, value] of entries) {
    const path = [...base, where];
    const tooLong = envStringProblem(name, value, `the value of ${name}`);
    const reserved = envNameProblem(name);
    if (reserved) problem(ctx, path, reserved);
    else if (firstAt.has(name)) problem(ctx, path, `"${name}" is set twice (env[${String(firstAt.get(name))}] and env[${String(where)}]); keep one`);
    else if (tooLong) problem(ctx, path, tooLong);
    else out[name] = value;
    if (!firstAt.has(name)) firstAt.set(name, where);
  }
  return out;
}

/** An `envvars` list (workflow or tool): the names that may be passed through, without duplicates. */
function normalizeEnvvars(ctx: Ctx, list: unknown, base: DataPath): string[] {
  if (!Array.isArray(list)) return [];
  const names: string[] = [];
  list.forEach((name: unknown, k) => {
    if (typeof name !== 'string' || ctx.reported([...base, k])) return;
    const why = passEnvProblem(name);
    if (why) problem(ctx, [...base, k], why);
    else if (!names.includes(name)) names.push(name);
  });
  return names;
}

/** Option type names as written (JSON Schema's and Python's names are accepted too) → the type. */
const TYPE_ALIASES: Record<string, OptionSpec['type']> = {
  string: 'string',
  str: 'string',
  int: 'int',
  integer: 'int',
  float: 'float',
  number: 'float',
  bool: 'bool',
  boolean: 'bool',
};

/**
 * A tool's options. Names are shell identifiers (the schema), so `TF_OPT_<name>` can only clash for
 * the same name, which is refused. `min`/`max` are refused on string and bool options; enum values
 * and the default are typed and checked by the option's type (unless the type itself is wrong).
 */
function normalizeOptions(ctx: Ctx, raw: unknown[], base: DataPath): OptionSpec[] {
  const seen = new Set<string>();
  return raw.map((item: unknown, k): OptionSpec => {
    const o = isObj(item) ? item : {};
    const at = (...rest: DataPath): DataPath => [...base, k, ...rest];
    const name = typeof o.name === 'string' ? o.name : '';
    if (name && seen.has(name)) problem(ctx, at('name'), `duplicate option "${name}"`);
    seen.add(name);
    const typeKnown = !ctx.reported(at('type'));
    const type = (typeof o.type === 'string' ? TYPE_ALIASES[o.type] : undefined) ?? 'string';
    const option: OptionSpec = { name, desc: typeof o.desc === 'string' ? o.desc : '', type, required: o.required === true };
    for (const bound of ['min', 'max'] as const) {
      const v = o[bound];
      if (typeof v !== 'number' || ctx.reported(at(bound))) continue;
      if (typeKnown && (type === 'string' || type === 'bool')) {
        const how = o.type === undefined ? 'a string option (string is the default type)' : `a ${type} option`;
        problem(ctx, at(bound), `${bound} is for int and float options, and "${name}" is ${how}: declare type: int or float, or remove ${bound}${type === 'string' ? ' (enum lists the allowed strings)' : ''}`);
      } else option[bound] = v;
    }
    if (option.min !== undefined && option.max !== undefined && option.min > option.max) problem(ctx, at('min'), `min ${option.min} is more than max ${option.max}`);
    if (Array.isArray(o.enum) && !ctx.reported(at('enum'))) {
      option.enum = (o.enum as OptionValue[]).map((e, j) => {
        const typed = typeKnown ? typeOptionValue(type, e) : { value: e };
        if ('error' in typed) problem(ctx, at('enum', j), typed.error);
        return 'value' in typed ? typed.value : e;
      });
    }
    if (o.default !== undefined && typeKnown && !ctx.reported(at('default'))) {
      const checked = checkOptionValue(option, o.default as OptionValue);
      if ('error' in checked) problem(ctx, at('default'), checked.error);
      else option.default = checked.value;
    }
    return option;
  });
}
