/**
 * Reading a YAML file into plain data, fast, with a slow-path locator for error positions.
 *
 * Data is read with js-yaml's failsafe schema (plus merge keys `<<`): every scalar stays the exact
 * text the user wrote, so YAML 1.1 surprises (`no`, `on`, `0755`, `1e3`, `1.10`) never change a value
 * behind the user's back; types are applied later, field by field, from the JSON Schema and the
 * option types. js-yaml reads a 10 MB file in under a second where `yaml`'s Document API needs ~14 s,
 * so the `yaml` package is only used, lazily, to find the line and column of a field that has an error.
 */
import { createRequire } from 'node:module';
import jsYaml from 'js-yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { SpecIssue } from '../errors.js';

/** Largest workflow or params file accepted, bytes (a 100,000-tool workflow is about 10 MB). */
export const MAX_YAML_BYTES = 64 * 1024 * 1024;
/** Most nodes the data may expand to once aliases are followed (guards against "billion laughs"). */
export const MAX_EXPANDED_NODES = 5_000_000;

// js-yaml exports its built-in types at run time; @types/js-yaml does not declare them.
const TYPES = (jsYaml as unknown as { types: { merge: jsYaml.Type; null: jsYaml.Type } }).types;
const SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({ implicit: [TYPES.merge] });
/** The same, plus YAML's plain `null`, `Null`, `NULL` and `~` as null (for params files, where null means "no value"). */
const SCHEMA_WITH_NULL = jsYaml.FAILSAFE_SCHEMA.extend({ implicit: [TYPES.merge, TYPES.null] });
/** `yaml` is loaded on the first error only: a valid file never needs positions. */
let yamlModule: typeof import('yaml') | undefined;
const loadYaml = () => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/** A path into the data: keys and list indexes. */
export type DataPath = (string | number)[];

/** Formats a path as `tools[2].options[0].name`. */
export function formatPath(path: DataPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

/** A parsed YAML file: its data, and a way to locate a path in it for error messages. */
export class YamlSource {
  private doc: Document | undefined;
  private lines: LineCounter | undefined;

  private constructor(
    readonly file: string,
    readonly text: string,
    readonly data: unknown,
  ) {}

  /**
   * Parses YAML text.
   * @param file path shown in messages.
   * @param options `nulls`: read plain `null`, `~` (and an empty value) as null rather than as the
   *   text `null` (params files, where null means "no value"); workflows keep every scalar as text.
   * @throws nothing: syntax errors, duplicate keys (named, with both positions), oversized text and
   *   alias bombs are returned as issues.
   */
  static parse(file: string, text: string, options: { nulls?: boolean } = {}): { source?: YamlSource; issues: SpecIssue[] } {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_YAML_BYTES) {
      return { issues: [{ file, path: '', message: `file is ${bytes} bytes, more than the ${MAX_YAML_BYTES}-byte limit` }] };
    }
    let data: unknown;
    try {
      data = jsYaml.load(text, { schema: options.nulls ? SCHEMA_WITH_NULL : SCHEMA, filename: file });
    } catch (err) {
      if (err instanceof jsYaml.YAMLException) {
        const mark = err.mark as { line: number; column: number; position: number } | undefined;
        if (mark && err.reason === 'duplicated mapping key') {
          const duplicate = findDuplicateKey(text, mark.position);
          if (duplicate) return { issues: [duplicate.issue(file)] };
        }
        return { issues: [{ file, line: (mark?.line ?? -1) + 1, column: (mark?.column ?? -1) + 1, path: '', message: `YAML syntax: ${err.reason}` }] };
      }
      throw err;
    }
    const expanded = countExpandedNodes(data, MAX_EXPANDED_NODES);
    if (expanded === Infinity) {
      return { issues: [{ file, path: '', message: 'an alias refers to a mapping or list that contains it, which would be infinite' }] };
    }
    if (expanded > MAX_EXPANDED_NODES) {
      return {
        issues: [{ file, path: '', message: `aliases expand to more than ${MAX_EXPANDED_NODES} nodes; refusing to read it (a "billion laughs" document?)` }],
      };
    }
    return { source: new YamlSource(file, text, data), issues: [] };
  }

  /**
   * Builds an issue for a path. With `key`, points at that key of the mapping at `path` (for unknown fields);
   * a path that does not exist points at its nearest existing parent.
   */
  issue(path: DataPath, message: string, key?: string): SpecIssue {
    const { line, column } = this.locate(path, key);
    return { file: this.file, line, column, path: formatPath(key === undefined ? path : [...path, key]), message };
  }

  /** 1-based line and column of a path (see `issue`). */
  locate(path: DataPath, key?: string): { line: number; column: number } {
    if (!this.doc) {
      const { LineCounter, parseDocument } = loadYaml();
      this.lines = new LineCounter();
      this.doc = parseDocument(this.text, { lineCounter: this.lines, uniqueKeys: false, merge: true });
    }
    let node: Node | null | undefined = this.doc.contents as Node | null;
    let offset = node?.range?.[0] ?? 0;
    for (const part of path) {
      const next = this.child(node, part);
      if (!next) break;
      node = next.value;
      offset = next.offset;
    }
    if (key !== undefined) {
      const pair = this.child(node, key);
      if (pair) offset = pair.keyOffset;
    }
    const pos = this.lines!.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  private child(node: Node | null | undefined, part: string | number): { value: Node | null; offset: number; keyOffset: number } | undefined {
    const { isMap, isSeq } = loadYaml();
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = pair.key as { value?: unknown; range?: [number, number, number] } | null;
        if (k && String(k.value) === String(part)) {
          const value = pair.value as Node | null;
          const keyOffset = k.range?.[0] ?? 0;
          return { value, offset: value?.range?.[0] ?? keyOffset, keyOffset };
        }
      }
    } else if (isSeq(node) && typeof part === 'number') {
      const value = node.items[part] as Node | null | undefined;
      if (value) return { value, offset: value.range?.[0] ?? 0, keyOffset: value.range?.[0] ?? 0 };
    }
    return undefined;
  }
}

