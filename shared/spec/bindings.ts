/**
 * Reading a planned tool's bindings (`ToolSpec.bindings`, made by the planner in expand.ts): which
 * other tool instances and which stored inputs an attempt needs, so that the work manager sends each
 * attempt only those (a 1,000-sample sheet's files are not sent to every tool).
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
 * The stored inputs an attempt gets: every workflow-level input (names without `/`: `TF_INPUT_*`),
 * and the item files its `input` bindings name (`<input>/<key>/<column>`).
 * @param all every stored input of the task, by name.
 */
export function inputsFor<T>(spec: Pick<ToolSpec, 'bindings'>, all: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, stored] of Object.entries(all)) if (!name.includes('/')) out[name] = stored;
  for (const b of spec.bindings ?? []) if ('input' in b && all[b.input] !== undefined) out[b.input] = all[b.input]!;
  return out;
}

/** Whether a binding is resolved from files staged for the attempt (`input`, `outputs`). */
export function isStagedBinding(b: Binding): boolean {
  return 'input' in b || 'outputs' in b;
}
