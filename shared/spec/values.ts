/**
 * Run-time values: option values (`--set TOOL.OPTION=VALUE`, a params file) and input files
 * (`--input NAME=PATH`), checked against a loaded workflow.
 */
import { readFile, stat } from 'node:fs/promises';
import { SpecError, type SpecIssue } from '../errors.js';
import { closest } from './graph.js';
import { checkOptionValue } from './option-values.js';
import { toolEnvProblem } from './tool-env.js';
import type { OptionValue, WorkflowSpec } from './types.js';
import { YamlSource } from './yaml-source.js';

/** Option values by tool, then option name. */
export type ToolValues = Record<string, Record<string, OptionValue>>;

/**
 * One option value as given, with where it came from for messages: `from` is the `--set` argument
 * (`--set TOOL.OPTION=VALUE`, cut when long) or the params file's path, then with the 1-based
 * `line` and `column` of the value. `problem`, when set, says why the argument cannot be used (a
 * malformed or repeated `--set`): `resolveValues` reports it with the other problems and ignores
 * the value, so one bad argument does not hide the rest.
 */
export interface GivenValue {
  tool: string;
  option: string;
  value: OptionValue;
  from: string;
  line?: number;
  column?: number;
  problem?: string;
}

/** An argument for a message: cut to 80 characters (a value can be megabytes long). */
function argText(arg: string): string {
  return arg.length > 80 ? `${arg.slice(0, 77)}...` : arg;
}

/**
 * Parses `--set` arguments of the form `TOOL.OPTION=VALUE` (the value may contain `=` and anything else;
 * it is never evaluated).
 * @returns one entry per argument, in order. A malformed argument, and a second `--set` for an
 *   option already set on the command line (refused, as a repeated `--input` is, rather than letting
 *   the last win), come back with `problem` set (`resolveValues` reports them, with every other
 *   problem of the values). The `from` of an entry is `--set ARG`; it has no line or column.
 * @throws nothing.
 */
export function parseSetArgs(args: string[]): GivenValue[] {
  const given: GivenValue[] = [];
  const firstArg = new Map<string, string>();
  for (const arg of args) {
    const m = /^([^.=]+)\.([^=]+)=([\s\S]*)$/.exec(arg);
    const from = `--set ${argText(arg)}`;
    if (!m) {
      given.push({ tool: '', option: '', value: '', from, problem: `"${argText(arg)}" must look like TOOL.OPTION=VALUE` });
      continue;
    }
    const [, tool, option, value] = m as unknown as [string, string, string, string];
    const key = `${tool}.${option}`;
    const earlier = firstArg.get(key);
    if (earlier === undefined) {
      firstArg.set(key, arg);
      given.push({ tool, option, value, from });
    } else {
      given.push({ tool, option, value, from, problem: `option ${key} is given twice (--set ${argText(earlier)}, then --set ${argText(arg)}); give each option once` });
    }
  }
  return given;
}

/**
 * Reads a params file: YAML or JSON of the form `{TOOL: {OPTION: VALUE}}`. Scalars keep their exact
 * text (typed later by the option), except a plain `null`, `~` or empty value (JSON's `null`): that
 * means "no value", so the option keeps its default (and a required option without one is refused).
 * A quoted `"null"` is the text null.
 * @throws SpecError for syntax errors and for a shape other than a mapping of mappings of scalars.
 */
export async function readParamsFile(file: string): Promise<GivenValue[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SpecError([{ file, path: '', message: `cannot read the params file: ${(err as Error).message}` }]);
  }
  const { source, issues } = YamlSource.parse(file, text, { nulls: true });
  if (!source) throw new SpecError(issues);
  const data = source.data ?? {};
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isMap(data)) throw new SpecError([source.issue([], 'a params file is a mapping of tool names to mappings of option values')]);
  const given: GivenValue[] = [];
  for (const [tool, options] of Object.entries(data)) {
    if (!isMap(options)) {
      issues.push(source.issue([tool], `"${tool}" must map option names to values`));
      continue;
    }
    for (const [option, value] of Object.entries(options)) {
      if (value === null) continue; // no value: the default applies
      if (typeof value === 'object') issues.push(source.issue([tool, option], 'must be a single value (a string, number or boolean), or null for none'));
      else {
        const { line, column } = source.locate([tool, option]);
        given.push({ tool, option, value: value as OptionValue, from: file, line, column });
      }
    }
  }
  if (issues.length) throw new SpecError(issues);
  return given;
}

/**
 * Resolves every tool's option values: defaults, then the params file, then `--set` (later wins).
 * @returns values for every option that has one.
 * @throws SpecError with every problem at once: the `problem` of each entry (a malformed or
 *   repeated `--set`, see `parseSetArgs`), unknown tools or options, values of the wrong type or
 *   outside enum/min/max, values a tool's environment cannot hold (a NUL, or `TF_OPT_<name>=value`
 *   over MAX_ARG_STRLEN), a tool whose whole environment (its env and option values) would pass
 *   MAX_TOOL_ENV_BYTES (see `toolEnvProblem`), and required options with no value. Each issue
 *   names where the value came from: the `--set` argument (no line or column) or the params file
 *   with the value's line and column.
 */
