/**
 * The workflow's `inputs` block, normalized (part of normalize.ts's pass): each input's type (file,
 * samples, list) and the fields of that type — a sample sheet's declared `columns` and its `key`
 * column (default: the first column), a list's `of` and `default` items — with the rules the JSON
 * Schema cannot say (names that clash as `$TF_INPUT_*`, a key column that cannot name rows, fields
 * of another type, default items that are not instance keys), and the `format` a file declares
 * (issue 11: on a file input, a list of files, a sheet's file column).
 */
import { closest } from './graph.js';
import { isObj, problem, type Ctx, type Obj } from './normalize-context.js';
import { keyProblem } from './sample-sheet.js';
import { envKey } from './tool-env.js';
import { FILE_FORMATS, type FileFormat } from '../uploads/upload-doc.js';
import type { ColumnSpec, ColumnType, InputSpec } from './types.js';
import type { DataPath } from './yaml-source.js';

/** Column types as written → the type (the schema's enum). */
const COLUMN_TYPES: readonly ColumnType[] = ['string', 'int', 'float', 'bool', 'file'];

/** Fields that belong to one input type only. */
const INPUT_FIELDS: [field: string, type: InputSpec['type']][] = [
  ['columns', 'samples'],
  ['key', 'samples'],
  ['of', 'list'],
  ['default', 'list'],
];

/**
 * Inputs; `a-b` and `a_b` are refused together: both would be `$TF_INPUT_a_b`. A `samples` input
 * declares at least one column; its `key` (default: the first column, filled in) is a declared
 * column that is neither a file column nor `required: false`; a `list` input's `of` defaults to
 * `string`, and the items of a string list's `default` are instance keys (`keyProblem`, as at submit), each once.
 * `columns`/`key` on a non-samples input and `of`/`default` on a non-list input are refused.
 * `format` (fastq, fasta, gzip, bam, text; the schema checks the word) is kept on a file input
 * and a list of files, and refused on a samples input (its file columns declare theirs) and a
 * list of strings.
 */
export function normalizeInputs(ctx: Ctx, rawInputs: unknown): InputSpec[] {
  if (!isObj(rawInputs)) return [];
  const keys = new Map<string, string>();
  return Object.entries(rawInputs).map(([name, v]) => {
    const key = envKey(name);
    const clash = keys.get(key);
    if (clash !== undefined) ctx.problems.push(ctx.source.issue(['inputs'], `"${name}" and "${clash}" both become $TF_INPUT_${key}; rename one`, name));
    else keys.set(key, name);
    const input = isObj(v) ? v : {};
    const at = (...rest: DataPath): DataPath => ['inputs', name, ...rest];
    const type: InputSpec['type'] = input.type === 'samples' || input.type === 'list' ? input.type : 'file';
    const spec: InputSpec = {
      name,
      required: typeof input.required === 'boolean' ? input.required : true,
      description: typeof input.description === 'string' ? input.description : '',
      type,
    };
    if (!ctx.reported(at('type'))) {
      for (const [field, owner] of INPUT_FIELDS) {
        if (input[field] === undefined || owner === type) continue;
        const written = input.type === undefined ? 'file (the default type)' : type;
        problem(ctx, at(field), `${field} is for inputs of type ${owner}, and "${name}" is of type ${written}${input.type === undefined ? `: add type: ${owner}` : ''}`);
      }
    }
    if (type === 'samples') Object.assign(spec, normalizeColumns(ctx, name, input));
    if (type === 'list') {
      spec.of = input.of === 'file' ? 'file' : 'string';
      if (Array.isArray(input.default) && !ctx.reported(at('default'))) spec.default = listDefault(ctx, spec, input.default, at('default'));
    }
    const format = formatOf(ctx, at('format'), input.format);
    if (format !== undefined && !ctx.reported(at('type'))) {
      if (type === 'samples') problem(ctx, at('format'), `format is for files, and "${name}" is a sample sheet; declare the format on its file columns (columns: {fastq: {type: file, format: ${format}}})`);
      else if (type === 'list' && spec.of !== 'file') problem(ctx, at('format'), `format is for files, and "${name}" is a list of strings${input.of === undefined ? ' (the default)' : ''}: add of: file`);
      else spec.format = format;
    }
    return spec;
  });
}

