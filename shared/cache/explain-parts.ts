/**
 * Which parts of a cache key changed between two attempts, in words a person understands
 * (`toolflow explain`): "the command changed (line 2)", "option min_quality changed: 20 → 30",
 * "input reads changed", "the outputs of dependency align[A] changed". Pure.
 */
import { PART_NAMES, type CacheParts, type PartName, type ShownValue } from './cache-key.js';

/** How a kept value reads: JSON for option values (`20`, `"fast"`, `true`), "a long value" when only its hash was kept. */
function show(v: ShownValue | undefined): string {
  if (v === undefined) return '(not set)';
  return typeof v === 'object' ? '(a long value)' : JSON.stringify(v);
}

function same(a: ShownValue | undefined, b: ShownValue | undefined): boolean {
  if (typeof a === 'object' && typeof b === 'object') return a.sha256 === b.sha256;
  return a === b;
}

/**
 * The changes between two records of one map (options, inputs, env, items, deps), in name order:
 * `what NAME was added`, `… was removed`, `… changed` (or what `changed` says: how it changed).
 */
function mapChanges<V>(now: Record<string, V>, before: Record<string, V>, what: string, eq: (a: V, b: V) => boolean, changed: (name: string, a: V, b: V) => string = (n) => `${what} ${n} changed`): string[] {
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(now), ...Object.keys(before)])].sort()) {
    const a = now[name];
    const b = before[name];
    if (b === undefined) out.push(`${what} ${name} was added`);
    else if (a === undefined) out.push(`${what} ${name} was removed`);
    else if (!eq(a, b)) out.push(changed(name, a, b));
  }
  return out;
}

const eqString = (a: string, b: string) => a === b;

/** What changed in one part, from the detail; a generic sentence when the detail shows no difference (another cause). */
function partChanges(part: PartName, now: CacheParts, before: CacheParts): string[] {
  const a = now.detail;
  const b = before.detail;
  switch (part) {
    case 'command': {
      if (a.name !== b.name) return [`the tool's name changed: ${b.name} → ${a.name}`];
      if (a.cmds.length !== b.cmds.length) return [`the command changed (${a.cmds.length} line${a.cmds.length === 1 ? '' : 's'}, was ${b.cmds.length})`];
      const lines = a.cmds.map((h, i) => (h === b.cmds[i] ? 0 : i + 1)).filter((n) => n > 0);
      return [`the command changed${lines.length ? ` (line${lines.length > 1 ? 's' : ''} ${lines.join(', ')})` : ''}`];
    }
    case 'outputs': {
      const added = a.outputs.filter((o) => !b.outputs.includes(o));
      const removed = b.outputs.filter((o) => !a.outputs.includes(o));
      const said = [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''].filter(Boolean).join('; ');
      return [`the declared outputs changed${said ? `: ${said}` : ''}`];
    }
    case 'env': {
      const out = mapChanges(a.env, b.env, 'environment variable', eqString);
      const added = a.passEnv.filter((n) => !b.passEnv.includes(n));
      const removed = b.passEnv.filter((n) => !a.passEnv.includes(n));
      if (added.length) out.push(`passed-through variable${added.length > 1 ? 's' : ''} ${added.join(', ')} added`);
      if (removed.length) out.push(`passed-through variable${removed.length > 1 ? 's' : ''} ${removed.join(', ')} removed`);
      return out.length ? out : ['the environment changed'];
    }
    case 'values': {
      const out = mapChanges(a.values, b.values, 'option', same, (n, x, y) => `option ${n} changed: ${show(y)} → ${show(x)}`);
      return out.length ? out : ['the option values changed'];
    }
    case 'image':
      return [`the image changed: ${b.image ?? '(none)'} → ${a.image ?? '(none)'}`];
    case 'inputs': {
      const out = mapChanges(a.inputs, b.inputs, 'input', eqString);
      return out.length ? out : ['the inputs changed'];
    }
    case 'items': {
      const out = mapChanges(a.items, b.items, 'variable', same, (n, x, y) =>
        typeof x === 'object' || typeof y === 'object' ? `${n} changed` : `${n} changed: ${show(y)} → ${show(x)}`,
      );
      return out.length ? out : ['the item variables changed'];
    }
    case 'deps': {
      const out = mapChanges(a.deps, b.deps, 'dependency', eqString, (n) => `the outputs of dependency ${n} changed`);
      return out.length ? out : ["the dependencies' outputs changed"];
    }
  }
}

/**
 * The changes from `previous` to `now`, part by part in `PART_NAMES` order (command first, deps
 * last), each part's changes in name order. Empty when every part's hash is the same (the keys are
 * equal).
 */
export function explainParts(now: CacheParts, previous: CacheParts): string[] {
  return PART_NAMES.filter((p) => now[p] !== previous[p]).flatMap((p) => partChanges(p, now, previous));
}
