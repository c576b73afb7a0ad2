/**
 * The planner (issue 10): turns a workflow (template) and the items of its sample sheets and lists
 * into a **plan**, a `WorkflowSpec` whose tools are concrete instances (`align[A]`, `align[B]`,
 * `call`) with their environment resolved as `bindings`. Rules (notes: "Issue 10 design",
 * "Chaining and gathering", "What a tool sees"):
 * - a tool scattered over input S has one instance per item of S, named `<tool>[<key>]`, in item
 *   order; a tool that is not scattered has one instance that keeps its name;
 * - for each dependency U of tool T (in `rely`, or an ancestor whose named output T's commands
 *   reference): U scattered over T's input → T[k] relies on U[k]; U not scattered → every instance
 *   of T relies on U; otherwise T (each instance) relies on all of U's instances, in item order (a gather);
 * - bindings: TF_ITEM_<column> (sheet) or TF_ITEM (list), TF_OUT_<name> for T's own named outputs,
 *   TF_DEP_<U> (the attempt dir) for each direct dependency that is not gathered, TF_DEP_<U>_<output>
 *   for every named output of each direct dependency and for each ancestor's named output the
 *   commands reference (`outputs`: files staged into the attempt's folder at their base names);
 * - inputs (`ToolSpec.inputs`): every file input, and a samples input's sheet only for a tool whose
 *   commands reference `$TF_INPUT_<input>`, so that adding a row leaves the other rows' instances
 *   (and their cache keys) as they were.
 * This module plans the instances (items, names, resolved outputs) and puts each together;
 * expand-bindings.ts makes and checks their bindings.
 *
 * Work is linear in instances + bindings: placeholders are compiled, commands scanned and binding
 * names built once per tool of the workflow; a gather's bindings are built once and shared by every
 * instance of the gathering tool.
 */
import { SpecError, type SpecIssue } from '../errors.js';
import {
  checkBindingNames,
  checkEnvSize,
  checkStaged,
  dependencyPart,
  itemBindings,
  modeOf,
  referencedAncestors,
  workflowInputs,
  type DependencyPart,
  type IssueAt,
  type Template,
} from './expand-bindings.js';
import { scanReferences } from './reference-positions.js';
import { keyProblem } from './sample-sheet.js';
import { envKey, toolEnvBytes } from './tool-env.js';
import type { Binding, InputSpec, ScatterItems, ToolSpec, WorkflowSpec } from './types.js';
import { formatPath, type DataPath, type YamlSource } from './yaml-source.js';

/** What the plan may use of the executor (`Executor.capacity`): a tool asking for more cpu gets this. */
export interface PlanCapacity {
  /** @asType integer */
  cpuMillicores: number;
}

/** Where issues point: the workflow file's name and, when known, its source (for lines and columns). */
export interface PlanSource {
  file: string;
  source?: YamlSource;
}

/** A `{name}` placeholder in an output path. */
const PLACEHOLDER_RE = /\{([^{}]*)\}/g;

/** The instance name of a scattered tool's item: `<tool>[<key>]`. */
export function instanceName(tool: string, key: string): string {
  return `${tool}[${key}]`;
}

/** The `{name}` placeholders of an output path, in order, without duplicates. */
export function placeholdersOf(path: string): string[] {
  return [...new Set(Array.from(path.matchAll(PLACEHOLDER_RE), (m) => m[1]!))];
}

/**
 * The columns of each samples input whose values go into output file names (`{column}` in an
 * output path of a tool scattered over it): the sheet reader checks their cells as it checks keys.
 * @returns input name → column names (inputs without such columns are absent).
 */
export function pathColumnsByInput(spec: WorkflowSpec): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const t of spec.tools) {
    if (!t.scatter) continue;
    for (const path of Object.values(t.namedOutputs)) {
      for (const p of placeholdersOf(path)) {
        let set = out.get(t.scatter);
        if (!set) out.set(t.scatter, (set = new Set()));
        set.add(p);
      }
    }
  }
  return out;
}

