/**
 * Small wording helpers every command shares. This module imports nothing heavy: `main.ts` loads it
 * before knowing which command runs (start-up cost, issue 8 §6).
 */
import type { SpecError } from '../errors.js';

/** `n noun` with the noun in the plural unless n is 1: `1 tool`, `0 tools`, `3 dependencies`. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Prints a SpecError's issues to stderr, one per line, after `N problems:`. */
export function printSpecError(err: SpecError): void {
  process.stderr.write(`${countOf(err.issues.length, 'problem')}:\n${err.message}\n`);
}

/**
 * A tool name as one shell word, for a command a person may paste: as it is, or single-quoted when
 * it holds characters a shell would read (`'align[A]'`: unquoted, bash would glob it).
 */
export function shellWord(name: string): string {
  return /^[A-Za-z0-9._-]+$/.test(name) ? name : `'${name.replace(/'/g, "'\\''")}'`;
}
