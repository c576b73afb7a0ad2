/**
 * A workflow submission over HTTP, turned into the `Submission` the validate handler checks
 * (`handlers/validate.ts`): the workflow's text, option values (a JSON body's `values`, as a params
 * file writes them, or `set=TOOL.OPTION=VALUE` query parameters) and inputs (upload ids of the
 * caller's, resolved to their objects). Every problem is reported at once, in the issue form the
 * CLI prints (`file`, `line`, `column`, `path`, `message`).
 */
import { SpecError, type SpecIssue } from '../errors.js';
import type { StoredInput } from '../events/catalog.js';
import type { Executor } from '../executor/executor.js';
import { findUpload } from '../handlers/upload.js';
import { validateSubmission, type Submission } from '../handlers/validate.js';
import type { Ports } from '../runtime/ports.js';
import type { GivenValue } from '../spec/values.js';
import type { OptionValue } from '../spec/types.js';
import { badRequest } from './errors.js';

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

/**
 * Resolves upload ids to the caller's stored objects.
 * @returns the inputs found; an issue for each id that is unknown, another owner's (the same
 *   message), still uploading, or failed. `from` is where the ids came from (`inputs`, `input=…`).
 */
async function resolveUploads(ports: Pick<Ports, 'objects' | 'coordination'>, owner: string, ids: Record<string, string>, from: (name: string) => string, issues: SpecIssue[]): Promise<{ found: Record<string, StoredInput>; missing: string[] }> {
  const found: Record<string, StoredInput> = {};
  const missing: string[] = [];
  for (const [name, id] of Object.entries(ids)) {
    const upload = await findUpload(ports, owner, id);
    const problem = (message: string) => {
      issues.push({ file: from(name), path: name, message });
      missing.push(name);
    };
    if (!upload) problem(`no upload ${JSON.stringify(cut(id))}: upload the file with POST /v1/uploads?name=FILE and give the uploadId it answers`);
    else if (upload.status === 'ongoing') problem(`upload ${id} is still in progress; submit once it has finished`);
    else if (upload.status === 'failed') problem(`upload ${id} failed (${upload.error ?? 'no reason recorded'}); upload the file again`);
    else found[name] = { key: upload.key, fileName: upload.fileName };
  }
  return { found, missing };
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
    ids = b.inputs ?? {};
    from = () => 'inputs';
  } else {
    const q = request.query;
    sub = { owner, workflowFile: q.file ?? DEFAULT_WORKFLOW_FILE, workflowText: request.text, values: valuesFromQuery(q.set ?? [], issues), failFast: q.failFast ?? false };
    ids = inputsFromQuery(q.input ?? [], issues);
    from = (name) => `input=${cut(`${name}=${ids[name]}`)}`;
  }
  const { found, missing } = await resolveUploads(ports, owner, ids, from, issues);
  if (issues.length === 0) return { ...sub, inputs: found };
  // Report the workflow's own issues too (an input whose upload is missing counts as given, so it is
  // not reported twice as a missing input).
  const placeholders = Object.fromEntries(missing.map((name) => [name, { key: '', fileName: '' }]));
  let workflowIssues: SpecIssue[] = [];
  try {
    validateSubmission({ ...sub, inputs: { ...found, ...placeholders } }, executor);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    workflowIssues = err.issues;
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