export function resolveValues(spec: WorkflowSpec, given: GivenValue[], file: string): ToolValues {
  const issues: SpecIssue[] = [];
  const values: ToolValues = {};
  const tools = new Map(spec.tools.map((t) => [t.name, t]));
  const badlyGiven = new Set<string>();
  for (const t of spec.tools) {
    values[t.name] = {};
    for (const o of t.options) if (o.default !== undefined) values[t.name]![o.name] = o.default;
  }
  const issueAt = (g: GivenValue, path: string, message: string) => issues.push({ file: g.from, ...(g.line ? { line: g.line, column: g.column ?? 0 } : {}), path, message });
  // Later values win (defaults < params file < --set): only the last value given for an option is checked.
  const last = new Map<string, GivenValue>();
  for (const g of given) {
    if (g.problem === undefined) last.set(`${g.tool}\u0000${g.option}`, g);
    else issueAt(g, g.tool ? `${g.tool}.${g.option}` : '', g.problem);
  }
  for (const g of last.values()) {
    const tool = tools.get(g.tool);
    const problem = (message: string) => issueAt(g, `${g.tool}.${g.option}`, message);
    if (!tool) {
      const hint = closest(g.tool, tools.keys());
      problem(`unknown tool "${g.tool}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
      continue;
    }
    const option = tool.options.find((o) => o.name === g.option);
    if (!option) {
      const hint = closest(g.option, tool.options.map((o) => o.name));
      const known = tool.options.map((o) => o.name).join(', ') || 'none';
      problem(`tool "${g.tool}" has no option "${g.option}"${hint ? ` (did you mean "${hint}"?)` : `; its options: ${known}`}`);
      continue;
    }
    const checked = checkOptionValue(option, g.value);
    if ('error' in checked) {
      problem(`${option.type} option: ${checked.error}`);
      badlyGiven.add(`${g.tool}.${g.option}`);
    }
    else values[g.tool]![g.option] = checked.value;
  }
  const inputNames = spec.inputs.map((i) => i.name);
  for (const t of spec.tools) {
    for (const o of t.options) {
      if (o.required && values[t.name]![o.name] === undefined && !badlyGiven.has(`${t.name}.${o.name}`)) {
        issues.push({ file, path: `${t.name}.${o.name}`, message: `required option has no value; give it with --set ${t.name}.${o.name}=VALUE` });
      }
    }
    const tooBig = toolEnvProblem(t, values[t.name]!, inputNames);
    if (tooBig) issues.push({ file, path: t.name, message: tooBig });
  }
  if (issues.length) throw new SpecError(issues);
  return values;
}

/**
 * Parses `--input NAME=PATH` arguments and checks them against the workflow's inputs.
 * @returns absolute-or-relative paths by input name, as given.
 * @throws SpecError for malformed arguments, unknown names, a name given twice (rather than letting
 *   the last win), missing required inputs, and paths that are not readable regular files. An
 *   argument's issue has `file` `--input ARG` and no line or column.
 */
export async function resolveInputs(spec: WorkflowSpec, args: string[], file: string): Promise<Record<string, string>> {
  const issues: SpecIssue[] = [];
  const inputs: Record<string, string> = {};
  const known = new Map(spec.inputs.map((i) => [i.name, i]));
  const firstArg = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const problem = (message: string) => issues.push({ file: `--input ${argText(arg)}`, path: name, message });
    const earlier = eq > 0 ? firstArg.get(name) : undefined;
    if (eq > 0 && earlier === undefined) firstArg.set(name, arg);
    if (eq <= 0) problem(`"${argText(arg)}" must look like NAME=PATH`);
    else if (earlier !== undefined) problem(`input "${name}" is given twice (--input ${argText(earlier)}, then --input ${argText(arg)}); give each input once`);
    else if (!known.has(name)) {
      const hint = closest(name, known.keys());
      problem(`the workflow has no input "${name}"${hint ? ` (did you mean "${hint}"?)` : `; its inputs: ${[...known.keys()].join(', ') || 'none'}`}`);
    } else {
      const path = arg.slice(eq + 1);
      try {
        const st = await stat(path);
        if (!st.isFile()) problem(`"${path}" is not a regular file`);
        else inputs[name] = path;
      } catch {
        problem(`"${path}" does not exist or cannot be read`);
      }
    }
  }
  for (const i of spec.inputs) {
    if (i.required && !(i.name in inputs) && !issues.some((x) => x.path === i.name)) {
      issues.push({ file, path: `inputs.${i.name}`, message: `required input has no file; give it with --input ${i.name}=PATH` });
    }
  }
  if (issues.length) throw new SpecError(issues);
  return inputs;
}
