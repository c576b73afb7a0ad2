/**
 * Where an attempt's files are, and the last lines of its stderr, for the CLI (`status`, the summary
 * of `run`, `logs`). The layout is the local executor's (`LocalExecutor.workDirOf`):
 * `<work root>/<task>/<tool>/attempt-<n>/` holding `command.sh`, `stdout.log` and `stderr.log`,
 * where the work root is the folder the task recorded when it was submitted (`tasks.work_dir`), or
 * for older rows the configured one (`--workdir`, `TOOLFLOW_WORKDIR`, `$TOOLFLOW_HOME/work`).
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskRow } from '../store/store.js';
import { maskSecretsInText } from '../runtime/log.js';

/** The two log files of an attempt, in the order `toolflow logs` prints them. */
export const LOG_FILES = ['stdout.log', 'stderr.log'] as const;
/** One of the log files. */
export type LogFile = (typeof LOG_FILES)[number];

/** Lines of stderr a failed tool's summary shows. */
export const STDERR_TAIL_LINES = 5;
/** Bytes read from the end of `stderr.log` to find them (as much as the executor's exit report keeps). */
const TAIL_BYTES = 4096;
/** Longest line shown; longer ones are cut with `…`. */
const MAX_LINE_CHARS = 200;

/**
 * The folder holding a task's work dirs: the one recorded on the task, else `fallback` (the
 * configured work dir: rows written before `tasks.work_dir` existed have none).
 */
export function workRootOf(task: Pick<TaskRow, 'work_dir'>, fallback: string): string {
  return task.work_dir ?? fallback;
}

/** An attempt's work dir: `<root>/<task>/<tool>/attempt-<n>` (the local executor's layout). */
export function attemptDir(root: string, taskId: string, tool: string, attempt: number): string {
  return join(root, taskId, tool, `attempt-${attempt}`);
}

/**
 * Makes a line of a tool's output safe and short for a terminal: escape sequences (ANSI CSI/OSC)
 * and other control characters are removed, so a tool's output cannot move the cursor or retitle
 * the terminal of the person reading the summary; trailing blanks go; at most 200 characters.
 */
export function cleanLine(line: string): string {
  const text = line
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b./g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, '')
    .replace(/\t/g, '  ')
    .trimEnd();
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS - 1)}…` : text;
}

/**
 * The last non-blank lines of an attempt's `stderr.log` (at most `lines`, from its last 4 KiB),
 * cleaned by `cleanLine`, with credentials masked (`maskSecretsInText`: URL passwords, token query
 * parameters, bearer tokens).
 * @param dir the attempt's work dir.
 * @returns the lines, oldest first (empty when stderr was empty); null when there is no
 *   `stderr.log` there (the attempt never started, the folder was removed, or it is on another
 *   machine).
 */
export async function readStderrTail(dir: string, lines = STDERR_TAIL_LINES): Promise<string[] | null> {
  let fh;
  try {
    fh = await open(join(dir, 'stderr.log'), 'r');
  } catch {
    return null;
  }
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    // A carriage return redraws the line on a terminal (progress bars): keep what it would show.
    const all = buf.toString('utf8').split('\n').map((l) => l.replace(/\r$/, '').replace(/^.*\r/s, ''));
    if (size > length) all.shift(); // the first line read is probably cut
    // A tool's stderr may quote a credential (a database URL with its password): masked as in the logs.
    return all.map((l) => maskSecretsInText(cleanLine(l))).filter((l) => l.trim() !== '').slice(-lines);
  } finally {
    await fh.close();
  }
}
