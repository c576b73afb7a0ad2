/**
 * The planner's bindings (part of expand.ts): what each instance of a tool gets from its item and
 * its dependencies, as `Binding`s, and the checks on them. Rules (design10.md, "Chaining and
 * gathering", "What a tool sees"):
 * - TF_ITEM_<column> (sheet) or TF_ITEM (list) from the instance's item, a file cell as the stored
 *   input that holds it;
 * - for each dependency U of tool T: U scattered over T's input → T[k] relies on U[k] (`chain`); U
 *   not scattered → every instance of T relies on U (`single`); otherwise each instance of T relies on
 *   all of U's instances, in item order (`gather`, which binds no TF_DEP_<U> dir);
 * - TF_DEP_<U> (the attempt dir) for a direct dependency not gathered, TF_DEP_<U>_<output> for every
 *   named output of a direct dependency and for each ancestor's named output the commands reference
 *   (staged files, linked into the attempt's folder at their base names);
 * - the workflow-level inputs a tool gets (`ToolSpec.inputs`): every file input, and a sample sheet
 *   only to a tool whose commands read `$TF_INPUT_<input>`.
 * Checked: two bindings with one variable name, two staged files with one base name (or one named
 * as the tool's own output), a variable or a whole environment too large for Linux to exec.
 */
import { keyColumn } from './sample-sheet.js';
import { MAX_ARG_STRLEN } from './option-values.js';
import { scanReferences } from './reference-positions.js';
import { envKey, MAX_TOOL_ENV_BYTES, PATH_VALUE_BYTES } from './tool-env.js';
import type { Binding, InputSpec, SheetItem, ToolSpec } from './types.js';
import type { DataPath } from './yaml-source.js';

/** Where the planner reports a problem: the data path in the workflow file, and the message. */
export type IssueAt = (path: DataPath, message: string) => void;

/** One tool of the workflow as the planner sees it. */
export interface Template {
  tool: ToolSpec;
  index: number;
  /** The input it is scattered over (null: not scattered). */
  input: InputSpec | null;
  /** Its items; `[null]` when not scattered. */
  items: (SheetItem | null)[];
  /** Its instance names, in item order. */
  names: string[];
  /** Resolved named outputs of each instance (name → path), in item order. */
  named: Record<string, string>[];
  /** Resolved `outputs` of each instance. */
  outputs: string[][];
  /** Variable names, made once: `TF_DEP_<tool>`, then `TF_DEP_<tool>_<output>` and `TF_OUT_<output>` by output name. */
  depEnv: string;
  depOutputEnv: Record<string, string>;
  outEnv: [output: string, env: string][];
  /** The item's bindings to make: variable, field, whether it is a file. */
  itemEnv: { env: string; field: string; isFile: boolean }[];
}

/** How a tool's instances relate to a dependency's: one to one, all to its one instance, or each to all of them. */
export type Mode = 'chain' | 'single' | 'gather';

/** What one dependency gives an instance: rely entries (instance names) and bindings. */
export interface DependencyPart {
  rely: string[];
  bindings: Binding[];
}

/** How T's instances relate to U's (the chaining and gathering rules). */
export function modeOf(t: ToolSpec, u: ToolSpec): Mode {
  if (!u.scatter) return 'single';
  return t.scatter === u.scatter ? 'chain' : 'gather';
}