/** An output path split at its placeholders: `parts[0] fields[0] parts[1] … parts[n]`. */
interface Compiled {
  parts: string[];
  fields: string[];
}

function compile(path: string): Compiled {
  const parts: string[] = [];
  const fields: string[] = [];
  let last = 0;
  for (const m of path.matchAll(PLACEHOLDER_RE)) {
    parts.push(path.slice(last, m.index));
    fields.push(m[1]!);
    last = m.index + m[0].length;
  }
  parts.push(path.slice(last));
  return { parts, fields };
}

/**
 * Expands a workflow into its plan.
 * @param spec a valid workflow (from `parseWorkflow`).
 * @param items the items of every samples or list input a tool is scattered over (from
 *   sample-sheet.ts), by input name, in item order.
 * @param capacity when given, a tool asking for more cpu than `capacity.cpuMillicores` is capped to
 *   it, and keeps what it asked for in `requestedCpuMillicores` (memory is never capped: validate
 *   refuses it).
 * @param where the workflow file (and source) that issues point into.
 * @returns the plan: every tool's instances, in the workflow's order (a scattered tool's in item
 *   order), each with `rely` rewritten to instance names, `outputs` and `namedOutputs` resolved,
 *   `bindings`, `inputs` (the workflow-level inputs it gets) and (scattered tools) `instance`.
 * @throws SpecError with every problem: a scatter over an input that is not a samples or list
 *   input, or that has no items; a placeholder naming no field of the item, or a field whose value
 *   cannot be part of a file name; two staged files with the same base name in one attempt's
 *   folder, or a staged file named as one of the tool's own outputs; two bindings of one tool with
 *   the same variable name; a variable (or the whole environment) too large for Linux to exec.
 *   Each problem is reported once per tool of the workflow (naming the first instance it occurs in).
 */
export function expandWorkflow(spec: WorkflowSpec, items: ScatterItems, capacity?: PlanCapacity, where: PlanSource = { file: 'workflow' }): WorkflowSpec {
  const issues: SpecIssue[] = [];
  const issueAt = (path: DataPath, message: string) => issues.push(where.source ? where.source.issue(path, message) : { file: where.file, path: formatPath(path), message });
  const inputs = new Map(spec.inputs.map((i) => [i.name, i]));
  const byName = new Map<string, number>();
  spec.tools.forEach((t, i) => byName.set(t.name, i));

  // 1. Instances of each tool, with their outputs resolved.
  const templates: Template[] = spec.tools.map((tool, index) => planInstances(tool, index, inputs, items, issueAt));
  if (issues.length) throw new SpecError(issues);

  // 2. Which TF_DEP_<tool>_<output> names exist, for the commands' references to ancestors.
  const outputVar = new Map<string, { tool: number; output: string }>();
  templates.forEach((tp, j) => {
    for (const o of Object.keys(tp.tool.namedOutputs)) outputVar.set(`TF_DEP_${envKey(tp.tool.name)}_${envKey(o)}`, { tool: j, output: o });
  });

  const tools: ToolSpec[] = [];
  // Problems already reported (each once per tool of the workflow), keys prefixed by the tool's index.
  const reported = new Set<string>();
  for (const tp of templates) {
    const t = tp.tool;
    const direct = t.rely.map((name) => byName.get(name)).filter((j): j is number => j !== undefined);
    const referenced = referencedAncestors(t, tp.index, direct, outputVar, templates, byName);
    checkBindingNames(tp, direct, referenced, templates, issueAt);
    const capped = capacity !== undefined && t.cpuMillicores > capacity.cpuMillicores && capacity.cpuMillicores > 0;
    const given = workflowInputs(t, spec.inputs);
    const baseEnv = toolEnvBytes({ name: t.name, env: t.env, rely: [] }, {}, given.map(envKey)).total;
    const deps: [j: number, outputsOnly: string[] | null][] = direct.map((j) => [j, null]);
    for (const [j, outs] of referenced) deps.push([j, outs]);
    // Rely entries and bindings that are the same for every instance of the tool (unscattered and
    // gathered dependencies), built once, by position in `deps`.
    const shared: (DependencyPart | undefined)[] = [];
    const cpuMillicores = capped ? capacity.cpuMillicores : t.cpuMillicores;
    const count = tp.names.length;
    for (let k = 0; k < count; k++) {
      const item = tp.items[k]!;
      const bindings: Binding[] = itemBindings(tp, item);
      const named = tp.named[k]!;
      for (const [o, env] of tp.outEnv) bindings.push({ env, value: named[o]! });
      const rely: string[] = [];
      for (let d = 0; d < deps.length; d++) {
        const [j, outputsOnly] = deps[d]!;
        const u = templates[j]!;
        const mode = modeOf(t, u.tool);
        if (!outputsOnly && mode !== 'gather' && u.outEnv.length === 0) {
          // The common edge (a dependency with one instance to relate to and no named outputs), without the arrays of a part.
          const dep = u.names[mode === 'chain' ? k : 0]!;
          rely.push(dep);
          bindings.push({ env: u.depEnv, dir: dep });
          continue;
        }
        let part: DependencyPart;
        if (mode === 'chain') part = dependencyPart(u, k, outputsOnly, mode);
        else part = shared[d] ??= dependencyPart(u, 0, outputsOnly, mode);
        for (const r of part.rely) rely.push(r);
        for (const b of part.bindings) bindings.push(b);
      }
      checkStaged(tp, k, bindings, templates, outputVar, reported, issueAt);
      checkEnvSize(tp, k, bindings, baseEnv, reported, issueAt);
      const inst = plannedTool(t, tp.names[k]!, cpuMillicores, tp.outputs[k]!, named, rely, bindings, given);
      if (capped) inst.requestedCpuMillicores = t.cpuMillicores;
      if (item && tp.input) inst.instance = { tool: t.name, input: tp.input.name, key: item.key, index: k };
      tools.push(inst);
    }
  }
  if (issues.length) throw new SpecError(issues);
  return { ...spec, tools };
}

