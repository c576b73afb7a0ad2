/**
 * Loading a workflow file: YAML → JSON Schema check (ajv) → normalized model → DAG checks.
 * Every problem is reported with file, line, column and field path; all problems of a stage are
 * reported together.
 */
import { readFile, stat } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schema/workflow.schema.json' with { type: 'json' };
import { SpecError, type SpecIssue } from '../errors.js';
import { buildDag, closest, type Dag } from './graph.js';
import { checkOptionValue, typeOptionValue } from './option-values.js';
import { formatBytes, parseBytes, parseCpu } from './resources.js';
import type { FailureReason, InputSpec, OptionSpec, OptionValue, RetryPolicy, ToolSpec, WorkflowSpec } from './types.js';
import { MAX_YAML_BYTES, YamlSource, type DataPath } from './yaml-source.js';

/** Defaults of the `retry` block. */
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

/** A loaded workflow: the spec, its DAG and the source (to place later errors, such as option values). */
export interface LoadedWorkflow {
  spec: WorkflowSpec;
  dag: Dag;
  source: YamlSource;
}

let validator: ValidateFunction | undefined;
function validate(data: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, coerceTypes: true, strict: false, verbose: true }).compile(schema);
  return validator(data) ? [] : (validator.errors ?? []);
}

/**
 * Reads and checks a workflow file.
 * @throws SpecError with every issue found (file missing or too large, YAML syntax, schema, values, graph).
 */
export async function loadWorkflowFile(file: string): Promise<LoadedWorkflow> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new SpecError([{ file, line: 0, column: 0, path: '', message: `cannot read the file: ${(err as Error).message}` }]);
  }
  if (!(await stat(file)).isFile()) throw new SpecError([{ file, line: 0, column: 0, path: '', message: 'is not a regular file' }]);
  if (size > MAX_YAML_BYTES) {
    throw new SpecError([{ file, line: 0, column: 0, path: '', message: `file is ${size} bytes, more than the ${MAX_YAML_BYTES}-byte limit` }]);
  }
  return parseWorkflow(file, await readFile(file, 'utf8'));
}

/**
 * Checks workflow text.
 * @param file name used in messages.
 * @throws SpecError with every issue found.
 */
export function parseWorkflow(file: string, text: string): LoadedWorkflow {
  const { source, issues } = YamlSource.parse(file, text);
  if (!source) throw new SpecError(issues);
  if (source.data === undefined || source.data === null) throw new SpecError([{ file, line: 1, column: 1, path: '', message: 'the file is empty' }]);
  const typingIssues = typeScalars(source);
  // A bad property name is reported at the name itself; ajv's summary error for the object adds nothing.
  const schemaIssues = validate(source.data)
    .filter((e) => e.keyword !== 'propertyNames')
    .map((e) => schemaIssue(source, e));
  if (schemaIssues.length + typingIssues.length > 0) throw new SpecError([...typingIssues, ...dedupe(schemaIssues)]);
  const problems: SpecIssue[] = [];
  const spec = normalize(source, problems);
  const { dag, problems: graphProblems } = buildDag(spec.tools);
  if (!dag || problems.length > 0) {
    const raw = source.data as { tools: { rely?: unknown }[] };
    throw new SpecError([
      ...problems,
      ...graphProblems.map((p) => {
        const path: DataPath = ['tools', p.tool];
        if (p.kind === 'duplicate') path.push('name');
        else if (p.relyIndex !== undefined) path.push('rely', ...(Array.isArray(raw.tools[p.tool]!.rely) ? [p.relyIndex] : []));
        else path.push('rely');
        return source.issue(path, p.message);
      }),
    ]);
  }
  return { spec, dag, source };
}

/**
 * Types the boolean and number fields before the schema check, by toolflow's rules rather than YAML's
 * or ajv's guesses: `required` takes true/false in any case; `min`, `max`, `retry.max` and `retry.grow`
 * take decimal numbers only (`010` or `0x10` is refused, not read as 10, 8 or 16).
 * @returns issues for numbers that are not plain decimals.
 */
function typeScalars(source: YamlSource): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const raw = source.data as Partial<RawWorkflow> | null;
  if (!raw || typeof raw !== 'object') return issues;
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const num = (obj: Record<string, unknown>, key: string, type: 'int' | 'float', path: DataPath) => {
    const v = obj[key];
    if (typeof v !== 'string') return;
    const typed = typeOptionValue(type, v);
    if ('error' in typed) {
      issues.push(source.issue([...path, key], typed.error));
      delete obj[key]; // reported here; the schema check must not report it again
    } else obj[key] = typed.value;
  };
  if (isObj(raw.inputs)) for (const v of Object.values(raw.inputs)) if (isObj(v) && 'required' in v) v.required = toBoolean(v.required) as boolean;
  if (!Array.isArray(raw.tools)) return issues;
  raw.tools.forEach((t: unknown, i) => {
    if (!isObj(t)) return;
    if (Array.isArray(t.options)) {
      t.options.forEach((o: unknown, k) => {
        if (!isObj(o)) return;
        if ('required' in o) o.required = toBoolean(o.required);
        num(o, 'min', 'float', ['tools', i, 'options', k]);
        num(o, 'max', 'float', ['tools', i, 'options', k]);
      });
    }
    if (isObj(t.retry)) {
      num(t.retry, 'max', 'int', ['tools', i, 'retry']);
      num(t.retry, 'grow', 'float', ['tools', i, 'retry']);
    }
  });
  return issues;
}

