/**
 * Reading the items of a scatter (issue 10): a **sample sheet** (a CSV or TSV file with a header
 * row, checked against the input's declared columns) and a **list** (values or files given as
 * repeated `--input NAME=VALUE`, or the input's `default`), each into `SheetItem[]`.
 *
 * Every problem is reported in one pass, each with the sheet's path as `file`, the 1-based `line`
 * of the row in the file, the 1-based `column` of the cell (its index in the row, not a character
 * offset) and the path `inputs.<input>[ROW].<column>` (ROW: 0-based position of the data row).
 * The rules are those of the design (notes: "Issue 10 design", "Workflow syntax").
 */
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { SpecIssue } from '../errors.js';
import { localFormatIssues, type FormatCheck } from './local-formats.js';
import { quotedName } from '../uploads/upload-names.js';
import { typeOptionValue } from './option-values.js';
import type { ColumnSpec, InputSpec, SheetItem } from './types.js';

/** What a key (and any value substituted into an output name) must look like: a safe file name of at most 64 characters. */
export const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Largest sample sheet read, bytes (16 MiB): a sheet is read whole, in memory. */
export const MAX_SHEET_BYTES = 16 * 1024 * 1024;
/** Most data rows a sample sheet may have (each becomes instances, rows in the store, events). */
export const MAX_SHEET_ROWS = 100_000;
/** Most items a list input may have (the same bound as a sheet's rows). */
export const MAX_LIST_ITEMS = MAX_SHEET_ROWS;
/** Compression suffixes dropped with the extension before them when a file list names its items (`reads.fastq.gz` → `reads`). */
const COMPRESSION_EXT = new Set(['.gz', '.bz2', '.xz', '.zst', '.zip']);

/** The stored input name of an item's file: `<input>/<key>/<column>` (`<input>/<key>/item` for a list of files). */
export function itemFileName(input: string, key: string, column: string): string {
  return `${input}/${key}/${column}`;
}

/** Why `value` cannot be a key or part of a file name, or undefined when it can (see KEY_RE). */
export function keyProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (KEY_RE.test(value)) return undefined;
  if (value.length > 64) return `${quotedName(cut(value))} is ${value.length} characters long, more than 64`;
  return `${quotedName(cut(value))} must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)`;
}

/** A value for a message: cut to 60 characters. */
function cut(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One file cell of a sheet, as written, with where it is (for the caller to check or resolve it). */
export interface FileCell {
  /** The stored input that will hold the file: `<input>/<key>/<column>`. */
  storedName: string;
  /** The cell's text: a path (CLI) or an upload id (API). */
  value: string;
  /** Issue position of the cell. */
  line: number;
  column: number;
  path: string;
}

/** What `parseSampleSheet` found: the items (meaningful only when there are no issues), their file cells, every problem. */
export interface ParsedSheet {
  items: SheetItem[];
  fileCells: FileCell[];
  issues: SpecIssue[];
}

/** Options of `parseSampleSheet`. */
export interface SheetOptions {
  /** The sheet's name for issues (its path as given). */
  file: string;
  /** `csv` or `tsv`; default: by the file's extension (`.csv`, `.tsv`), else a tab in the header line means TSV. */
  format?: 'csv' | 'tsv';
  /**
   * Columns whose values are substituted into output file names (`{depth}` in `outputs: {x: "{sample}_{depth}.txt"}`):
   * their non-empty cells must match KEY_RE as keys do.
   */
  pathColumns?: ReadonlySet<string>;
}

/** The sheet's format from its name, else from its first line (a tab: TSV). */
export function sheetFormat(file: string, text: string): 'csv' | 'tsv' {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).includes('\t') ? 'tsv' : 'csv';
}

/** The key column of a samples input: `key`, else the first declared column. */
export function keyColumn(input: InputSpec): string | undefined {
  return input.key ?? input.columns?.[0]?.name;
}

type Row = { record: string[]; info: { lines: number } };

/**
 * Parses a sample sheet's text against a `samples` input's declared columns.
 * Checks: the text parses (quotes closed…); a header row naming the declared columns (a first row
 * naming none of them is "no header row"); no undeclared column, none missing, none twice; each
 * row as many cells as the header; required cells (and the key's) not empty; int/float/bool cells
 * typed as option values are (option-values.ts); keys matching KEY_RE and unique (the message
 * names the line that had the key first); cells of `pathColumns` matching KEY_RE; at least one row;
 * at most MAX_SHEET_ROWS rows. File cells are not looked at here: they come back in `fileCells`.
 * Cells are trimmed of surrounding spaces; empty lines are skipped; a UTF-8 BOM is ignored.
 * @returns items in file order (`fields`: every declared column's cell; `files`: each non-empty
 *   file cell's stored input name), the file cells, and the issues.
 * @throws nothing.
 */