/**
 * A planned tool: the template's fields with the instance's own. Written out field by field rather
 * than spread (`{...t, name}`): V8 makes an object literal about ten times faster than a spread with
 * more keys, which counts for 100,000 tools. `satisfies` makes the compiler name any field added to
 * ToolSpec and not copied here.
 */
function plannedTool(t: ToolSpec, name: string, cpuMillicores: number, outputs: string[], namedOutputs: Record<string, string>, rely: string[], bindings: Binding[], inputs: string[]): ToolSpec {
  return {
    name,
    description: t.description,
    output: t.output,
    cpuMillicores,
    memBytes: t.memBytes,
    diskBytes: t.diskBytes,
    timeSeconds: t.timeSeconds,
    image: t.image,
    outputs,
    namedOutputs,
    scatter: t.scatter,
    publish: t.publish,
    bindings,
    inputs,
    env: t.env,
    passEnv: t.passEnv,
    options: t.options,
    cmds: t.cmds,
    rely,
    retry: t.retry,
  } satisfies Record<keyof Omit<ToolSpec, 'instance' | 'requestedCpuMillicores'>, unknown>;
}

/** Step 1 for one tool: its items, instance names and resolved outputs; problems reported through `issueAt`. */
function planInstances(tool: ToolSpec, index: number, inputs: Map<string, InputSpec>, items: ScatterItems, issueAt: IssueAt): Template {
  const key = envKey(tool.name);
  const tp: Template = {
    tool,
    index,
    input: null,
    items: [null],
    names: [tool.name],
    named: [],
    outputs: [],
    depEnv: `TF_DEP_${key}`,
    depOutputEnv: Object.fromEntries(Object.keys(tool.namedOutputs).map((o) => [o, `TF_DEP_${key}_${envKey(o)}`])),
    outEnv: Object.keys(tool.namedOutputs).map((o) => [o, `TF_OUT_${envKey(o)}`]),
    itemEnv: [],
  };
  const compiledNamed = Object.entries(tool.namedOutputs).map(([o, path]) => [o, compile(path)] as const);
  // Placeholders are filled in named outputs only: the list form keeps its paths as written.
  const isNamed = compiledNamed.length > 0;
  const compiledOutputs = isNamed ? tool.outputs.map(compile) : [];
  if (tool.scatter) {
    const input = inputs.get(tool.scatter);
    if (!input || input.type === 'file') {
      issueAt(['tools', index, 'scatter'], input ? `input "${tool.scatter}" is a file; a tool is scattered over a samples or list input` : `the workflow has no input "${tool.scatter}"`);
      return tp;
    }
    const given = items[tool.scatter];
    if (!given || given.length === 0) {
      const how = input.type === 'samples' ? `--input ${input.name}=SHEET (a CSV or TSV file)` : `--input ${input.name}=VALUE once per item`;
      issueAt(['tools', index, 'scatter'], `tool "${tool.name}" runs once per item of input "${input.name}", which has ${given ? 'no items' : 'not been given'}; give it with ${how}`);
      return tp;
    }
    tp.input = input;
    tp.items = given;
    const itemEnv =
      input.type === 'list'
        ? [{ env: 'TF_ITEM', field: 'item', isFile: input.of === 'file' }]
        : (input.columns ?? []).map((c) => ({ env: `TF_ITEM_${envKey(c.name)}`, field: c.name, isFile: c.type === 'file' }));
    // An item's cells are bound only for the tools whose commands name them (sort[A] does not get A's
    // reads): no file staged or downloaded for nothing, and no cache key that changes with a cell the
    // tool never reads (placeholders are resolved into its outputs, which are in the key).
    const named = new Set(tool.cmds.flatMap((cmd) => (cmd.includes('TF_ITEM') ? scanReferences(cmd).map((r) => r.name) : [])));
    tp.itemEnv = itemEnv.filter((e) => named.has(e.env));
    tp.names = given.map((it) => instanceName(tool.name, it.key));
  }
  const fieldsKnown = tp.input ? (tp.input.type === 'list' ? ['item'] : (tp.input.columns ?? []).map((c) => c.name)) : [];
  // Placeholders that name nothing: once per tool.
  for (const [o, c] of compiledNamed) {
    for (const f of c.fields) {
      if (fieldsKnown.includes(f)) continue;
      const what = !tp.input
        ? `tool "${tool.name}" is not scattered, so {${f}} has no value; remove it, or scatter the tool over a samples or list input`
        : `{${f}} names no field of input "${tp.input.name}"'s items (${tp.input.type === 'list' ? '{item}' : fieldsKnown.map((n) => `{${n}}`).join(', ')})`;
      issueAt(['tools', index, 'outputs', o], what);
    }
  }
  // Without placeholders every instance has the template's paths.
  if (!compiledNamed.some(([, c]) => c.fields.length > 0)) {
    for (let k = 0; k < tp.items.length; k++) {
      tp.named.push(tool.namedOutputs);
      tp.outputs.push(tool.outputs);
    }
    return tp;
  }
  const badValue = new Set<string>();
  tp.items.forEach((item) => {
    const value = (f: string): string | undefined => {
      const v = item?.fields[f];
      if (v === undefined) return undefined;
      if (!badValue.has(f)) {
        const why = keyProblem(v);
        if (why) {
          badValue.add(f);
          issueAt(['tools', index, 'outputs'], `${instanceName(tool.name, item!.key)}: the value of {${f}} ${why}, so it cannot be part of an output file name`);
        }
      }
      return v;
    };
    const resolve = (c: Compiled): string => {
      if (c.fields.length === 0) return c.parts[0]!;
      let s = c.parts[0]!;
      c.fields.forEach((f, n) => {
        s += (value(f) ?? `{${f}}`) + c.parts[n + 1]!;
      });
      return s;
    };
    tp.named.push(Object.fromEntries(compiledNamed.map(([o, c]) => [o, resolve(c)])));
    tp.outputs.push(compiledOutputs.map(resolve));
  });
  return tp;
}
