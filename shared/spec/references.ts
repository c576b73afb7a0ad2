/**
 * The `TF_*` names a tool's commands may use, and the check (run by `parseWorkflow`, so by
 * `toolflow validate`) that they use no other: a command reading a variable toolflow will not set
 * fails at run time under `set -u` with only "exited with code 1" (issue 10, point 3).
 *
 * What is bound (design10.md, "What a tool sees"), for tool T:
 * | name | bound when |
 * | --- | --- |
 * | `TF_WORKDIR` `TF_TASK_ID` `TF_TOOL` `TF_ATTEMPT` `TF_CPUS` `TF_CPU_MILLICORES` `TF_MEM_BYTES` `TF_DISK_BYTES` | always |
 * | `TF_OPT_<option>` | an option T declares |
 * | `TF_INPUT_<input>` | an input of type file or samples (`-` in its name becomes `_`; the planner gives a sheet only to the tools whose commands name it) |
 * | `TF_ITEM_<column>` | T is scattered over a samples input declaring that column |
 * | `TF_ITEM` | T is scattered over a list input |
 * | `TF_OUT_<output>` | a named output of T |
 * | `TF_DEP_<tool>` | a direct dependency (in T's `rely`) that T does not gather |
 * | `TF_DEP_<tool>_<output>` | a named output of any ancestor of T (transitively over `rely`) |
 * T **gathers** U when U is scattered and T is not scattered over the same input: T (each of its
 * instances) then relies on every instance of U, so U has no single work dir to give.
 *
 * Every `$NAME` and `${NAME` with NAME = `TF_[A-Za-z0-9_]+` in a command is a reference, wherever it
 * is (quotes do not matter: the variables are exported, so a `bash -c '…$TF_X…'` reads them too);
 * finding them, in the command and in the file, is reference-positions.ts's.
 * Generated names must not clash: two (tool, output) pairs, or a tool and a (tool, output) pair,
 * that give the same `TF_DEP_` name are refused ("both become $TF_DEP_a_b_c; rename one").
 */
import type { SpecIssue } from '../errors.js';
import { closest, descendants, type Dag } from './graph.js';
import { ReferenceLocator, scanReferences, type Reference } from './reference-positions.js';
import { envKey } from './tool-env.js';
import type { InputSpec, ToolSpec, WorkflowSpec } from './types.js';

export { scanReferences, type Reference } from './reference-positions.js';
import type { DataPath, YamlSource } from './yaml-source.js';

/** The names every attempt gets (shared/executor/local/command-script.ts `commandEnv`). */
export const ATTEMPT_NAMES: readonly string[] = ['TF_WORKDIR', 'TF_TASK_ID', 'TF_TOOL', 'TF_ATTEMPT', 'TF_CPUS', 'TF_CPU_MILLICORES', 'TF_MEM_BYTES', 'TF_DISK_BYTES'];

/**
 * Why a name is bound in a tool, and to what (names are the workflow's names, not their `envKey` form):
 * - `attempt`: one of ATTEMPT_NAMES;
 * - `option`: `TF_OPT_<option>`;
 * - `input`: `TF_INPUT_<input>` (a file, or a samples input's sheet);
 * - `item`: `TF_ITEM_<column>` of the samples input the tool is scattered over, or `TF_ITEM`
 *   (`column` null) of the list it is scattered over;
 * - `output`: `TF_OUT_<output>`, the tool's own named output;
 * - `dir`: `TF_DEP_<tool>`, a direct dependency's attempt dir (of the same item's instance when both
 *   are scattered over the same input);
 * - `depOutput`: `TF_DEP_<tool>_<output>`, a named output of an ancestor; `gather`: the tool gathers
 *   that ancestor (the value lists every instance's file, in item order).
 */
export type Why =
  | { kind: 'attempt' }
  | { kind: 'option'; option: string }
  | { kind: 'input'; input: string }
  | { kind: 'item'; input: string; column: string | null }
  | { kind: 'output'; output: string }
  | { kind: 'dir'; tool: string }
  | { kind: 'depOutput'; tool: string; output: string; gather: boolean };