/** A value for a message: JSON, cut to 60 characters (a value can be huge once aliases are expanded). */
function preview(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function schemaIssue(source: YamlSource, e: ErrorObject): SpecIssue {
  const path: DataPath = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const p = e.params as Record<string, unknown>;
  if (e.propertyName !== undefined) {
    const rule = (e.schema as unknown as { description?: string } | undefined)?.description ?? (e.parentSchema as { description?: string }).description;
    return source.issue(path, `"${e.propertyName}" is not a valid name${rule ? `: ${rule}` : ''}`, e.propertyName);
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const hint = closest(field, known);
      return source.issue(path, `unknown field "${field}"${hint ? ` (did you mean "${hint}"?)` : `; known fields: ${known.join(', ')}`}`, field);
    }
    case 'required':
      return source.issue(path, `missing required field "${String(p.missingProperty)}"`);
    case 'type': {
      const got = valueAt(source.data, path);
      const hint = p.type === 'boolean' && typeof got === 'string' && /^(yes|no|on|off|y|n)$/i.test(got) ? ` ("${got}" is a boolean only in YAML 1.1; write true or false)` : '';
      return source.issue(path, `must be ${String(p.type).replace(/,/g, ' or ')}, got ${preview(got)}${hint}`);
    }
    case 'pattern': {
      const description = (e.parentSchema as { description?: string }).description;
      return source.issue(path, `${preview(valueAt(source.data, path))} is not valid${description ? `: ${description}` : ''}`);
    }
    case 'enum':
      return source.issue(path, `${preview(valueAt(source.data, path))} must be one of ${(p.allowedValues as unknown[]).join(', ')}`);
    default:
      return source.issue(path, e.message ?? 'is not valid');
  }
}

