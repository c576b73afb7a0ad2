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
const MERGE_TYPE = (jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge;
const SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({ implicit: [MERGE_TYPE] });
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
   * @throws nothing: syntax errors, duplicate keys, oversized text and alias bombs are returned as issues.
   */
  static parse(file: string, text: string): { source?: YamlSource; issues: SpecIssue[] } {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_YAML_BYTES) {
      return { issues: [{ file, line: 0, column: 0, path: '', message: `file is ${bytes} bytes, more than the ${MAX_YAML_BYTES}-byte limit` }] };
    }
    let data: unknown;
    try {
      data = jsYaml.load(text, { schema: SCHEMA, filename: file });
    } catch (err) {
      if (err instanceof jsYaml.YAMLException) {
        const mark = err.mark as { line: number; column: number } | undefined;
        let message = `YAML syntax: ${err.reason}`;
        if (mark && err.reason === 'duplicated mapping key') {
          const key = /^\s*(?:-\s+)?["']?([^"':]+)/.exec(text.split('\n')[mark.line] ?? '')?.[1];
          if (key) message = `duplicate key "${key.trim()}": a key may appear once in a mapping`;
        }
        return { issues: [{ file, line: (mark?.line ?? -1) + 1, column: (mark?.column ?? -1) + 1, path: '', message }] };
      }
      throw err;
    }
    const expanded = countExpandedNodes(data, MAX_EXPANDED_NODES);
    if (expanded === Infinity) {
      return { issues: [{ file, line: 0, column: 0, path: '', message: 'an alias refers to a mapping or list that contains it, which would be infinite' }] };
    }
    if (expanded > MAX_EXPANDED_NODES) {
      return {
        issues: [{ file, line: 0, column: 0, path: '', message: `aliases expand to more than ${MAX_EXPANDED_NODES} nodes; refusing to read it (a "billion laughs" document?)` }],
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