const ATTEMPT = new Set(ATTEMPT_NAMES);

/** A name `resolve` refuses: why, and what to write. */
export interface Unbound {
  problem: string;
}

/** Times one tool may be asked about as an ancestor before its descendants are kept as a set. */
const WALKS_BEFORE_SET = 8;

/**
 * The names of a whole workflow, indexed once (linear in tools, inputs and outputs): answers which
 * names a tool may use (`bound`) and what one name means in a tool (`resolve`), by the same rules.
 * Ancestry is answered without a transitive closure: a direct parent, else a walk up from the tool
 * that stops at tools placed before the ancestor in the DAG's order, else (for an ancestor asked
 * about often, such as a reference index every sample reads) its descendants, kept as a set.
 */
export class ReferenceIndex {
  private readonly toolByKey = new Map<string, number>();
  private readonly inputByKey = new Map<string, InputSpec>();
  private readonly inputByName = new Map<string, InputSpec>();
  private readonly position: number[];
  private readonly parentSets = new Map<number, Set<number>>();
  private readonly descendantSets = new Map<number, Set<number>>();
  private readonly walks = new Map<number, number>();
  private readonly relyUnsure: boolean;

  /**
   * @param reported fields a check before has refused (the schema's `reported`): a name whose meaning
   *   depends on one of them is neither accepted nor refused by `resolve` (undefined), so that a
   *   wrong field is not reported a second time as a wrong reference.
   */
  constructor(
    readonly spec: WorkflowSpec,
    readonly dag: Dag,
    private readonly reported: (path: DataPath) => boolean = () => false,
  ) {
    spec.tools.forEach((t, i) => {
      if (t.name !== '' && !this.toolByKey.has(envKey(t.name))) this.toolByKey.set(envKey(t.name), i);
    });
    for (const input of spec.inputs) {
      if (!this.inputByKey.has(envKey(input.name))) this.inputByKey.set(envKey(input.name), input);
      this.inputByName.set(input.name, input);
    }
    this.position = new Array<number>(spec.tools.length).fill(0);
    dag.order.forEach((t, k) => (this.position[t] = k));
    this.relyUnsure = spec.tools.some((_, i) => reported(['tools', i, 'rely']));
  }

  /** The samples or list input tool `i` is scattered over; undefined when not scattered or when `scatter` is wrong. */
  scatterInput(i: number): InputSpec | undefined {
    const name = this.spec.tools[i]!.scatter;
    const input = name === null ? undefined : this.inputByName.get(name);
    return input && input.type !== 'file' ? input : undefined;
  }

  /** Whether tool `t` gathers tool `u`: `u` is scattered and `t` is not scattered over the same input. */
  gathers(t: number, u: number): boolean {
    const over = this.spec.tools[u]!.scatter;
    return over !== null && this.spec.tools[t]!.scatter !== over;
  }

  /** Whether tool `a` is an ancestor of tool `t` (transitively over `rely`; a tool is not its own). */
  isAncestor(a: number, t: number): boolean {
    if (a === t || this.position[a]! >= this.position[t]!) return false;
    if (this.hasParent(t, a)) return true;
    const known = this.descendantSets.get(a);
    if (known) return known.has(t);
    const walks = (this.walks.get(a) ?? 0) + 1;
    this.walks.set(a, walks);
    if (walks > WALKS_BEFORE_SET) {
      const set = new Set(descendants(this.dag, a));
      this.descendantSets.set(a, set);
      return set.has(t);
    }
    // A tool on a path from a to t comes after a in the order: the walk skips the others.
    const floor = this.position[a]!;
    const seen = new Set<number>([t]);
    const stack = [t];
    while (stack.length > 0) {
      for (const p of this.dag.parents[stack.pop()!]!) {
        if (p === a) return true;
        if (this.position[p]! > floor && !seen.has(p)) {
          seen.add(p);
          stack.push(p);
        }
      }
    }
    return false;
  }

