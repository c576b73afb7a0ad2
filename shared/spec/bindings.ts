/**
 * Reading a planned tool's bindings (`ToolSpec.bindings`, made by the planner in expand.ts): which
 * other tool instances and which stored inputs an attempt needs, so that the work manager sends each
 * attempt only those (a 1,000-sample sheet's files are not sent to every tool, nor the sheet itself
 * to a tool that does not read it: `ToolSpec.inputs`).
 */
import type { Binding, ToolSpec } from './types.js';

/**
 * Names of the tool instances whose work dirs or outputs the bindings reference (`dir` and
 * `outputs` bindings), without duplicates, in first-seen order.
 * @returns `[]` for a tool without bindings (a template, or a task stored before issue 10).
 */
export function boundTools(spec: Pick<ToolSpec, 'bindings'>): string[] {
  const names = new Set<string>();
  for (const b of spec.bindings ?? []) {
    if ('dir' in b) names.add(b.dir);
    else if ('outputs' in b) for (const o of b.outputs) names.add(o.tool);
  }
  return [...names];
}

/**
 * The stored inputs an attempt gets: the workflow-level inputs (`TF_INPUT_*`) the planner gave the
 * tool (`spec.inputs`: file inputs, and a sample sheet only to a tool that reads it), or, for a tool
 * without `inputs` (a template, or a task stored before it), every workflow-level input (names
 * without `/`); then the item files its `input` bindings name (`<input>/<key>/<column>`). Names
 * the task did not store (an optional input not given) are left out; the order is `all`'s.
 * @param all every stored input of the task, by name.
 */
export function inputsFor<T>(spec: Pick<ToolSpec, 'bindings' | 'inputs'>, all: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  const given = spec.inputs ? new Set(spec.inputs) : undefined;
  for (const [name, stored] of Object.entries(all)) if (!name.includes('/') && (given === undefined || given.has(name))) out[name] = stored;
  for (const b of spec.bindings ?? []) if ('input' in b && Object.hasOwn(all, b.input)) out[b.input] = all[b.input]!;
  return out;
}

/** Whether a binding is resolved from files staged for the attempt (`input`, `outputs`). */
export function isStagedBinding(b: Binding): boolean {
  return 'input' in b || 'outputs' in b;
}
