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
/**
 * How the `yaml` package reads a file for positions: every scalar as its text (failsafe schema, as
 * js-yaml reads the data, so keys compare the same way), merge keys on, repeated keys kept.
 */
const DOCUMENT_OPTIONS = { schema: 'failsafe', merge: true, uniqueKeys: false } as const;

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
  private constructor(
    readonly file: string,
    readonly text: string,
    readonly data: unknown,
    /** The `yaml` Document of `text` and its line counter: read on the first `locate`, or already by `duplicateKeyIssues`. */
    private doc?: Document,
    private lines?: LineCounter,
  ) {}

  /**
   * Parses YAML text.
   * @param file path shown in messages.
   * @param options `nulls`: read plain `null`, `~` (and an empty value) as null rather than as the
   *   text `null` (params files, where null means "no value"); workflows keep every scalar as text.
   * @returns `source` (the data) unless the text cannot be read at all: a syntax error, oversized
   *   text or an alias bomb (then `issues` says why). Duplicate keys do not stop the reading: each is
   *   an issue (named, with both positions) and `source` holds the data with the LAST value of each
   *   repeated key (as JSON.parse does), so that the caller goes on checking and reports every
   *   other error too. A caller must report `issues` whether or not `source` is given.
   * @throws nothing.
   */
  static parse(file: string, text: string, options: { nulls?: boolean } = {}): { source?: YamlSource; issues: SpecIssue[] } {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_YAML_BYTES) {
      return { issues: [{ file, path: '', message: `file is ${bytes} bytes, more than the ${MAX_YAML_BYTES}-byte limit` }] };
    }
    const schema = options.nulls ? SCHEMA_WITH_NULL : SCHEMA;
    let data: unknown;
    let duplicates: SpecIssue[] = [];
    let parsed: ReturnType<typeof duplicateKeyIssues> | undefined; // with the `yaml` Document, when read for duplicates
    try {
      data = jsYaml.load(text, { schema, filename: file });
    } catch (err) {
      if (!(err instanceof jsYaml.YAMLException)) throw err;
      // js-yaml stops at the first duplicate. Only then (a valid file never pays for it) are all the
      // duplicates listed with the `yaml` Document API, and the data read again with js-yaml's `json`
      // option, under which a repeated key overrides the earlier one instead of throwing.
      if (err.reason === 'duplicated mapping key') {
        parsed = duplicateKeyIssues(file, text);
        duplicates = parsed.issues;
      }
      if (duplicates.length === 0) return { issues: [syntaxIssue(file, err)] };
      try {
        data = jsYaml.load(text, { schema, filename: file, json: true });
      } catch (again) {
        if (again instanceof jsYaml.YAMLException) return { issues: [...duplicates, syntaxIssue(file, again)] };
        throw again;
      }
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
    return { source: new YamlSource(file, text, data, parsed?.doc, parsed?.lines), issues: duplicates };
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
      this.doc = parseDocument(this.text, { lineCounter: this.lines, ...DOCUMENT_OPTIONS });
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
      // The last pair of a key: its value is the one in the data (a repeated key's last value wins).
      for (let n = node.items.length - 1; n >= 0; n--) {
        const pair = node.items[n]!;
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

/** A js-yaml error as an issue at its line and column. */
function syntaxIssue(file: string, err: jsYaml.YAMLException): SpecIssue {
  const mark = err.mark as { line: number; column: number } | undefined;
  return { file, line: (mark?.line ?? -1) + 1, column: (mark?.column ?? -1) + 1, path: '', message: `YAML syntax: ${err.reason}` };
}

/**
 * Every key written more than once in one mapping (block or flow), each repeat an issue at the
 * repeat, naming the first place and the path. Keys compare as the text written (the `yaml`
 * package's failsafe schema, as js-yaml reads the data), so `01` and `1` are different keys, as
 * are `True` and `true`; merge keys (`<<`) are not keys of their own. Runs only on a file that
 * js-yaml found a duplicate in: the `yaml` Document API is slow on big files.
 * @returns the issues in file order (empty when none is found, e.g. for a complex key js-yaml
 *   compares differently: the caller then keeps js-yaml's own message), and the Document read
 *   with its line counter (kept by the source, so that locating other errors does not read it again).
 */
function duplicateKeyIssues(file: string, text: string): { issues: SpecIssue[]; doc: Document; lines: LineCounter } {
  const { LineCounter, parseDocument, isScalar, visit } = loadYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, ...DOCUMENT_OPTIONS });
  const keyText = (k: unknown): string => (isScalar(k) ? String(k.value) : String(k));
  const issues: SpecIssue[] = [];
  visit(doc, {
    Map(_, map, ancestors) {
      const firstAt = new Map<string, number>();
      let path: DataPath | undefined;
      for (const pair of map.items) {
        const key = pair.key as Node | null;
        if (isScalar(key) && typeof key.value === 'symbol') continue; // `<<`, a merge key
        const name = keyText(key);
        const offset = key?.range?.[0] ?? 0;
        const first = firstAt.get(name);
        if (first === undefined) {
          firstAt.set(name, offset);
          continue;
        }
        path ??= pathOf([...ancestors, map], keyText);
        const here = lines.linePos(offset);
        const there = lines.linePos(first);
        issues.push({
          file,
          line: here.line,
          column: here.col,
          path: formatPath([...path, name]),
          message: `duplicate key "${name}" (first at line ${there.line}, column ${there.col}): a key may appear once in a mapping`,
        });
      }
      return undefined;
    },
  });
  return { issues, doc, lines };
}

/** The data path of the last node of `chain` (the document, then each pair, list and mapping down to it). */
function pathOf(chain: readonly unknown[], keyText: (k: unknown) => string): DataPath {
  const { isPair, isSeq } = loadYaml();
  const path: DataPath = [];
  chain.forEach((node, k) => {
    const child = chain[k + 1];
    if (isSeq(node) && child) path.push(node.items.indexOf(child));
    else if (isPair(node)) path.push(keyText(node.key));
  });
  return path;
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