  /** Whether `p` is a parent of `t` (a set is kept for tools with many parents: a gather over 1,000 tools). */
  private hasParent(t: number, p: number): boolean {
    const parents = this.dag.parents[t]!;
    if (parents.length <= 16) return parents.includes(p);
    let set = this.parentSets.get(t);
    if (!set) this.parentSets.set(t, (set = new Set(parents)));
    return set.has(p);
  }

  /**
   * Every name tool `i` may use, with why (the table of the module header); cost: its ancestors
   * and their named outputs. On a generated-name clash (refused by `checkReferences`) the first
   * meaning is kept.
   */
  bound(i: number): Map<string, Why> {
    const tool = this.spec.tools[i]!;
    const out = new Map<string, Why>();
    const add = (name: string, why: Why) => {
      if (!out.has(name)) out.set(name, why);
    };
    for (const name of ATTEMPT_NAMES) add(name, { kind: 'attempt' });
    for (const o of tool.options) if (o.name) add(`TF_OPT_${o.name}`, { kind: 'option', option: o.name });
    for (const input of this.spec.inputs) if (input.type !== 'list') add(`TF_INPUT_${envKey(input.name)}`, { kind: 'input', input: input.name });
    const over = this.scatterInput(i);
    if (over?.type === 'list') add('TF_ITEM', { kind: 'item', input: over.name, column: null });
    for (const c of over?.columns ?? []) add(`TF_ITEM_${c.name}`, { kind: 'item', input: over!.name, column: c.name });
    for (const name of Object.keys(tool.namedOutputs)) add(`TF_OUT_${name}`, { kind: 'output', output: name });
    for (const p of this.dag.parents[i]!) if (!this.gathers(i, p)) add(`TF_DEP_${envKey(this.spec.tools[p]!.name)}`, { kind: 'dir', tool: this.spec.tools[p]!.name });
    const seen = new Set<number>([i]);
    const queue = [...this.dag.parents[i]!];
    for (const p of queue) seen.add(p);
    for (let k = 0; k < queue.length; k++) {
      const a = queue[k]!;
      const anc = this.spec.tools[a]!;
      for (const output of Object.keys(anc.namedOutputs)) add(`TF_DEP_${envKey(anc.name)}_${output}`, { kind: 'depOutput', tool: anc.name, output, gather: this.gathers(i, a) });
      for (const p of this.dag.parents[a]!) {
        if (!seen.has(p)) {
          seen.add(p);
          queue.push(p);
        }
      }
    }
    return out;
  }

  /**
   * What `name` means in tool `i`: why it is bound, `{ problem }` (why not, and what to write: the
   * message starts with `$NAME`), or undefined when the answer depends on a field already reported.
   */
  resolve(i: number, name: string): Why | Unbound | undefined {
    const tool = this.spec.tools[i]!;
    const no = (why: string): Unbound => ({ problem: `$${name}: ${why}` });
    if (ATTEMPT.has(name)) return { kind: 'attempt' };
    if (name.startsWith('TF_OPT_')) return this.option(i, name.slice(7), no);
    if (name.startsWith('TF_INPUT_')) return this.input(name.slice(9), no);
    if (name === 'TF_ITEM' || name.startsWith('TF_ITEM_')) return this.item(i, name === 'TF_ITEM' ? null : name.slice(8), no);
    if (name.startsWith('TF_OUT_')) {
      const output = name.slice(7);
      if (this.reported(['tools', i, 'outputs'])) return undefined;
      if (tool.namedOutputs[output] !== undefined) return { kind: 'output', output };
      return no(`"${tool.name}" ${this.noOutput(i, output)}`);
    }
    if (name.startsWith('TF_DEP_')) return this.dep(i, name.slice(7), no);
    const hint = closest(name, [...ATTEMPT_NAMES, 'TF_ITEM']);
    return no(
      `toolflow sets no such variable${hint ? ` (did you mean $${hint}?)` : ''}; it sets TF_OPT_<option>, TF_INPUT_<input>, TF_ITEM_<column> (TF_ITEM), TF_OUT_<output>, TF_DEP_<tool>, TF_DEP_<tool>_<output> and ${ATTEMPT_NAMES.join(', ')}`,
    );
  }

