/**
 * A workflow submission over HTTP, turned into the `Submission` the validate handler checks
 * (`handlers/validate.ts`): the workflow's text, option values (a JSON body's `values`, as a params
 * file writes them, or `set=TOOL.OPTION=VALUE` query parameters) and inputs (upload ids of the
 * caller's, resolved to their objects). Every problem is reported at once, in the issue form the
 * CLI prints (`file`, `line`, `column`, `path`, `message`).
 *
 * Sample sheets (issue 10): a samples input is given as the upload id of its sheet, which is read
 * from the object store and checked as the CLI checks it; each cell of a file column is then the
 * upload id of that file (the caller's own, finished), not a path. List inputs cannot be given
 * over the API yet: a list of strings takes its `default`; giving one is refused, saying so.
 *
 * Every upload id given is looked up and each one that cannot be used is an issue of its own
 * (`upload-input.ts`: not the caller's, still uploading, failed, or not of the format the input or
 * the sheet's column declares), so one answer lists them all.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError, type SpecIssue } from '../errors.js';
import type { StoredInput } from '../events/catalog.js';
import type { Executor } from '../executor/executor.js';
import { validateSubmission, type Submission } from '../handlers/validate.js';
import type { Ports } from '../runtime/ports.js';
import { pathColumnsByInput } from '../spec/expand.js';
import { parseWorkflow } from '../spec/load.js';
import { MAX_SHEET_BYTES, parseSampleSheet } from '../spec/sample-sheet.js';
import type { GivenValue } from '../spec/values.js';
import type { OptionValue, ScatterItems, WorkflowSpec } from '../spec/types.js';
import { badRequest } from './errors.js';
import { uploadInput } from './upload-input.js';

/** A JSON submission (`SubmitRequest` in the OpenAPI document). */
export interface SubmitBody {
  workflow: string;
  file?: string;
  values?: Record<string, Record<string, OptionValue | null>>;
  inputs?: Record<string, string>;
  failFast?: boolean;
}

/** The query of a submission whose body is the workflow's YAML text. */
export interface SubmitQuery {
  set?: string[];
  input?: string[];
  failFast?: boolean;
  file?: string;
}

/** The file name issues carry when the request names none. */
export const DEFAULT_WORKFLOW_FILE = 'workflow.yaml';

/** A query argument for a message: cut to 80 characters. */
const cut = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);

/** Values from `set=TOOL.OPTION=VALUE` arguments; malformed ones become issues. */
function valuesFromQuery(args: string[], issues: SpecIssue[]): GivenValue[] {
  const given: GivenValue[] = [];
  for (const arg of args) {
    const from = `set=${cut(arg)}`;
    const m = /^([^.=]+)\.([^=]+)=([\s\S]*)$/.exec(arg);
    if (!m) issues.push({ file: from, path: '', message: `"${cut(arg)}" must look like TOOL.OPTION=VALUE` });
    else given.push({ tool: m[1]!, option: m[2]!, value: m[3]!, from });
  }
  return given;
}

/** Values from a JSON body's `values` (`{tool: {option: value}}`; null: no value, the default applies). */
function valuesFromBody(values: SubmitBody['values'] = {}): GivenValue[] {
  const given: GivenValue[] = [];
  for (const [tool, options] of Object.entries(values)) {
    for (const [option, value] of Object.entries(options)) if (value !== null) given.push({ tool, option, value, from: 'values' });
  }
  return given;
}

/** Upload ids by input name from `input=NAME=UPLOAD_ID` arguments; malformed and repeated ones become issues. */
function inputsFromQuery(args: string[], issues: SpecIssue[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const from = `input=${cut(arg)}`;
    if (eq <= 0) issues.push({ file: from, path: name, message: `"${cut(arg)}" must look like NAME=UPLOAD_ID` });
    else if (name in inputs) issues.push({ file: from, path: name, message: `input "${name}" is given twice; give each input once` });
    else inputs[name] = arg.slice(eq + 1);
  }
  return inputs;
}

/** Upload ids looked up at once (inputs, a sheet's file cells). */
const LOOKUPS_AT_ONCE = 16;

