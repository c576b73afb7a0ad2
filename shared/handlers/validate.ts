/**
 * validate: checks a submission (workflow text, option values, uploaded inputs, the items of its
 * sample sheets and lists), plans it (shared/spec/expand.ts: the instances of scattered tools, their
 * bindings, cpu capped to the executor's) and turns it into `task.submitted`, whose `spec` is the
 * plan. Nothing is stored yet: an invalid submission leaves no row behind.
 */
import { randomBytes } from 'node:crypto';
import { SpecError, type SpecIssue } from '../errors.js';
import { EventType, makeEvent, type StoredInput, type ToolflowEvent } from '../events/catalog.js';
import type { Executor } from '../executor/executor.js';
import { expandWorkflow } from '../spec/expand.js';
import { parseWorkflow } from '../spec/load.js';
import { formatBytes } from '../spec/resources.js';
import { stringListItems } from '../spec/sample-sheet.js';
import { resolveValues, type ToolValues } from '../spec/values.js';
import type { OptionValue, ScatterItems, WorkflowSpec } from '../spec/types.js';
import { sourceOf } from './handler.js';

/** A submission. */
export interface Submission {
  owner: string;
  /** File name for messages. */
  workflowFile: string;
  workflowText: string;
  /** Option values in the order given (later wins), e.g. from `--set` and a params file. */
  values: { tool: string; option: string; value: OptionValue; from: string }[];
  /**
   * Inputs already uploaded, by stored input name: each file input and each samples input's sheet
   * under the input's name, each item file under `<input>/<key>/<column>` (`<input>/<key>/item` for
   * a list of files), as `SheetItem.files` names them.
   */
  inputs: Record<string, StoredInput>;
  /**
   * The items of the samples and list inputs (shared/spec/sample-sheet.ts), by input name. A list
   * input without items here takes its `default` when it is a list of strings.
   */
  items?: ScatterItems;
  /** Stop launching tools after the first final failure (default: keep going with independent tools). */
  failFast?: boolean;
  /** True: reuse no earlier attempt from the cache (`--no-cache`). */
  noCache?: boolean;
  /** Absolute folder for the task's work dirs (local executor), recorded on the task so a resume finds them. */
  workRoot?: string;
}

