/**
 * Run-time values: option values (`--set TOOL.OPTION=VALUE`, a params file) and inputs (`--input
 * NAME=PATH` for a file or a sample sheet, `--input NAME=VALUE` once per item of a list), checked
 * against a loaded workflow.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SpecError, type SpecIssue } from '../errors.js';
import type { FileFormat } from '../uploads/upload-doc.js';
import { closest } from './graph.js';
import { pathColumnsByInput } from './expand.js';
import { checkOptionValue } from './option-values.js';
import { checkLocalFormats, type FormatCheck } from './local-formats.js';
import { fileProblem, readListItems, readSampleSheet, type GivenItem } from './sample-sheet.js';
import { toolEnvProblem } from './tool-env.js';
import type { OptionValue, ScatterItems, WorkflowSpec } from './types.js';
import { YamlSource } from './yaml-source.js';
import { quotedName, shownName } from '../uploads/upload-names.js';

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

/**
 * An argument for a message: cut to 80 characters (a value can be megabytes long), then shown
 * escaped (`shownName`: a control, bidi or look-alike character in it is a `\uXXXX` escape).
 */
function argText(arg: string): string {
  return shownName(arg.length > 80 ? `${arg.slice(0, 77)}...` : arg);
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
      given.push({ tool, option, value, from, problem: `option ${shownName(key)} is given twice (--set ${argText(earlier)}, then --set ${argText(arg)}); give each option once` });
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
      issues.push(source.issue([tool], `${quotedName(tool)} must map option names to values`));
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
      problem(`unknown tool ${quotedName(g.tool)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
      continue;
    }
    const option = tool.options.find((o) => o.name === g.option);
    if (!option) {
      const hint = closest(g.option, tool.options.map((o) => o.name));
      const known = tool.options.map((o) => o.name).join(', ') || 'none';
      problem(`tool "${g.tool}" has no option ${quotedName(g.option)}${hint ? ` (did you mean "${hint}"?)` : `; its options: ${known}`}`);
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

/** True when `path` is a pipe (FIFO) or a character device: bytes read once, with no size ahead. */
function isStream(path: string): boolean {
  const st = statSync(path, { throwIfNoEntry: false });
  return st !== undefined && (st.isFIFO() || st.isCharacterDevice());
}

/** What `resolveInputs` found: the local files to upload, by stored input name, and the items of every samples and list input. */
export interface ResolvedInputs {
  /**
   * Stored input name → local path: each file input, each samples input's sheet (under the input's
   * name), and each item file (`<input>/<key>/<column>`, `<input>/<key>/item` for a list of files;
   * absolute paths). The same path may appear under several names (upload it once).
   */
  files: Record<string, string>;
  /** The items of each samples input given and each list input with items (given or `default`), in order. */
  items: ScatterItems;
  /**
   * File inputs given as a pipe or a character device (`--input reads=<(zcat r.fq.gz)`,
   * `--input reads=/dev/stdin`), by stored input name: read once when stored, so their declared
   * `format` (if any) is checked on the way (`run-command.ts`), not here (a read here would consume
   * the bytes). `issue` is where a mismatch is reported, as a local file's would be. Absent when
   * no input is a pipe.
   */
  streams?: Record<string, { format?: FileFormat; declaredAt: string; issue: Omit<SpecIssue, 'message'> }>;
}

/** Options of `resolveInputs`. */
export interface ResolveInputsOptions {
  /** False: a required input that is not given is no problem (`toolflow graph`, which needs only the items). Default true. */
  requireAll?: boolean;
}

/**
 * Parses `--input NAME=VALUE` arguments and checks them against the workflow's inputs: a `file`
 * input is one path (a readable regular file, or a pipe or character device read once when stored:
 * see `ResolvedInputs.streams`); a `samples` input is one sample sheet, read and
 * checked by sample-sheet.ts (its columns, cells and files; relative file cells from the sheet's
 * folder); a `list` input is given once per item (`--input chroms=chr1 --input chroms=chr2`), or
 * takes its `default` when not given (default paths of a list of files are read from the workflow
 * file's folder).
 * @param file the workflow file (for issues, and the folder of a list's default files).
 * @returns the files to upload and the items (see `ResolvedInputs`).
 * @throws SpecError with every problem at once: malformed arguments, unknown names, a file or
 *   samples input given twice (rather than letting the last win), missing required inputs (a list
 *   without items or default), paths that are not readable regular files, and every problem of
 *   each sheet and list (see `parseSampleSheet`, `readListItems`), and every file that does not fit
 *   the `format` its input or column declares (`checkLocalFormats`: its first 64 KiB read; a
 *   list's files only once the list has no other problem). An argument's issue has `file`
 *   `--input ARG` and no line or column; a sheet's issues have the sheet's path, line and column.
 */
export async function resolveInputs(spec: WorkflowSpec, args: string[], file: string, options: ResolveInputsOptions = {}): Promise<ResolvedInputs> {
  // One slot of issues per argument (and per list), so that issues found by checks that finish in
  // any order come out in the order of the arguments.
  const slots: SpecIssue[][] = [];
  const files: Record<string, string> = {};
  const items: ScatterItems = {};
  const streams: NonNullable<ResolvedInputs['streams']> = {};
  const known = new Map(spec.inputs.map((i) => [i.name, i]));
  const firstArg = new Map<string, string>();
  const listGiven = new Map<string, { given: GivenItem[]; slot: SpecIssue[] }>();
  const checks: Promise<void>[] = [];
  const pathColumns = pathColumnsByInput(spec);
  // Declared formats of files given as such (a file input, a list's items), checked once the arguments are read.
  const formatChecks: { slot: SpecIssue[]; check: FormatCheck }[] = [];
  for (const arg of args) {
    const slot: SpecIssue[] = [];
    slots.push(slot);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const input = known.get(name);
    const from = `--input ${argText(arg)}`;
    const problem = (message: string) => slot.push({ file: from, path: shownName(name), message });
    if (eq <= 0) {
      problem(`"${argText(arg)}" must look like NAME=${input?.type === 'list' ? 'VALUE' : 'PATH'}`);
      continue;
    }
    if (!input) {
      const hint = closest(name, known.keys());
      problem(`the workflow has no input ${quotedName(name)}${hint ? ` (did you mean "${hint}"?)` : `; its inputs: ${[...known.keys()].join(', ') || 'none'}`}`);
      continue;
    }
    const value = arg.slice(eq + 1);
    if (input.type === 'list') {
      const list = listGiven.get(name) ?? { given: [], slot };
      list.given.push({ value, from, path: `inputs.${name}[${list.given.length}]` });
      listGiven.set(name, list);
      continue;
    }
    const earlier = firstArg.get(name);
    if (earlier !== undefined) {
      problem(`input "${name}" is given twice (--input ${argText(earlier)}, then --input ${argText(arg)}); give each input once${input.type === 'samples' ? ' (a samples input is one sheet, with one row per sample)' : ''}`);
      continue;
    }
    firstArg.set(name, arg);
    if (input.type === 'samples') {
      checks.push(
        readSampleSheet(value, input, pathColumns.get(input.name)).then((sheet) => {
          slot.push(...sheet.issues);
          if (sheet.issues.length) return;
          files[input.name] = value;
          Object.assign(files, sheet.files);
          items[input.name] = sheet.items;
        }),
      );
    } else {
      // A pipe or a character device is read once when stored (docs/uploads.md): its format then.
      const why = fileProblem(value, { streams: true });
      if (why) problem(why);
      else files[name] = value;
      const at = { file: from, path: shownName(name) };
      if (!why && isStream(value)) streams[name] = { ...(input.format ? { format: input.format } : {}), declaredAt: `inputs.${name}`, issue: at };
      else if (!why && input.format) formatChecks.push({ slot, check: { path: value, shown: value, format: input.format, declaredAt: `inputs.${name}`, at } });
    }
  }
  const workflowDir = dirname(resolve(file));
  for (const input of spec.inputs) {
    if (input.type !== 'list') continue;
    const list = listGiven.get(input.name);
    const given = list?.given ?? (input.default ?? []).map((value, k): GivenItem => ({ value, from: file, path: `inputs.${input.name}.default[${k}]` }));
    if (given.length === 0) continue;
    const slot = list?.slot ?? [];
    if (!list) slots.push(slot);
    const read = readListItems(input, given, list ? process.cwd() : workflowDir);
    slot.push(...read.issues);
    if (read.issues.length === 0) {
      Object.assign(files, read.files);
      items[input.name] = read.items;
      // Without issues, the items are the values given, in order.
      if (input.of === 'file' && input.format) {
        read.items.forEach((item, k) => {
          const g = given[k]!;
          const at = { file: g.from, ...(g.line ? { line: g.line, column: g.column ?? 1 } : {}), path: g.path ?? `inputs.${input.name}[${k}]` };
          formatChecks.push({ slot, check: { path: read.files[item.files.item!]!, shown: g.value, format: input.format!, declaredAt: `inputs.${input.name}`, at } });
        });
      }
    }
  }
  await Promise.all(checks);
  (await checkLocalFormats(formatChecks.map((c) => c.check))).forEach((issue, k) => issue && formatChecks[k]!.slot.push(issue));
  const issues = slots.flat();
  if (options.requireAll !== false) {
    for (const i of spec.inputs) {
      if (!i.required || firstArg.has(i.name) || listGiven.has(i.name) || items[i.name] || issues.some((x) => x.path === i.name)) continue;
      if (i.type === 'list') issues.push({ file, path: `inputs.${i.name}`, message: `required list input has no items; give them with --input ${i.name}=VALUE, once per item${i.of === 'file' ? ' (a path each)' : ''}, or declare a default` });
      else if (i.type === 'samples') issues.push({ file, path: `inputs.${i.name}`, message: `required sample sheet is not given; give it with --input ${i.name}=SHEET (a CSV or TSV file with a header row)` });
      else issues.push({ file, path: `inputs.${i.name}`, message: `required input has no file; give it with --input ${i.name}=PATH` });
    }
  }
  if (issues.length) throw new SpecError(issues);
  // In the order the workflow declares its inputs, whichever check finished first.
  const ordered: ScatterItems = {};
  for (const i of spec.inputs) if (items[i.name]) ordered[i.name] = items[i.name]!;
  return { files, items: ordered, ...(Object.keys(streams).length ? { streams } : {}) };
}
