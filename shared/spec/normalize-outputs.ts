/**
 * A tool's `outputs` and `publish`, normalized (part of normalize.ts's pass): the list form (paths)
 * and the mapping form (named outputs), every path kept inside the tool's work dir and declared
 * once, the `{column}` / `{item}` placeholders of a scattered tool's named outputs checked against
 * the input it is scattered over, and `publish` read as output names.
 */
import { posix } from 'node:path';
import { closest } from './graph.js';
import { isObj, problem, type Ctx, type Obj, type Scatter } from './normalize-context.js';
import type { DataPath } from './yaml-source.js';

/** `{name}` in a named output's path. */
const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * `outputs`: the list form (paths, unnamed) or the mapping form (name → path). Every path stays in
 * the work dir (`checkRelativePath`, with each placeholder read as a plain name), and no path is
 * declared twice (compared after `posix.normalize`: `./a` is `a`). `{placeholder}`s are for named
 * outputs of scattered tools, each naming a column of the scattered samples input that is not a file
 * column (`{item}` for a list); a `{` or `}` outside a placeholder is refused in a named output and
 * in any output of a scattered tool (the list form of other tools keeps braces as written).
 * @returns `outputs`: every declared path, as written (placeholders kept); `namedOutputs`: the
 *   mapping form's entries (`{}` for the list form).
 */
export function normalizeOutputs(ctx: Ctx, raw: unknown, base: DataPath, scatter: Scatter): { outputs: string[]; namedOutputs: Record<string, string> } {
  const entries: [where: string | number, path: string][] = Array.isArray(raw)
    ? raw.map((o: unknown, k): [number, string] => [k, typeof o === 'string' ? o : String(o)])
    : isObj(raw)
      ? Object.entries(raw).map(([name, o]): [string, string] => [name, typeof o === 'string' ? o : String(o)])
      : [];
  const named = isObj(raw);
  const seen = new Map<string, string | number>();
  const label = (where: string | number) => (typeof where === 'number' ? `outputs[${where}]` : `outputs.${where}`);
  for (const [where, path] of entries) {
    const at: DataPath = [...base, where];
    if (ctx.reported(at) || path === '') continue;
    const why = named || scatter.name !== null ? placeholderProblem(path, named, scatter) : undefined;
    if (why) {
      problem(ctx, at, why);
      continue;
    }
    try {
      checkRelativePath(path.replace(PLACEHOLDER, 'x'));
    } catch {
      problem(ctx, at, `"${path}" must be a path inside the tool's work dir (relative, without "..")`);
      continue;
    }
    const same = posix.normalize(path);
    const first = seen.get(same);
    if (first !== undefined) problem(ctx, at, `"${path}" is the path of ${label(first)} too; each output is its own file`);
    else seen.set(same, where);
  }
  return {
    outputs: entries.map(([, path]) => path),
    namedOutputs: named ? Object.fromEntries(entries as [string, string][]) : {},
  };
}

/** Why an output path's braces are wrong (see `normalizeOutputs`), or undefined. */
function placeholderProblem(path: string, named: boolean, scatter: Scatter): string | undefined {
  const names = [...path.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (/[{}]/.test(path.replace(PLACEHOLDER, ''))) return `"${path}" has a "{" or "}" that is not part of a {placeholder}`;
  if (names.length === 0) return undefined;
  if (!named) return `"${path}": {placeholders} are for named outputs (write outputs: {NAME: "${path}"})`;
  if (scatter.name === null) {
    return `"${path}": {${names[0]}} is filled from the item of a scattered tool, and this tool has no scatter: add scatter: <a samples or list input>, or write the path without braces`;
  }
  const input = scatter.input;
  if (!input) return undefined; // scatter itself is wrong, and reported
  for (const name of names) {
    if (input.type === 'list') {
      if (name !== 'item') return `"${path}": {${name}} is not known: a tool scattered over the list "${input.name}" fills in {item}`;
      continue;
    }
    const columns = input.columns ?? [];
    const column = columns.find((c) => c.name === name);
    if (!column) {
      const hint = closest(name, columns.map((c) => c.name));
      return `"${path}": {${name}} is not a column of "${input.name}"${hint ? ` (did you mean {${hint}}?)` : ''}; its columns: ${columns.map((c) => c.name).join(', ')}`;
    }
    if (column.type === 'file') {
      return `"${path}": {${name}} is a file column of "${input.name}", whose cells are paths, which cannot be part of an output name; use {${input.key ?? columns[0]!.name}} (the key column)`;
    }
  }
  return undefined;
}

/**
 * `publish`: which outputs `--outdir` publishes. Entries are output **names**: the mapping form's
 * names, or, for a tool with the list form (outputs without names), the paths as written
 * (`publish: [stats.tsv]`). `true` is every declared output (all the names, or all the paths),
 * `false` none (`[]`: declared, so this tool publishes nothing). Unknown names are refused (with
 * the tool's outputs), and so is `true` on a tool that declares no outputs; repeats are dropped.
 * @returns the names, or null when `publish` is absent.
 */
export function normalizePublish(ctx: Ctx, t: Obj, base: DataPath, declared: { outputs: string[]; namedOutputs: Record<string, string> }): string[] | null {
  const at: DataPath = [...base, 'publish'];
  if (t.publish === undefined || ctx.reported(at)) return null;
  const named = isObj(t.outputs);
  const names = named ? Object.keys(declared.namedOutputs) : declared.outputs;
  const outputsKnown = !ctx.reported([...base, 'outputs']);
  if (t.publish === false) return [];
  if (t.publish === true) {
    if (names.length === 0 && outputsKnown) problem(ctx, at, 'publish: true, but the tool declares no outputs: declare them (outputs: {NAME: PATH}), or remove publish');
    return [...names];
  }
  if (!Array.isArray(t.publish)) return null;
  const out: string[] = [];
  t.publish.forEach((item: unknown, k) => {
    const name = String(item);
    if (!names.includes(name) && outputsKnown && !ctx.reported([...at, k])) {
      const hint = closest(name, names);
      const which = named ? `its named outputs: ${names.join(', ')}` : `its outputs (the list form, named by their paths): ${names.join(', ')}`;
      problem(ctx, [...at, k], names.length === 0 ? `"${name}": the tool declares no outputs to publish` : `"${name}" is not an output of the tool${hint ? ` (did you mean "${hint}"?)` : ''}; ${which}`);
    } else if (!out.includes(name)) out.push(name);
  });
  return out;
}

/**
 * Checks that a declared output stays inside the tool's work dir.
 * @throws Error for absolute paths, paths with `..` segments and paths with a NUL.
 */
export function checkRelativePath(path: string): string {
  if (path.startsWith('/') || path.split('/').some((seg) => seg === '..') || path.includes('\0')) {
    throw new Error(`"${path}" must be a path inside the tool's work dir (relative, without "..")`);
  }
  return path;
}
