/**
 * Where the `TF_*` references of a command are: in the command's text (`scanReferences`), and in
 * the workflow file (`ReferenceLocator`), so that an issue about one points at its `$` by line and
 * column even inside a multi-line or quoted YAML scalar.
 *
 * A reference is every `$NAME` and `${NAME` with NAME = `TF_[A-Za-z0-9_]+`, wherever it is in the
 * command (quotes do not matter: the variables are exported, so a `bash -c '…$TF_X…'` reads them too).
 */
import type { DataPath, YamlSource } from './yaml-source.js';

/** One `$TF_…` or `${TF_…` in a command: the name, and the index of its `$` in the command text. */
export interface Reference {
  name: string;
  index: number;
}

const REFERENCE = /\$\{?(TF_[A-Za-z0-9_]+)/g;

/** Every reference in a command, in order (see the module header for what counts). */
export function scanReferences(cmd: string): Reference[] {
  const out: Reference[] = [];
  for (const m of cmd.matchAll(REFERENCE)) out.push({ name: m[1]!, index: m.index });
  return out;
}

/**
 * Finds references of commands in the workflow file. The file's line starts are indexed on first
 * use and kept for every later command.
 */
export class ReferenceLocator {
  private lines: number[] | undefined;

  constructor(private readonly source: YamlSource) {}

  /**
   * 1-based line and column of each of `refs` (the command's references, from `scanReferences`) in
   * the file, or undefined when that cannot be told for sure (see `sourceOffsets`).
   * @param path the command's data path (`tools[i].cmds[j]`).
   */
  positions(path: DataPath, refs: Reference[]): { line: number; column: number }[] | undefined {
    const lines = (this.lines ??= lineStarts(this.source.text));
    return sourceOffsets(this.source, lines, path, refs)?.map((offset) => position(lines, offset));
  }
}

/** Index of the first character of each line of `text`. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) starts.push(k + 1);
  return starts;
}

/** 1-based line and column of an index of the text (as the `yaml` package's LineCounter counts them). */
function position(lines: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lines[lo]! + 1 };
}

/**
 * Where each reference of a command is in the file, or undefined when that cannot be told for sure.
 * A reference's text is the same in the file as in the value in every scalar style (a name holds no
 * blank, so folding does not touch it, and no YAML escape makes a letter): from the scalar's first
 * character (after a block scalar's header line, which may hold a comment), the file's references
 * are the value's, in order. Double- and single-quoted scalars are read to their closing quote and
 * must hold exactly the value's references (an escape such as `\x24` could add one); an alias, or a
 * path the locator could not follow to the scalar, gives undefined.
 */
function sourceOffsets(source: YamlSource, lines: number[], path: DataPath, refs: Reference[]): number[] | undefined {
  const text = source.text;
  const at = source.locate(path);
  const start = (lines[at.line - 1] ?? 0) + at.column - 1;
  const first = text[start];
  let from = start;
  let end = text.length;
  const quoted = first === '"' || first === "'";
  if (quoted) end = closingQuote(text, start);
  else if (first === '|' || first === '>') {
    const eol = text.indexOf('\n', start);
    from = eol < 0 ? text.length : eol;
  } else {
    const cmd = valueAt(source.data, path);
    const head = typeof cmd === 'string' ? cmd.trimStart().split(/\s/)[0]! : '';
    if (head === '' || !text.startsWith(head, start)) return undefined;
  }
  const found: number[] = [];
  const re = new RegExp(REFERENCE.source, 'g');
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
    if (found.length === refs.length) {
      if (quoted) return undefined; // more references in the file than in the value
      break;
    }
    if (m[1] !== refs[found.length]!.name) return undefined;
    found.push(m.index);
  }
  return found.length === refs.length ? found : undefined;
}

/** Index just after the quote closing the quoted scalar that starts at `start`. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let k = start + 1; k < text.length; k++) {
    if (quote === '"' && text[k] === '\\') k++;
    else if (text[k] === quote) {
      if (quote === "'" && text[k + 1] === "'") k++;
      else return k + 1;
    }
  }
  return text.length;
}

function valueAt(data: unknown, path: DataPath): unknown {
  let v = data;
  for (const part of path) v = (v as Record<string | number, unknown> | undefined)?.[part];
  return v;
}