/** A new task id: 12 lowercase hex characters (short enough for Kubernetes Job names). */
export function newTaskId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * Checks and plans a submission.
 * @returns the `task.submitted` event: `spec` is the plan (every tool an instance, with bindings;
 *   a tool asking for more cpu than the executor has is capped to it, `requestedCpuMillicores`
 *   saying what it asked for), `values` the option values of each planned tool (an instance gets
 *   its tool's).
 * @throws SpecError listing every problem: the workflow, the values, the inputs (missing, unknown,
 *   item files not uploaded), tools that need more memory than the executor has (memory is never
 *   capped: a tool that cannot get its memory must not start), then the plan's (see `expandWorkflow`).
 */
export function validateSubmission(sub: Submission, executor: Pick<Executor, 'capacity'>): ToolflowEvent<typeof EventType.taskSubmitted> {
  const { spec, source } = parseWorkflow(sub.workflowFile, sub.workflowText);
  const values = resolveValues(spec, sub.values, sub.workflowFile);
  const issues: SpecIssue[] = [];
  const cap = executor.capacity;
  spec.tools.forEach((t, i) => {
    if (t.memBytes > cap.memBytes) issues.push(source.issue(['tools', i, 'mem'], `needs ${formatBytes(t.memBytes)} memory but the executor has ${formatBytes(cap.memBytes)}`));
  });
  const items = inputIssues(sub, spec, issues);
  if (issues.length) throw new SpecError(issues);
  const plan = expandWorkflow(spec, items, cap, { file: sub.workflowFile, source });
  const taskId = newTaskId();
  return makeEvent(EventType.taskSubmitted, sourceOf('validate'), {
    taskId,
    owner: sub.owner,
    workflowFile: sub.workflowFile,
    spec: plan,
    values: planValues(plan, values),
    inputs: sub.inputs,
    failFast: sub.failFast ?? false,
    ...(sub.noCache ? { noCache: true } : {}),
    ...(sub.workRoot ? { workRoot: sub.workRoot } : {}),
  });
}

/** Option values by planned tool: each instance gets its tool's (the work manager reads them by the planned name). */
function planValues(plan: WorkflowSpec, values: ToolValues): ToolValues {
  const out: ToolValues = {};
  for (const t of plan.tools) {
    const v = values[t.instance?.tool ?? t.name];
    if (v) out[t.name] = v;
  }
  return out;
}

/**
 * Checks the submission's inputs and items against the workflow's inputs (issues worded for both
 * ways in: the CLI's --input, and upload ids in the API's submission).
 * @returns the items to plan with: those given, and the default of each list of strings not given.
 */
function inputIssues(sub: Submission, spec: WorkflowSpec, issues: SpecIssue[]): ScatterItems {
  const file = sub.workflowFile;
  const given = sub.items ?? {};
  const items: ScatterItems = {};
  const declared = new Map(spec.inputs.map((i) => [i.name, i]));
  const names = spec.inputs.map((i) => i.name).join(', ') || 'none';
  for (const input of spec.inputs) {
    const path = `inputs.${input.name}`;
    if (input.type === 'list') {
      if (sub.inputs[input.name]) issues.push({ file, path, message: `"${input.name}" is a list input: give its items (--input ${input.name}=VALUE once per item), not one file` });
      const list = given[input.name] ?? (input.of !== 'file' && input.default?.length ? stringListItems(input.default) : undefined);
      if (list) items[input.name] = list;
      else if (input.of === 'file' && input.default?.length) issues.push({ file, path, message: `the default files of list input "${input.name}" are read by toolflow run; here give the files themselves (an upload id each)` });
      else if (input.required) issues.push({ file, path, message: `required list input has no items; give them with --input ${input.name}=VALUE once per item (CLI), or declare a default` });
      continue;
    }
    if (input.type === 'samples' && given[input.name]) items[input.name] = given[input.name]!;
    if (!sub.inputs[input.name]) {
      if (input.required) {
        const what = input.type === 'samples' ? 'required sample sheet is not given; give it with --input NAME=SHEET (CLI) or an upload id under inputs.NAME (API)' : 'required input has no file; give it with --input NAME=PATH (CLI) or an upload id under inputs.NAME (API)';
        issues.push({ file, path, message: what.replace(/NAME/g, input.name) });
      }
    } else if (input.type === 'samples' && !given[input.name]) {
      issues.push({ file, path, message: `the sample sheet of "${input.name}" was uploaded but its rows were not read; submit it with its items` });
    }
  }
  for (const name of Object.keys(given)) {
    const input = declared.get(name);
    if (!input) issues.push({ file, path: `inputs.${name}`, message: `the workflow has no input "${name}"; it has ${names}` });
    else if (input.type === 'file') issues.push({ file, path: `inputs.${name}`, message: `"${name}" is a file input, which has no items` });
  }
  for (const name of Object.keys(sub.inputs)) {
    const slash = name.indexOf('/');
    const owner = slash < 0 ? name : name.slice(0, slash);
    const input = declared.get(owner);
    if (!input) issues.push({ file, path: `inputs.${owner}`, message: `the workflow has no input "${owner}"; it has ${names}` });
    else if (slash >= 0 && input.type === 'file') issues.push({ file, path: `inputs.${owner}`, message: `"${name}" names a file of an item, and "${owner}" is a file input, which has no items` });
  }
  // Every item file must have been uploaded.
  for (const [name, list] of Object.entries(items)) {
    let missing = 0;
    list.forEach((item, k) => {
      for (const [column, stored] of Object.entries(item.files)) {
        if (sub.inputs[stored]) continue;
        if (++missing <= 10) issues.push({ file, path: `inputs.${name}[${k}].${column}`, message: `the file of ${item.key}'s ${column} was not uploaded (stored input "${stored}")` });
      }
    });
    if (missing > 10) issues.push({ file, path: `inputs.${name}`, message: `${missing - 10} more item files were not uploaded` });
  }
  return items;
}