export function parseSampleSheet(text: string, input: InputSpec, options: SheetOptions): ParsedSheet {
  const { file } = options;
  const issues: SpecIssue[] = [];
  const out: ParsedSheet = { items: [], fileCells: [], issues };
  const columns = input.columns ?? [];
  const keyName = keyColumn(input);
  const at = (line: number, column: number, path: string, message: string) => issues.push({ file, line, column, path, message });
  const base = `inputs.${input.name}`;
  const delimiter = (options.format ?? sheetFormat(file, text)) === 'tsv' ? '\t' : ',';
  let rows: Row[];
  try {
    rows = parse(text, { delimiter, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true, to: MAX_SHEET_ROWS + 2 }) as unknown as Row[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    at(e.lines ?? 1, 1, base, `cannot read the sheet: ${e.message}`);
    return out;
  }
  const declared = columns.map((c) => c.name).join(', ');
  if (rows.length === 0) {
    at(1, 1, base, `the sheet is empty; its first line must be a header naming the columns (${declared}), then one row per sample`);
    return out;
  }
  const header = rows[0]!;
  const headerLine = header.info.lines;
  const byName = new Map(columns.map((c) => [c.name, c]));
  if (!header.record.some((h) => byName.has(h))) {
    at(headerLine, 1, base, `no header row: the first line must name the columns (${declared}); it reads ${quotedName(cut(header.record.join(delimiter === '\t' ? '\\t' : ',')))}`);
    return out;
  }
  // Column index (0-based) of each declared column in the sheet.
  const indexOf = new Map<string, number>();
  header.record.forEach((h, c) => {
    if (h === '') at(headerLine, c + 1, base, `column ${c + 1} of the header has no name; name it (one of ${declared}) or remove it`);
    else if (!byName.has(h)) at(headerLine, c + 1, `${base}.${h}`, `the sheet has a column ${quotedName(cut(h))} that the workflow does not declare; declared: ${declared} (remove the column, or declare it under inputs.${input.name}.columns)`);
    else if (indexOf.has(h)) at(headerLine, c + 1, `${base}.${h}`, `column ${quotedName(h)} is in the header twice (columns ${indexOf.get(h)! + 1} and ${c + 1}); keep one`);
    else indexOf.set(h, c);
  });
  for (const c of columns) if (!indexOf.has(c.name)) at(headerLine, header.record.length + 1, `${base}.${c.name}`, `the sheet has no column "${c.name}" (declared ${c.type} column${c.required ? '' : ', not required: the column must still be there, its cells may be empty'})`);
  const data = rows.slice(1);
  if (data.length === 0) at(headerLine, 1, base, 'the sheet has a header but no rows; add one row per sample');
  if (data.length > MAX_SHEET_ROWS) {
    at(data[MAX_SHEET_ROWS]!.info.lines, 1, base, `the sheet has more than ${MAX_SHEET_ROWS} rows; split it into several runs`);
    return out;
  }
  if (issues.length) return out; // the columns are not known: the rows cannot be read against them
  const firstLine = new Map<string, number>();
  data.forEach((row, r) => {
    const cells = row.record;
    // csv-parse gives the line a record ends on; a quoted cell may span lines.
    let inner = 0;
    for (const cell of cells) for (let k = cell.indexOf('\n'); k >= 0; k = cell.indexOf('\n', k + 1)) inner++;
    const line = row.info.lines - inner;
    const path = `${base}[${r}]`;
    if (cells.length !== header.record.length) {
      at(line, Math.min(cells.length, header.record.length) + 1, path, `the row has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'} and the header ${header.record.length}; give every row one cell per column (an empty cell for none)`);
      return;
    }
    const fields: Record<string, string> = {};
    let key = '';
    let keyOk = true;
    for (const c of columns) {
      const ci = indexOf.get(c.name)!;
      const cell = cells[ci]!;
      const problem = (message: string) => at(line, ci + 1, `${path}.${c.name}`, message);
      fields[c.name] = cell;
      if (c.name === keyName) {
        const why = keyProblem(cell);
        const typed = why ? undefined : checkCell(c, cell, false);
        if (why || typed) {
          problem(typed ?? `the key ${why}${cell === '' ? `: every row needs a ${c.name} (it names the row's instances, such as tool[${c.name}])` : ''}`);
          keyOk = false;
        }
        key = cell;
        continue;
      }
      if (cell === '') {
        if (c.required) problem(`empty cell in required column "${c.name}"; fill it, or declare the column required: false`);
        continue;
      }
      const cellProblem = checkCell(c, cell, options.pathColumns?.has(c.name) === true);
      if (cellProblem) problem(cellProblem);
      else fields[c.name] = typedText(c, cell);
    }
    if (keyOk) {
      const first = firstLine.get(key);
      if (first !== undefined) at(line, indexOf.get(keyName!)! + 1, `${path}.${keyName}`, `the key ${JSON.stringify(key)} is also the key of the row on line ${first}; keys must be unique`);
      else firstLine.set(key, line);
    }
    const files: Record<string, string> = {};
    for (const c of columns) {
      if (c.type !== 'file' || fields[c.name] === '') continue;
      const storedName = itemFileName(input.name, key, c.name);
      files[c.name] = storedName;
      out.fileCells.push({ storedName, value: fields[c.name]!, line, column: indexOf.get(c.name)! + 1, path: `${path}.${c.name}` });
    }
    out.items.push({ key, fields, files });
  });
  return out;
}

/**
 * A valid cell as its variable holds it: int, float and bool cells written as option values are
 * (`1e3` → `1000`, `+7` → `7`, `TRUE` → `true`), so `[ "$TF_ITEM_depth" -gt 3 ]` and
 * `[ "$TF_ITEM_paired" = true ]` work whatever the sheet's spelling; other cells as written.
 */
function typedText(c: ColumnSpec, cell: string): string {
  if (c.type !== 'int' && c.type !== 'float' && c.type !== 'bool') return cell;
  const typed = typeOptionValue(c.type, cell);
  return 'error' in typed ? cell : String(typed.value);
}

/** Why a non-empty cell does not fit its column, or undefined. */
function checkCell(c: ColumnSpec, cell: string, inFileName: boolean): string | undefined {
  if (c.type === 'int' || c.type === 'float' || c.type === 'bool') {
    const typed = typeOptionValue(c.type, cell);
    if ('error' in typed) return `${c.type} column "${c.name}": ${typed.error}`;
  }
  if (cell.includes('\0')) return 'the cell contains a NUL character, which an environment variable cannot hold; remove it';
  if (inFileName) {
    const why = keyProblem(cell);
    if (why) return `column "${c.name}" is part of an output file name ({${c.name}}), and ${why}`;
  }
  return undefined;
}

/**
 * Checks that a path names a regular file. Synchronous: thousands of file cells are checked in a
 * few milliseconds this way, where as many promised stats queue on libuv's four threads.
 * @param options.streams true: a FIFO (`<(zcat r.fq.gz)`, `/dev/stdin` of a pipe) or a character
 *   device (`/dev/stdin` of a terminal) is fine too: a file input read once (docs/uploads.md).
 * @returns a message for a path that does not exist, cannot be read or is not a regular file; undefined when it is one.
 *   The path in it is quoted with `quotedName` (escaped).
 */
export function fileProblem(path: string, options: { streams?: boolean } = {}): string | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return `${quotedName(path)} does not exist or cannot be read`;
  return st.isFile() || (options.streams && (st.isFIFO() || st.isCharacterDevice())) ? undefined : `${quotedName(path)} is not a regular file${options.streams ? ', a pipe or a character device' : ''}`;
}

/** A sheet or list read from local files: items, and the local path of each item file by stored input name. */
export interface LocalItems {
  items: SheetItem[];
  /** Stored input name (`<input>/<key>/<column>`) → the file's absolute path. */
  files: Record<string, string>;
}

/**
 * Reads a sample sheet from a local file (`--input samples=sheet.tsv`): at most MAX_SHEET_BYTES,
 * parsed by `parseSampleSheet`, and every file cell checked to be a regular file, relative paths
 * taken from the sheet's folder, and to fit its column's `format` when it declares one
 * (`localFormatIssues`: its first 64 KiB read).
 * @param path the sheet's path as given (used as the issues' `file`).
 * @returns the items and their files, or the issues (every one found); `issues` empty means it is valid.
 * @throws nothing (an unreadable sheet is an issue).
 */
export async function readSampleSheet(path: string, input: InputSpec, pathColumns?: ReadonlySet<string>): Promise<LocalItems & { issues: SpecIssue[] }> {
  const base = `inputs.${input.name}`;
  const none = (message: string) => ({ items: [], files: {}, issues: [{ file: path, path: base, message }] });
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) return none('is not a regular file');
    if (st.size > MAX_SHEET_BYTES) return none(`the sheet is ${st.size} bytes, more than the ${MAX_SHEET_BYTES}-byte limit (16 MiB); split it into several runs`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    return none(`cannot read the sheet: ${(err as Error).message}`);
  }
  const parsed = parseSampleSheet(text, input, { file: path, ...(pathColumns ? { pathColumns } : {}) });
  const files: Record<string, string> = {};
  const folder = dirname(resolve(path));
  const formats = new Map((input.columns ?? []).flatMap((c) => (c.format ? [[c.name, c.format] as const] : [])));
  const formatChecks: FormatCheck[] = [];
  for (const cell of parsed.fileCells) {
    const abs = isAbsolute(cell.value) ? cell.value : resolve(folder, cell.value);
    const why = fileProblem(abs);
    const at = { file: path, line: cell.line, column: cell.column, path: cell.path };
    if (why) parsed.issues.push({ ...at, message: `${why}${isAbsolute(cell.value) ? '' : ` (relative paths are read from the sheet's folder, ${folder})`}` });
    else files[cell.storedName] = abs;
    const column = cell.storedName.slice(cell.storedName.lastIndexOf('/') + 1);
    const format = formats.get(column);
    if (!why && format) formatChecks.push({ path: abs, shown: cell.value, format, declaredAt: `inputs.${input.name}.columns.${column}`, at });
  }
  parsed.issues.push(...(await localFormatIssues(formatChecks)));
  parsed.issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { items: parsed.items, files, issues: parsed.issues };
}

/** One value of a list input as given, with where it came from for issues. */
export interface GivenItem {
  value: string;
  /** Issue `file`: `--input NAME=VALUE`, or the workflow file for a default. */
  from: string;
  /** Issue `path`, when it has one (`inputs.chroms.default[1]`). */
  path?: string;
  /** Issue position, for a default in the workflow file. */
  line?: number;
  column?: number;
}

/**
 * The key of a file in a list of files: its base name without the extension (and without a
 * compression suffix before it: `reads.fastq.gz` → `reads`), with every character outside
 * `[A-Za-z0-9._-]` written `_`, leading characters other than letters and digits dropped, cut to 64.
 * @returns the key, or '' when nothing is left (`.fa`).
 */
export function fileKey(path: string): string {
  let name = basename(path);
  let ext = extname(name);
  if (COMPRESSION_EXT.has(ext.toLowerCase())) {
    name = name.slice(0, -ext.length);
    ext = extname(name);
  }
  if (ext) name = name.slice(0, -ext.length);
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
}

/**
 * Reads a `list` input's items. A list of strings is keyed by each value (which must match KEY_RE,
 * and be unique); a list of files (`of: file`) by `fileKey` of each path, each path a regular file
 * (relative paths from `folder`), two files with the same key refused.
 * @param folder where relative paths are read from (the current folder for `--input`, the workflow
 *   file's folder for a default).
 * @returns items in the order given (`fields.item`: the value, or for a file its key; `files.item`:
 *   `<input>/<key>/item` for files), their files, and the issues.
 * @throws nothing.
 */
export function readListItems(input: InputSpec, given: GivenItem[], folder: string): LocalItems & { issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  const items: SheetItem[] = [];
  const files: Record<string, string> = {};
  const firstFrom = new Map<string, string>();
  const issueAt = (g: GivenItem, k: number, message: string) =>
    issues.push({ file: g.from, ...(g.line ? { line: g.line, column: g.column ?? 1 } : {}), path: g.path ?? `inputs.${input.name}[${k}]`, message });
  if (given.length > MAX_LIST_ITEMS) {
    issueAt(given[MAX_LIST_ITEMS]!, MAX_LIST_ITEMS, `the list has more than ${MAX_LIST_ITEMS} items; split it into several runs`);
    return { items, files, issues };
  }
  const isFiles = input.of === 'file';
  given.forEach((g, k) => {
    const abs = isFiles ? (isAbsolute(g.value) ? g.value : resolve(folder, g.value)) : '';
    const key = isFiles ? fileKey(g.value) : g.value;
    if (isFiles && key === '') return issueAt(g, k, `cannot make a key from the file name of ${quotedName(cut(g.value))} (it needs a letter or digit before its extension); rename the file`);
    if (!isFiles) {
      const why = g.value.includes('\0') ? 'contains a NUL character' : keyProblem(g.value);
      if (why) return issueAt(g, k, `the item ${why}`);
    }
    const first = firstFrom.get(key);
    if (first !== undefined) {
      return issueAt(g, k, isFiles ? `${quotedName(cut(g.value))} and ${first} both have the key "${key}" (a file's key is its base name without extension); rename one` : `the item ${quotedName(key)} is given twice (first by ${first}); give each item once`);
    }
    firstFrom.set(key, isFiles ? `${quotedName(cut(g.value))}` : g.from);
    const item: SheetItem = { key, fields: { item: isFiles ? key : g.value }, files: {} };
    if (isFiles) {
      const storedName = itemFileName(input.name, key, 'item');
      item.files.item = storedName;
      const why = fileProblem(abs);
      if (why) issueAt(g, k, why);
      else files[storedName] = abs;
    }
    items.push(item);
  });
  return { items, files, issues };
}

/**
 * The items of a list of strings whose values are already checked (a `default`, which the loader
 * checks as keys): each value is its own key and `fields.item`.
 */
export function stringListItems(values: readonly string[]): SheetItem[] {
  return values.map((value) => ({ key: value, fields: { item: value }, files: {} }));
}