  private option(i: number, option: string, no: (why: string) => Unbound): Why | Unbound | undefined {
    const tool = this.spec.tools[i]!;
    if (this.reported(['tools', i, 'options'])) return undefined;
    if (tool.options.some((o) => o.name === option)) return { kind: 'option', option };
    const names = tool.options.map((o) => o.name);
    const hint = closest(option, names);
    if (hint) return no(`"${tool.name}" has no option "${option}" (did you mean "${hint}"?)`);
    return no(names.length === 0 ? `"${tool.name}" declares no options (declare it under options: to get $TF_OPT_${option})` : `"${tool.name}" has no option "${option}"; its options: ${names.join(', ')}`);
  }

  private input(key: string, no: (why: string) => Unbound): Why | Unbound | undefined {
    if (this.reported(['inputs'])) return undefined;
    const input = this.inputByKey.get(key);
    if (input?.type === 'list') {
      return no(`"${input.name}" is a list input, not one file: a tool scattered over it (scatter: ${input.name}) sees each item as $TF_ITEM`);
    }
    if (input) return { kind: 'input', input: input.name };
    const keys = [...this.inputByKey.keys()];
    const hint = closest(key, keys);
    if (hint) return no(`no input "${key}" (did you mean $TF_INPUT_${hint}?)`);
    return no(keys.length === 0 ? `the workflow declares no inputs (declare "${key}" under inputs:)` : `no input "${key}"; the inputs: ${this.spec.inputs.map((n) => n.name).join(', ')}`);
  }

  private item(i: number, column: string | null, no: (why: string) => Unbound): Why | Unbound | undefined {
    const tool = this.spec.tools[i]!;
    if (this.reported(['tools', i, 'scatter'])) return undefined;
    const over = this.scatterInput(i);
    if (!over) {
      if (tool.scatter !== null) return undefined; // scatter names no samples or list input: reported there
      const sheets = this.spec.inputs.filter((n) => (column === null ? n.type === 'list' : n.columns?.some((c) => c.name === column)));
      const kind = column === null ? 'a list input' : 'a samples input with that column';
      const offer = sheets.length > 0 ? `: add scatter: ${sheets[0]!.name}` : '';
      return no(`"${tool.name}" is not scattered, and $${column === null ? 'TF_ITEM' : `TF_ITEM_${column}`} is bound in a tool scattered over ${kind}${offer}`);
    }
    if (this.reported(['inputs', over.name])) return undefined;
    const columns = over.columns ?? [];
    if (over.type === 'list') {
      if (column === null) return { kind: 'item', input: over.name, column: null };
      return no(`"${tool.name}" is scattered over the list "${over.name}", whose item is $TF_ITEM`);
    }
    const fields = columns.map((c) => `$TF_ITEM_${c.name}`).join(', ');
    if (column === null) return no(`"${tool.name}" is scattered over the samples input "${over.name}", whose item is a row: its cells are ${fields}`);
    if (columns.some((c) => c.name === column)) return { kind: 'item', input: over.name, column };
    const hint = closest(column, columns.map((c) => c.name));
    return no(`"${over.name}" has no column "${column}"${hint ? ` (did you mean $TF_ITEM_${hint}?)` : ''}; its columns: ${columns.map((c) => c.name).join(', ')}`);
  }

  /** "has no named output X (…)" for tool `u`, with what it has. */
  private noOutput(u: number, output: string): string {
    const tool = this.spec.tools[u]!;
    const names = Object.keys(tool.namedOutputs);
    if (names.length === 0) {
      return tool.outputs.length > 0
        ? `names none of its outputs (they are a list): write them as a mapping, outputs: {${output}: ${tool.outputs[0]}}`
        : `declares no outputs: declare it as outputs: {${output}: PATH}`;
    }
    const hint = closest(output, names);
    return `has no named output "${output}"${hint ? ` (did you mean "${hint}"?)` : ''}; its named outputs: ${names.join(', ')}`;
  }

