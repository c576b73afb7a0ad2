/**
 * validate: checks a submission (workflow text, option values, uploaded inputs) and turns it into
 * `task.submitted`. Nothing is stored yet: an invalid submission leaves no row behind.
 */
import { randomBytes } from 'node:crypto';
import { SpecError, type SpecIssue } from '../errors.js';
import { EventType, makeEvent, type StoredInput, type ToolflowEvent } from '../events/catalog.js';
import type { Executor } from '../executor/executor.js';
import { parseWorkflow } from '../spec/load.js';
import { formatBytes, formatCpu } from '../spec/resources.js';
import { resolveValues } from '../spec/values.js';
import type { OptionValue } from '../spec/types.js';
import { sourceOf } from './handler.js';

/** A submission. */
export interface Submission {
  owner: string;
  /** File name for messages. */
  workflowFile: string;
  workflowText: string;
  /** Option values in the order given (later wins), e.g. from `--set` and a params file. */
  values: { tool: string; option: string; value: OptionValue; from: string }[];
  /** Inputs already uploaded, by input name. */
  inputs: Record<string, StoredInput>;
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
 * Checks a submission.
 * @returns the `task.submitted` event.
 * @throws SpecError listing every problem: the workflow, the values, the inputs, and tools that need
 *   more cpu or memory than the executor has.
 */
export function validateSubmission(sub: Submission, executor: Pick<Executor, 'capacity'>): ToolflowEvent<typeof EventType.taskSubmitted> {
  const { spec, source } = parseWorkflow(sub.workflowFile, sub.workflowText);
  const values = resolveValues(spec, sub.values, sub.workflowFile);
  const issues: SpecIssue[] = [];
  const cap = executor.capacity;
  spec.tools.forEach((t, i) => {
    if (t.cpuMillicores > cap.cpuMillicores) issues.push(source.issue(['tools', i, 'cpu'], `needs ${formatCpu(t.cpuMillicores)} cpu but the executor has ${formatCpu(cap.cpuMillicores)}`));
    if (t.memBytes > cap.memBytes) issues.push(source.issue(['tools', i, 'mem'], `needs ${formatBytes(t.memBytes)} memory but the executor has ${formatBytes(cap.memBytes)}`));
  });
  for (const input of spec.inputs) {
    // Worded for both ways in: the CLI's --input, and an upload id in the API's submission.
    if (input.required && !sub.inputs[input.name]) issues.push({ file: sub.workflowFile, path: `inputs.${input.name}`, message: `required input has no file; give it with --input ${input.name}=PATH (CLI) or an upload id under inputs.${input.name} (API)` });
  }
  for (const name of Object.keys(sub.inputs)) {
    if (!spec.inputs.some((i) => i.name === name)) issues.push({ file: sub.workflowFile, path: `inputs.${name}`, message: `the workflow has no input "${name}"; it has ${spec.inputs.map((i) => i.name).join(', ') || 'none'}` });
  }
  if (issues.length) throw new SpecError(issues);
  const taskId = newTaskId();
  return makeEvent(EventType.taskSubmitted, sourceOf('validate'), {
    taskId,
    owner: sub.owner,
    workflowFile: sub.workflowFile,
    spec,
    values,
    inputs: sub.inputs,
    failFast: sub.failFast ?? false,
    ...(sub.noCache ? { noCache: true } : {}),
    ...(sub.workRoot ? { workRoot: sub.workRoot } : {}),
  });
}