/** The last segment of a relative path (a staged file's name in the attempt's folder). */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Sizes already counted, for the lists that the instances of one tool share (a gather's). */
const joinedSizes = new WeakMap<object, number>();

/** What a list of staged files takes as one variable's value: their base names joined by single spaces, bytes. */
function joinedBytes(files: { path: string }[]): number {
  const known = joinedSizes.get(files);
  if (known !== undefined) return known;
  let n = Math.max(0, files.length - 1);
  for (const f of files) n += Buffer.byteLength(baseName(f.path));
  joinedSizes.set(files, n);
  return n;
}

/**
 * The workflow-level inputs tool `t` gets (`ToolSpec.inputs`), in the workflow's order: every file
 * input, and a samples input only when `t`'s commands reference `$TF_INPUT_<input>` (the sheet file:
 * a tool scattered over it reads its row as TF_ITEM_* bindings, not the sheet). A list input is never
 * one: its items reach tools as TF_ITEM bindings (and a file list's files as stored item inputs).
 * Without the sheet, an instance's inputs, and so its cache key, stay the same when a row is added.
 */
export function workflowInputs(t: Pick<ToolSpec, 'cmds'>, inputs: InputSpec[]): string[] {
  let read: Set<string> | undefined;
  const out: string[] = [];
  for (const input of inputs) {
    if (input.type === 'file') out.push(input.name);
    else if (input.type === 'samples') {
      read ??= new Set(t.cmds.flatMap((cmd) => (cmd.includes('TF_INPUT_') ? scanReferences(cmd).map((r) => r.name) : [])));
      if (read.has(`TF_INPUT_${envKey(input.name)}`)) out.push(input.name);
    }
  }
  return out;
}

/** TF_ITEM_<column> (sheet) or TF_ITEM (list) of one item: a file as the stored input holding it, else the text. */
export function itemBindings(tp: Template, item: SheetItem | null): Binding[] {
  const out: Binding[] = [];
  if (!item) return out;
  for (const { env, field, isFile } of tp.itemEnv) {
    const stored = isFile ? item.files[field] : undefined;
    out.push(stored !== undefined ? { env, input: stored } : { env, value: isFile ? '' : (item.fields[field] ?? '') });
  }
  return out;
}

/**
 * What one dependency U gives an instance k of T: its rely entries and bindings.
 * @param outputsOnly null for a direct dependency (rely entries, TF_DEP_<U> unless gathered, every
 *   named output); else the referenced ancestor's output names (bindings of those only, no rely: the
 *   ancestor runs before T through T's dependencies).
 */
export function dependencyPart(u: Template, k: number, outputsOnly: string[] | null, mode: Mode): DependencyPart {
  const which = mode === 'chain' ? [k] : mode === 'single' ? [0] : u.names.map((_, n) => n);
  const rely = outputsOnly ? [] : which.map((n) => u.names[n]!);
  const bindings: Binding[] = [];
  if (!outputsOnly && mode !== 'gather') bindings.push({ env: u.depEnv, dir: u.names[which[0]!]! });
  for (const o of outputsOnly ?? Object.keys(u.tool.namedOutputs)) {
    bindings.push({ env: u.depOutputEnv[o]!, outputs: which.map((n) => ({ tool: u.names[n]!, path: u.named[n]![o]! })) });
  }
  return { rely, bindings };
}

/**
 * The ancestors (not direct dependencies) whose named outputs T's commands reference as
 * `$TF_DEP_<tool>_<output>`, with those output names. A reference to a tool that is not an
 * ancestor is not bound here (the workflow's reference check reports it).
 * @returns tool index → output names, in first-referenced order.
 */
export function referencedAncestors(t: ToolSpec, self: number, direct: number[], outputVar: Map<string, { tool: number; output: string }>, templates: Template[], byName: Map<string, number>): Map<number, string[]> {
  const wanted = new Map<number, string[]>();
  if (outputVar.size === 0 || !t.cmds.some((cmd) => cmd.includes('TF_DEP_'))) return wanted;
  const directSet = new Set(direct);
  for (const cmd of t.cmds) {
    for (const { name } of scanReferences(cmd)) {
      const ref = name.startsWith('TF_DEP_') ? outputVar.get(name) : undefined;
      if (!ref || ref.tool === self || directSet.has(ref.tool)) continue;
      const outs = wanted.get(ref.tool) ?? [];
      if (!outs.includes(ref.output)) outs.push(ref.output);
      wanted.set(ref.tool, outs);
    }
  }
  if (wanted.size === 0) return wanted;
  // Keep the ancestors only: one walk up from T (done only for tools that reference beyond their rely).
  const seen = new Set<number>(direct);
  const stack = [...direct];
  while (stack.length) {
    const j = stack.pop()!;
    for (const name of templates[j]!.tool.rely) {
      const p = byName.get(name);
      if (p !== undefined && !seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  for (const j of [...wanted.keys()]) if (!seen.has(j)) wanted.delete(j);
  return wanted;
}

/** Two bindings of one tool with the same variable name (`a_b`'s output `c` and `a`'s output `b_c`): once per tool. */
export function checkBindingNames(tp: Template, direct: number[], referenced: Map<number, string[]>, templates: Template[], issueAt: IssueAt): void {
  const t = tp.tool;
  // Names of tools are told apart by the loader (TF_DEP_<tool> for two tools never clash): a clash needs a named output of a dependency.
  if (referenced.size === 0 && !direct.some((j) => Object.keys(templates[j]!.tool.namedOutputs).length > 0)) return;
  const seen = new Map<string, string>();
  const add = (env: string, what: string) => {
    const first = seen.get(env);
    if (first !== undefined) issueAt(['tools', tp.index], `${first} and ${what} both become $${env}; rename one`);
    else seen.set(env, what);
  };
  if (tp.input?.type === 'list') add('TF_ITEM', `the item of ${tp.input.name}`);
  else for (const c of tp.input?.columns ?? []) add(`TF_ITEM_${envKey(c.name)}`, `column "${c.name}"`);
  for (const o of Object.keys(t.namedOutputs)) add(`TF_OUT_${envKey(o)}`, `output "${o}"`);
  for (const j of direct) {
    const u = templates[j]!.tool;
    if (modeOf(t, u) !== 'gather') add(`TF_DEP_${envKey(u.name)}`, `tool "${u.name}"`);
    for (const o of Object.keys(u.namedOutputs)) add(`TF_DEP_${envKey(u.name)}_${envKey(o)}`, `tool "${u.name}"'s output "${o}"`);
  }
  for (const [j, outs] of referenced) {
    const u = templates[j]!.tool;
    for (const o of outs) add(`TF_DEP_${envKey(u.name)}_${envKey(o)}`, `tool "${u.name}"'s output "${o}"`);
  }
}

/**
 * Staged files of one instance: two with the same base name, or one named as the instance's own
 * output (its first path segment), cannot both be in the attempt's folder. Reported once per pair
 * of (tool, output) of the workflow.
 */
export function checkStaged(
  tp: Template,
  k: number,
  bindings: Binding[],
  templates: Template[],
  outputVar: Map<string, { tool: number; output: string }>,
  reported: Set<string>,
  issueAt: IssueAt,
): void {
  if (!bindings.some((b) => 'outputs' in b)) return;
  const own = new Set(tp.outputs[k]!.map((p) => p.split('/')[0]!));
  const staged = new Map<string, Staged>();
  const inst = tp.names[k]!;
  for (const b of bindings) {
    if (!('outputs' in b)) continue;
    const ref = outputVar.get(b.env);
    for (const f of b.outputs) {
      const name = baseName(f.path);
      const here: Staged = { instance: f.tool, env: b.env, template: ref?.tool, output: ref?.output };
      if (own.has(name) && !reported.has(`${tp.index}\0own\0${b.env}`)) {
        reported.add(`${tp.index}\0own\0${b.env}`);
        issueAt(['tools', tp.index, 'outputs'], `${inst} would get ${f.tool}'s $${b.env} as "${name}" in its folder, where it writes its own output "${name}"; give one of them another name`);
      }
      const first = staged.get(name);
      if (!first) staged.set(name, here);
      else if (!reported.has(`${tp.index}\0pair\0${first.env}\0${b.env}`)) {
        reported.add(`${tp.index}\0pair\0${first.env}\0${b.env}`);
        issueAt(['tools', tp.index, 'rely'], clashMessage(inst, name, first, here, templates));
      }
    }
  }
}

/** A file staged into an attempt's folder, for messages. */
interface Staged {
  instance: string;
  env: string;
  template?: number;
  output?: string;
}

/** Two staged files with one name: say so, and when they are instances of one scattered tool's output, suggest its key in the output's name. */
function clashMessage(inst: string, name: string, a: Staged, b: Staged, templates: Template[]): string {
  const head = `${inst} would get two files named "${name}" in its folder (${a.instance}'s $${a.env} and ${b.instance}'s $${b.env})`;
  const template = a.template !== undefined ? templates[a.template] : undefined;
  const input = template?.input;
  if (a.env !== b.env || !template || !input) return `${head}; give the outputs different file names`;
  const placeholder = input.type === 'list' ? 'item' : keyColumn(input);
  const dot = name.indexOf('.');
  const suggested = `{${placeholder}}${dot >= 0 ? name.slice(dot) : ''}`;
  return `${head}: every instance of ${template.tool.name} writes the same file name; put {${placeholder}} in the output's name (${a.output}: "${suggested}") so that each instance's file has its own name`;
}

/**
 * One variable of the bindings over Linux's MAX_ARG_STRLEN, or the whole environment (the tool's
 * own part, `baseEnv`, plus the bindings) over MAX_TOOL_ENV_BYTES: the exec would fail with E2BIG.
 * Reported once per tool of the workflow.
 */
export function checkEnvSize(tp: Template, k: number, bindings: Binding[], baseEnv: number, reported: Set<string>, issueAt: IssueAt): void {
  let total = baseEnv;
  for (const b of bindings) {
    const bytes = 'value' in b ? Buffer.byteLength(b.value) : 'outputs' in b ? joinedBytes(b.outputs) : PATH_VALUE_BYTES;
    const entry = Buffer.byteLength(b.env) + 2 + bytes;
    total += entry + 8;
    if (entry > MAX_ARG_STRLEN && !reported.has(`${tp.index}\0arg\0${b.env}`)) {
      reported.add(`${tp.index}\0arg\0${b.env}`);
      const many = 'outputs' in b ? ` (${b.outputs.length} files)` : '';
      issueAt(
        ['tools', tp.index, 'cmds'],
        `${tp.names[k]}: $${b.env} would be ${bytes} bytes${many}, and Linux refuses a variable of more than ${MAX_ARG_STRLEN} bytes (MAX_ARG_STRLEN), so the tool could not start; gather fewer instances at once (for example in groups, by a list input), or shorten the file names`,
      );
    }
  }
  if (total > MAX_TOOL_ENV_BYTES && !reported.has(`${tp.index}\0env`)) {
    reported.add(`${tp.index}\0env`);
    issueAt(['tools', tp.index], `${tp.names[k]}: its environment would take about ${total} bytes, more than the ${MAX_TOOL_ENV_BYTES}-byte limit (Linux's ARG_MAX; see toolflow's environment limits): gather fewer instances, or name fewer outputs`);
  }
}