  private dep(i: number, rest: string, no: (why: string) => Unbound): Why | Unbound | undefined {
    const tool = this.spec.tools[i]!;
    // Every reading of `rest`: the whole a tool, or a tool then one of its named outputs.
    const whole = this.toolByKey.get(rest);
    let pair: { u: number; output: string } | undefined;
    let prefixTool: { u: number; output: string } | undefined;
    for (let k = rest.indexOf('_'); k > 0 && !pair; k = rest.indexOf('_', k + 1)) {
      const u = this.toolByKey.get(rest.slice(0, k));
      if (u === undefined) continue;
      const output = rest.slice(k + 1);
      if (this.spec.tools[u]!.namedOutputs[output] !== undefined) pair = { u, output };
      else prefixTool ??= { u, output };
    }
    const unsure = (u: number) => this.relyUnsure || this.reported(['tools', u, 'outputs']);
    if (whole !== undefined) return this.depDir(i, whole, no);
    if (pair) {
      const { u, output } = pair;
      const dep = this.spec.tools[u]!;
      if (u === i) return no(`that is "${tool.name}"'s own output: use $TF_OUT_${output}`);
      if (this.isAncestor(u, i)) return { kind: 'depOutput', tool: dep.name, output, gather: this.gathers(i, u) };
      if (this.relyUnsure) return undefined;
      return no(this.notAncestor(u, i));
    }
    if (prefixTool) {
      if (unsure(prefixTool.u)) return undefined;
      const dep = this.spec.tools[prefixTool.u]!;
      return no(`"${dep.name}" ${this.noOutput(prefixTool.u, prefixTool.output)}`);
    }
    if (this.spec.tools.some((_, u) => this.reported(['tools', u, 'name']))) return undefined;
    const keys = [...this.toolByKey.keys()];
    let hint: string | undefined;
    let tail = '';
    for (let k = rest.length; k > 0 && !hint; k = rest.lastIndexOf('_', k - 1)) {
      hint = closest(rest.slice(0, k), keys);
      tail = rest.slice(k);
    }
    const named = rest.includes('_') ? `"${rest}" or "${rest.slice(0, rest.indexOf('_'))}"` : `"${rest}"`;
    if (hint) return no(`no tool named ${named} (did you mean $TF_DEP_${hint}${tail}?)`);
    return no(`no tool named ${named}: TF_DEP_<tool> is a dependency's work dir, TF_DEP_<tool>_<output> an ancestor's named output ("-" in tool names becomes "_")`);
  }

  /** `TF_DEP_<tool>` for tool `u` in tool `i`. */
  private depDir(i: number, u: number, no: (why: string) => Unbound): Why | Unbound | undefined {
    const tool = this.spec.tools[i]!;
    const dep = this.spec.tools[u]!;
    if (u === i) return no(`that is "${tool.name}" itself: its work dir is $TF_WORKDIR (the current directory)`);
    const outputs = Object.keys(dep.namedOutputs).map((o) => `$TF_DEP_${envKey(dep.name)}_${o}`);
    const nameThem = outputs.length > 0 ? `name its outputs instead: ${outputs.join(', ')}` : `declare named outputs on "${dep.name}" (outputs: {NAME: PATH}) and use $TF_DEP_${envKey(dep.name)}_NAME`;
    if (this.hasParent(i, u)) {
      if (!this.gathers(i, u)) return { kind: 'dir', tool: dep.name };
      const how = tool.scatter === null ? 'is not scattered' : `is scattered over "${tool.scatter}"`;
      return no(`"${tool.name}" ${how}, so it gathers every instance of "${dep.name}" (scattered over "${dep.scatter}"), each with its own work dir: ${nameThem}`);
    }
    if (this.relyUnsure) return undefined;
    if (this.isAncestor(u, i)) {
      return no(`"${dep.name}" is an ancestor of "${tool.name}" but not in its rely, and a work dir is bound for direct dependencies only: add "${dep.name}" to rely, or ${nameThem}`);
    }
    return no(this.notAncestor(u, i));
  }