/** Drops issues reported twice for the same path with the same message. */
function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function valueAt(data: unknown, path: DataPath): unknown {
  let v = data;
  for (const part of path) v = (v as Record<string | number, unknown> | undefined)?.[part];
  return v;
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

/** `true`/`false` in any case (YAML 1.2 core schema: true, True, TRUE); anything else is left for the schema to reject. */
function toBoolean(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const lower = v.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : v;
}

interface RawOption {
  name: string;
  desc?: string;
  type?: OptionSpec['type'];
  required?: boolean;
  default?: OptionValue;
  enum?: OptionValue[];
  min?: number;
  max?: number;
}
interface RawTool {
  name: string;
  cpu?: number | string;
  mem?: number | string;
  disk?: number | string;
  image?: string;
  description?: string;
  output?: string;
  outputs?: string[];
  env?: string[] | Record<string, OptionValue>;
  options?: RawOption[];
  cmds: OptionValue[];
  rely?: string[] | string;
  retry?: { max?: number; on?: FailureReason[]; grow?: number; cap?: { mem?: number | string; disk?: number | string } };
}
interface RawWorkflow {
  name: string;
  description?: string;
  inputs?: Record<string, { required?: boolean; description?: string } | null>;
  tools: RawTool[];
}

function normalize(source: YamlSource, problems: SpecIssue[]): WorkflowSpec {
  const raw = source.data as RawWorkflow;
  const at = <T>(path: DataPath, f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (err) {
      problems.push(source.issue(path, (err as Error).message));
      return fallback;
    }
  };
  const inputs: InputSpec[] = Object.entries(raw.inputs ?? {}).map(([name, v]) => ({
    name,
    required: (toBoolean(v?.required) as boolean | undefined) ?? true,
    description: v?.description ?? '',
  }));
  const envKeys = new Map<string, string>();
  const tools = raw.tools.map((t, i): ToolSpec => {
    const base: DataPath = ['tools', i];
    const key = envKey(t.name);
    const clash = envKeys.get(key);
    if (clash !== undefined && clash !== t.name) {
      problems.push(source.issue([...base, 'name'], `"${t.name}" and "${clash}" both become $TF_DEP_${key}; rename one`));
    }
    envKeys.set(key, t.name);
    const retry = t.retry ?? {};
    return {
      name: t.name,
      description: t.description ?? '',
      output: t.output ?? '',
      cpuMillicores: at([...base, 'cpu'], () => parseCpu(t.cpu ?? DEFAULT_CPU), 1000),
      memBytes: at([...base, 'mem'], () => parseBytes(t.mem ?? DEFAULT_MEM), 1),
      diskBytes: t.disk === undefined ? null : at([...base, 'disk'], () => parseBytes(t.disk), null),
      timeSeconds: null, // TODO(issue 7): the `time` field
      passEnv: [], // TODO(issue 7): the `envvars` field
      image: t.image ?? null,
      outputs: (t.outputs ?? []).map((o, k) => at([...base, 'outputs', k], () => checkRelativePath(o), o)),
      env: normalizeEnv(t.env, (k, message) => problems.push(source.issue([...base, 'env', k], message))),
      options: normalizeOptions(t.options ?? [], (path, message) => problems.push(source.issue([...base, 'options', ...path], message))),
      cmds: t.cmds.map(String),
      rely: splitRely(t.rely),
      retry: {
        maxAttempts: retry.max ?? DEFAULT_RETRY.maxAttempts,
        on: retry.on ?? DEFAULT_RETRY.on,
        grow: retry.grow ?? DEFAULT_RETRY.grow,
        capMemBytes: retry.cap?.mem === undefined ? DEFAULT_RETRY.capMemBytes : at([...base, 'retry', 'cap', 'mem'], () => parseBytes(retry.cap!.mem), 1),
        capDiskBytes: retry.cap?.disk === undefined ? DEFAULT_RETRY.capDiskBytes : at([...base, 'retry', 'cap', 'disk'], () => parseBytes(retry.cap!.disk), 1),
        capTimeSeconds: DEFAULT_RETRY.capTimeSeconds,
      },
    };
  });
  tools.forEach((t, i) => {
    const base: DataPath = ['tools', i];
    if (t.memBytes > 1 && t.memBytes < MIN_BYTES) problems.push(source.issue([...base, 'mem'], `${t.memBytes} bytes is too little to run anything; a size without a unit is bytes: write ${raw.tools[i]!.mem}M or ${raw.tools[i]!.mem}Mi`));
    if (t.diskBytes !== null && t.diskBytes < MIN_BYTES) problems.push(source.issue([...base, 'disk'], `${t.diskBytes} bytes is too little; a size without a unit is bytes: write ${raw.tools[i]!.disk}M or ${raw.tools[i]!.disk}Mi`));
    if (t.retry.capMemBytes < t.memBytes) problems.push(source.issue([...base, 'retry', 'cap', 'mem'], `the cap (${formatBytes(t.retry.capMemBytes)}) is below the tool's mem (${formatBytes(t.memBytes)})`));
    if (t.diskBytes !== null && t.retry.capDiskBytes < t.diskBytes) problems.push(source.issue([...base, 'retry', 'cap', 'disk'], `the cap (${formatBytes(t.retry.capDiskBytes)}) is below the tool's disk (${formatBytes(t.diskBytes)})`));
  });
  return { name: raw.name, description: raw.description ?? '', inputs, tools };
}

/** Smallest `mem` or `disk` accepted, bytes: below it, a size was almost surely written without its unit. */
export const MIN_BYTES = 1024 * 1024;

/** `rely` as a list of names: the design doc writes both lists and `"tool1;tool2"` strings, even inside a list. */
function splitRely(rely: RawTool['rely']): string[] {
  const items = typeof rely === 'string' ? [rely] : (rely ?? []);
  return [...new Set(items.flatMap((r) => r.split(';')).map((r) => r.trim()).filter(Boolean))];
}

/** The environment-variable form of a tool or input name: `-` becomes `_`. */
export function envKey(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * Checks that a declared output stays inside the tool's work dir.
 * @throws Error for absolute paths and paths with `..` segments.
 */
export function checkRelativePath(path: string): string {
  if (path.startsWith('/') || path.split('/').some((seg) => seg === '..') || path.includes('\0')) {
    throw new Error(`"${path}" must be a path inside the tool's work dir (relative, without "..")`);
  }
  return path;
}

function normalizeEnv(env: RawTool['env'], problem: (key: string | number, message: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: [string | number, string, string][] = Array.isArray(env)
    ? env.map((kv, k) => [k, kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])
    : Object.entries(env ?? {}).map(([name, v]) => [name, name, String(v ?? '')]);
  for (const [where, name, value] of entries) {
    if (name.startsWith('TF_')) problem(where, `"${name}": names starting with TF_ are reserved for toolflow`);
    else out[name] = value;
  }
  return out;
}

function normalizeOptions(raw: RawOption[], problem: (path: DataPath, message: string) => void): OptionSpec[] {
  const seen = new Set<string>();
  return raw.map((o, k) => {
    if (seen.has(o.name)) problem([k, 'name'], `duplicate option "${o.name}"`);
    seen.add(o.name);
    const type = TYPE_ALIASES[o.type ?? 'string'] ?? 'string';
    const option: OptionSpec = { name: o.name, desc: o.desc ?? '', type, required: (toBoolean(o.required) as boolean | undefined) ?? false };
    if (o.min !== undefined) option.min = o.min;
    if (o.max !== undefined) option.max = o.max;
    if (option.min !== undefined && option.max !== undefined && option.min > option.max) problem([k, 'min'], `min ${option.min} is more than max ${option.max}`);
    if (o.enum) {
      option.enum = o.enum.map((e, j) => {
        const typed = typeOptionValue(type, e);
        if ('error' in typed) problem([k, 'enum', j], typed.error);
        return 'value' in typed ? typed.value : e;
      });
    }
    if (o.default !== undefined) {
      const checked = checkOptionValue(option, o.default);
      if ('error' in checked) problem([k, 'default'], checked.error);
      else option.default = checked.value;
    }
    return option;
  });
}