/**
 * Finds the key that js-yaml called duplicated: the mapping key that starts at `offset` (js-yaml's mark
 * points there, in block and flow mappings alike), the earlier key of the same mapping, and the path.
 * Only runs on that error, so the slow `yaml` Document API costs nothing on a valid file.
 * @returns a way to build the issue, or undefined when no key starts there (then the caller keeps
 *   js-yaml's own message).
 */
function findDuplicateKey(text: string, offset: number): { issue: (file: string) => SpecIssue } | undefined {
  const { LineCounter, parseDocument, isPair, isScalar, isSeq, visit } = loadYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, merge: true });
  const keyText = (k: unknown): string => (isScalar(k) ? String(k.value) : String(k));
  let found: { key: string; first: number; path: DataPath } | undefined;
  visit(doc, {
    Map(_, map, ancestors) {
      const at = map.items.findIndex((p) => (p.key as Node | null)?.range?.[0] === offset);
      if (at < 0) return undefined;
      const key = keyText(map.items[at]!.key);
      const first = map.items.slice(0, at).find((p) => keyText(p.key) === key);
      const path: DataPath = [];
      const chain = [...ancestors, map];
      chain.forEach((node, k) => {
        const child = chain[k + 1];
        if (isSeq(node) && child) path.push(node.items.indexOf(child));
        else if (isPair(node)) path.push(keyText(node.key));
      });
      found = { key, first: (first?.key as Node | null)?.range?.[0] ?? offset, path };
      return visit.BREAK;
    },
  });
  if (!found) return undefined;
  const { key, first, path } = found;
  const here = lines.linePos(offset);
  const there = lines.linePos(first);
  return {
    issue: (file) => ({
      file,
      line: here.line,
      column: here.col,
      path: formatPath([...path, key]),
      message: `duplicate key "${key}" (first at line ${there.line}, column ${there.col}): a key may appear once in a mapping`,
    }),
  };
}

/**
 * Counts the nodes of `data` as if every alias were copied, stopping once `limit` is passed.
 * Iterative, with a memo per shared object, so it is linear in the distinct nodes.
 */
function countExpandedNodes(data: unknown, limit: number): number {
  if (data === null || typeof data !== 'object') return 1;
  const sizes = new Map<object, number>();
  const onPath = new Set<object>();
  const stack: { node: object; children: unknown[]; next: number; size: number }[] = [];
  const enter = (node: object) => {
    onPath.add(node);
    stack.push({ node, children: Array.isArray(node) ? node : Object.values(node), next: 0, size: 1 });
  };
  enter(data);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      if (child === null || typeof child !== 'object') top.size += 1;
      else if (sizes.has(child)) top.size += sizes.get(child)!;
      else if (onPath.has(child)) return Infinity; // an alias to its own ancestor: infinite once expanded
      else enter(child);
      if (top.size > limit) return top.size;
      continue;
    }
    stack.pop();
    onPath.delete(top.node);
    sizes.set(top.node, top.size);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.size += top.size;
      if (parent.size > limit) return parent.size;
    }
  }
  return sizes.get(data)!;
}