/**
 * Resolves upload ids to the caller's stored objects, every id looked up (LOOKUPS_AT_ONCE at a time).
 * @param spec the workflow, when it parsed: the format each file input declares is checked.
 * @returns the inputs found; one issue for EACH id that cannot be used (`uploadInput`: no upload of
 *   the caller's, still uploading, failed, not of the declared format), in the order given, at the
 *   input's name. `from` is where the ids came from (`inputs`, `input=…`).
 */
async function resolveUploads(ports: Pick<Ports, 'objects' | 'coordination'>, owner: string, spec: WorkflowSpec | undefined, ids: Record<string, string>, from: (name: string) => string, issues: SpecIssue[]): Promise<{ found: Record<string, StoredInput>; missing: string[] }> {
  const found: Record<string, StoredInput> = {};
  const missing: string[] = [];
  const declared = new Map((spec?.inputs ?? []).flatMap((i) => (i.type === 'file' && i.format ? [[i.name, { format: i.format, declaredAt: `inputs.${i.name}` }] as const] : [])));
  const entries = Object.entries(ids);
  const got: Awaited<ReturnType<typeof uploadInput>>[] = [];
  for (let k = 0; k < entries.length; k += LOOKUPS_AT_ONCE) {
    got.push(...(await Promise.all(entries.slice(k, k + LOOKUPS_AT_ONCE).map(([name, id]) => uploadInput(ports, owner, id, declared.get(name))))));
  }
  entries.forEach(([name], k) => {
    const g = got[k]!;
    if ('problem' in g) {
      issues.push({ file: from(name), path: name, message: g.problem });
      missing.push(name);
    } else found[name] = g;
  });
  return { found, missing };
}

/**
 * Reads the sheet of each samples input given (an upload) from the object store, checks it as the
 * CLI does (`parseSampleSheet`), and resolves its file cells as upload ids of `owner`.
 * @returns the items, and the item files by stored input name (`<input>/<key>/<column>`); `broken`
 *   names the inputs whose sheet had problems (reported in `issues`, at the sheet's line and column;
 *   the issues' `file` is the sheet's uploaded file name).
 */
async function readSheets(ports: Pick<Ports, 'objects' | 'coordination'>, owner: string, spec: WorkflowSpec, found: Record<string, StoredInput>, issues: SpecIssue[]): Promise<{ items: ScatterItems; files: Record<string, StoredInput>; broken: string[] }> {
  const items: ScatterItems = {};
  const files: Record<string, StoredInput> = {};
  const broken: string[] = [];
  const pathColumns = pathColumnsByInput(spec);
  for (const input of spec.inputs) {
    const sheet = found[input.name];
    if (input.type !== 'samples' || !sheet) continue;
    const formats = new Map((input.columns ?? []).flatMap((c) => (c.format ? [[c.name, { format: c.format, declaredAt: `inputs.${input.name}.columns.${c.name}` }] as const] : [])));
    const sheetIssues: SpecIssue[] = [];
    const info = await ports.objects.head(sheet.key);
    if (info && info.size > MAX_SHEET_BYTES) sheetIssues.push({ file: sheet.fileName, path: `inputs.${input.name}`, message: `the sheet is ${info.size} bytes, more than the ${MAX_SHEET_BYTES}-byte limit (16 MiB); split it into several runs` });
    else {
      const dir = await mkdtemp(join(tmpdir(), 'toolflow-sheet-'));
      let text: string;
      try {
        await ports.objects.getToFile(sheet.key, join(dir, 'sheet'));
        text = await readFile(join(dir, 'sheet'), 'utf8');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const parsed = parseSampleSheet(text, input, { file: sheet.fileName, ...(pathColumns.has(input.name) ? { pathColumns: pathColumns.get(input.name)! } : {}) });
      sheetIssues.push(...parsed.issues);
      const cells = parsed.fileCells;
      for (let k = 0; k < cells.length; k += LOOKUPS_AT_ONCE) {
        await Promise.all(
          cells.slice(k, k + LOOKUPS_AT_ONCE).map(async (cell) => {
            const got = await uploadInput(ports, owner, cell.value, formats.get(cell.storedName.slice(cell.storedName.lastIndexOf('/') + 1)));
            if ('problem' in got) sheetIssues.push({ file: sheet.fileName, line: cell.line, column: cell.column, path: cell.path, message: got.notFound ? `over the API, a file cell is the upload id of the file: ${got.problem}` : got.problem });
            else files[cell.storedName] = got;
          }),
        );
      }
      if (sheetIssues.length === 0) items[input.name] = parsed.items;
    }
    if (sheetIssues.length) broken.push(input.name);
    issues.push(...sheetIssues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)));
  }
  return { items, files, broken };
}

