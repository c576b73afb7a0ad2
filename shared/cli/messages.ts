/**
 * Small wording helpers every command shares. This module imports nothing heavy: `main.ts` loads it
 * before knowing which command runs (start-up cost, issue 8 §6).
 */
import { formatIssue, type SpecError } from '../errors.js';
import { shownText } from '../uploads/upload-names.js';

/** `n noun` with the noun in the plural unless n is 1: `1 tool`, `0 tools`, `3 dependencies`. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Prints a SpecError's issues to stderr, one per line, after `N problems:`. Each line is shown with
 * `shownText`: a control, bidi or look-alike character that reached an issue (a path or name the
 * user gave, echoed by a message) is printed as its `\uXXXX` escape, never raw.
 */
export function printSpecError(err: SpecError): void {
  process.stderr.write(`${countOf(err.issues.length, 'problem')}:\n${err.issues.map((i) => shownText(formatIssue(i))).join('\n')}\n`);
}

/**
 * A tool name as one shell word, for a command a person may paste: as it is, or single-quoted when
 * it holds characters a shell would read (`'align[A]'`: unquoted, bash would glob it).
 */
export function shellWord(name: string): string {
  return /^[A-Za-z0-9._-]+$/.test(name) ? name : `'${name.replace(/'/g, "'\\''")}'`;
}