  /** Why ancestor-only names of tool `u` are not bound in tool `i`. */
  private notAncestor(u: number, i: number): string {
    const tool = this.spec.tools[i]!;
    const dep = this.spec.tools[u]!;
    if (this.isAncestor(i, u)) return `"${dep.name}" runs after "${tool.name}" (it depends on it), so its files do not exist yet`;
    return `"${dep.name}" is not an ancestor of "${tool.name}": add it to rely`;
  }
}

/**
 * Every name tool `toolIndex` may use, with why (see `ReferenceIndex.bound`). Indexes the whole
 * workflow on each call: to ask about many tools, make one `ReferenceIndex`.
 */
export function boundNames(spec: WorkflowSpec, dag: Dag, toolIndex: number): Map<string, Why> {
  return new ReferenceIndex(spec, dag).bound(toolIndex);
}

/**
 * Checks every command's references (with `dag`; without one, the graph is wrong and reported, and
 * only the name clashes are checked) and the generated-name clashes.
 * @param reported fields already reported (see `ReferenceIndex`).
 * @returns issues at each reference's `$` (line and column inside the command when the command's
 *   text in the file can be matched to its value; at the command otherwise), path
 *   `tools[i].cmds[j]`; clashes at the later name (a tool's `name`, or the output's key).
 */
export function checkReferences(source: YamlSource, spec: WorkflowSpec, dag: Dag | undefined, reported: (path: DataPath) => boolean = () => false): SpecIssue[] {
  const issues = nameClashes(source, spec.tools, reported);
  if (!dag) return issues;
  const index = new ReferenceIndex(spec, dag, reported);
  const locator = new ReferenceLocator(source);
  spec.tools.forEach((tool, i) => {
    tool.cmds.forEach((cmd, j) => {
      const path: DataPath = ['tools', i, 'cmds', j];
      if (!cmd.includes('$') || reported(path)) return;
      const refs = scanReferences(cmd);
      const problems = refs.map((ref) => ({ ref, why: index.resolve(i, ref.name) })).filter((r): r is { ref: Reference; why: Unbound } => r.why !== undefined && 'problem' in r.why);
      if (problems.length === 0) return;
      const positions = locator.positions(path, refs);
      for (const { ref, why } of problems) {
        const issue = source.issue(path, why.problem);
        const at = positions?.[refs.indexOf(ref)];
        if (at !== undefined) Object.assign(issue, at);
        issues.push(issue);
      }
    });
  });
  return issues;
}

/**
 * `TF_DEP_` names that two owners would both get: a (tool, output) pair and another pair or a tool
 * (two tools of one name are normalize's clash, not repeated here). Reported at the later owner.
 */
function nameClashes(source: YamlSource, tools: ToolSpec[], reported: (path: DataPath) => boolean): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const owners = new Map<string, { owner: string; tool: boolean }>();
  tools.forEach((tool, i) => {
    if (tool.name === '' || reported(['tools', i, 'name'])) return;
    const key = envKey(tool.name);
    const own = `tool "${tool.name}"`;
    const first = owners.get(`TF_DEP_${key}`);
    if (!first) owners.set(`TF_DEP_${key}`, { owner: own, tool: true });
    else if (!first.tool) issues.push(source.issue(['tools', i, 'name'], `${first.owner} and ${own} both become $TF_DEP_${key}; rename one`));
    for (const output of Object.keys(tool.namedOutputs)) {
      const name = `TF_DEP_${key}_${output}`;
      const pair = `tool "${tool.name}" output "${output}"`;
      const before = owners.get(name);
      if (!before) owners.set(name, { owner: pair, tool: false });
      else issues.push(source.issue(['tools', i, 'outputs'], `${before.owner} and ${pair} both become $${name}; rename one`, output));
    }
  });
  return issues;
}