/**
 * Builds and checks a submission.
 * @param json the JSON body, when the request is JSON; else `text` is the workflow's YAML.
 * @returns the submission, ready for `Runtime.submit` (which checks the workflow again as it submits).
 * @throws ApiError 400 when a JSON body comes with query values; SpecError with every issue of the
 *   values, the inputs and (then) the workflow, workflow issues first.
 */
export async function buildSubmission(
  ports: Pick<Ports, 'objects' | 'coordination'>,
  executor: Pick<Executor, 'capacity'>,
  owner: string,
  request: { json: SubmitBody } | { text: string; query: SubmitQuery },
): Promise<Submission> {
  const issues: SpecIssue[] = [];
  let sub: Omit<Submission, 'inputs'>;
  let ids: Record<string, string>;
  let from: (name: string) => string;
  if ('json' in request) {
    const b = request.json;
    sub = { owner, workflowFile: b.file ?? DEFAULT_WORKFLOW_FILE, workflowText: b.workflow, values: valuesFromBody(b.values), failFast: b.failFast ?? false };
    ids = { ...(b.inputs ?? {}) };
    from = () => 'inputs';
  } else {
    const q = request.query;
    sub = { owner, workflowFile: q.file ?? DEFAULT_WORKFLOW_FILE, workflowText: request.text, values: valuesFromQuery(q.set ?? [], issues), failFast: q.failFast ?? false };
    ids = inputsFromQuery(q.input ?? [], issues);
    from = (name) => `input=${cut(`${name}=${ids[name]}`)}`;
  }
  // The workflow's own problems are reported by validateSubmission below; its inputs' types are needed here.
  let spec: WorkflowSpec | undefined;
  try {
    spec = parseWorkflow(sub.workflowFile, sub.workflowText).spec;
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
  }
  for (const input of spec?.inputs ?? []) {
    if (input.type !== 'list' || ids[input.name] === undefined) continue;
    issues.push({ file: from(input.name), path: input.name, message: `"${input.name}" is a list input, and list inputs cannot be given over the API yet: run the workflow with toolflow run (--input ${input.name}=VALUE once per item), or declare a default` });
    delete ids[input.name];
  }
  const { found, missing } = await resolveUploads(ports, owner, spec, ids, from, issues);
  const sheets = spec ? await readSheets(ports, owner, spec, found, issues) : { items: {}, files: {}, broken: [] };
  const inputs = { ...found, ...sheets.files };
  if (issues.length === 0) return { ...sub, inputs, items: sheets.items };
  // Report the workflow's own issues too (an input whose upload is missing counts as given, so it is
  // not reported twice as a missing input; a sheet with problems is not reported again as unread).
  const placeholders = Object.fromEntries(missing.map((name) => [name, { key: '', fileName: '' }]));
  let workflowIssues: SpecIssue[] = [];
  try {
    validateSubmission({ ...sub, inputs: { ...inputs, ...placeholders }, items: sheets.items }, executor);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    const reported = new Set([...sheets.broken, ...missing].map((name) => `inputs.${name}`));
    workflowIssues = err.issues.filter((i) => !reported.has(i.path));
  }
  throw new SpecError([...workflowIssues, ...issues]);
}

/**
 * Refuses query values with a JSON body (they would be ignored).
 * @throws ApiError 400 naming them.
 */
export function checkJsonQuery(query: SubmitQuery): void {
  const given = (['set', 'input', 'failFast', 'file'] as const).filter((k) => query[k] !== undefined);
  if (given.length) throw badRequest(`with a JSON body, give the workflow's values, inputs, failFast and file in the body, not as query parameters (${given.join(', ')})`);
}
