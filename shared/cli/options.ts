/**
 * Option parsers and defaults that command declarations in `main.ts` need before any command runs
 * (they show in `--help`). Like `main.ts`, this module imports nothing heavy: a command's own module
 * is loaded only when that command runs (start-up cost, issue 8 §6).
 */
import { InvalidArgumentError } from 'commander';
import type { TaskStatus } from '../scheduler/status.js';

/** commander's accumulator for a repeatable option: `--input a --input b` → `['a', 'b']`. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * commander's parser for an option given at most once (`--outdir`): a second one is refused rather
 * than silently winning, as a repeated `--input` or `--set` is. @throws InvalidArgumentError.
 */
export const once = (value: string, previous: string | undefined): string => {
  if (previous !== undefined) throw new InvalidArgumentError(`given twice (${previous}, then ${value}); give it once`);
  return value;
};

/** Turns a parser that throws Error into one that throws commander's InvalidArgumentError (same message). */
export const wrap =
  <T>(parse: (v: string) => T) =>
  (v: string): T => {
    try {
      return parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };

/** A whole number ≥ 1 (`--limit`, `--attempt`). @throws InvalidArgumentError otherwise. */
export const positiveInt = wrap((v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`"${v}" is not a whole number above 0`);
  return n;
});

/** Every task status, for `--status`. */
export const TASK_STATUSES: readonly TaskStatus[] = ['queued', 'processing', 'succeeded', 'failed', 'cancelled'];

/** How many tasks `status` lists by default. */
export const DEFAULT_LIMIT = 20;

/**
 * Parses `--status` values: one status or several separated by commas (`failed,processing`),
 * added to those of earlier `--status` flags.
 * @throws InvalidArgumentError naming the unknown status and the valid ones.
 */
export function parseStatusFilter(value: string, previous: TaskStatus[] = []): TaskStatus[] {
  const out = [...previous];
  for (const raw of value.split(',')) {
    const s = raw.trim().toLowerCase();
    if (!(TASK_STATUSES as readonly string[]).includes(s)) throw new InvalidArgumentError(`"${raw.trim()}" is not a task status; use one of ${TASK_STATUSES.join(', ')} (several separated by commas)`);
    if (!out.includes(s as TaskStatus)) out.push(s as TaskStatus);
  }
  return out;
}

/**
 * A TCP port from a flag: a whole number from 0 (any free port) to 65535.
 * @throws Error naming the value.
 */
export function portNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535 || v.trim() === '') throw new Error(`"${v}" is not a port number (0 to 65535)`);
  return n;
}