/** A samples input's `columns` and `key` (see `normalizeInputs`). */
function normalizeColumns(ctx: Ctx, name: string, input: Obj): { columns: ColumnSpec[]; key?: string } {
  const at = (...rest: DataPath): DataPath => ['inputs', name, ...rest];
  if (ctx.reported(at('columns'))) return { columns: [] };
  const example = 'columns: {sample: {type: string}, fastq: {type: file}}';
  if (!isObj(input.columns)) {
    ctx.problems.push(ctx.source.issue(['inputs'], `the samples input "${name}" declares no columns: list the sheet's columns with their types (${example})`, name));
    return { columns: [] };
  }
  const columns = Object.entries(input.columns).map(([column, c]): ColumnSpec => {
    const o = isObj(c) ? c : {};
    const spec: ColumnSpec = {
      name: column,
      type: COLUMN_TYPES.includes(o.type as ColumnType) ? (o.type as ColumnType) : 'string',
      required: typeof o.required === 'boolean' ? o.required : true,
    };
    const format = formatOf(ctx, at('columns', column, 'format'), o.format);
    if (format !== undefined && !ctx.reported(at('columns', column, 'type'))) {
      if (spec.type === 'file') spec.format = format;
      else problem(ctx, at('columns', column, 'format'), `format is for file columns, and "${column}" is ${spec.type === 'int' ? 'an' : 'a'} ${spec.type} column${o.type === undefined ? ' (the default type)' : ''}: add type: file`);
    }
    return spec;
  });
  if (columns.length === 0) {
    problem(ctx, at('columns'), `the samples input "${name}" declares no columns: list the sheet's columns with their types (${example})`);
    return { columns };
  }
  if (ctx.reported(at('key'))) return { columns };
  const given = typeof input.key === 'string' ? input.key : undefined;
  const keyColumn = columns.find((c) => c.name === (given ?? columns[0]!.name));
  if (!keyColumn) {
    const hint = closest(given!, columns.map((c) => c.name));
    problem(ctx, at('key'), `"${given}" is not a column of "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; its columns: ${columns.map((c) => c.name).join(', ')}`);
    return { columns };
  }
  // A defaulted key is reported at its column, where the fix (or a `key:` line) goes.
  const report = (message: string) => {
    if (given !== undefined) problem(ctx, at('key'), message);
    else ctx.problems.push(ctx.source.issue(at('columns'), message, keyColumn.name));
  };
  const which = given !== undefined ? `the key column "${keyColumn.name}"` : `the key column (by default the first, "${keyColumn.name}")`;
  const others = columns.filter((c) => c.type !== 'file' && c.required).map((c) => c.name);
  const instead = others.length > 0 ? `; declare key: ${others[0]}` : '';
  if (keyColumn.type === 'file') report(`${which} is a file column, but a key names each row's instances (align[A]) and a path cannot${instead}`);
  else if (!keyColumn.required) report(`${which} is required: false, but every row needs its key (it names the row's instances)${instead}`);
  return { columns, key: keyColumn.name };
}

/** A declared `format`, when it is one (a wrong word is the schema check's to report). */
function formatOf(ctx: Ctx, path: DataPath, value: unknown): FileFormat | undefined {
  return FILE_FORMATS.includes(value as FileFormat) && !ctx.reported(path) ? (value as FileFormat) : undefined;
}

/** A list input's `default` items; a string list's items are their own keys (`keyProblem`, each once). */
function listDefault(ctx: Ctx, input: InputSpec, items: unknown[], base: DataPath): string[] {
  const firstAt = new Map<string, number>();
  return items.map((item, k) => {
    const value = String(item);
    if (input.of === 'string') {
      const why = keyProblem(value);
      if (why) problem(ctx, [...base, k], `the item ${why}`); // a string list's item is its own key
      else if (firstAt.has(value)) problem(ctx, [...base, k], `"${value}" is listed twice (default[${firstAt.get(value)}] and default[${k}]); each item names its own instances`);
      else firstAt.set(value, k);
    }
    return value;
  });
}
