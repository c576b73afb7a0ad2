/**
 * `toolflow logs TASK TOOL [--attempt N] [--follow] [--stdout | --stderr]`: prints an attempt's
 * `stdout.log` and `stderr.log` from its work dir (`attempt-files.ts`). Both files: each under a
 * `==> path <==` header, as `tail` prints several files (GNU coreutils); one file: its bytes as
 * they are, for a pipe. `--follow` goes on printing what the files gain, as `tail -f` does, until
 * the attempt ends (its row in the store is terminal) or Ctrl-C.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { checkToolName, findToolAttempt, followAttempt, notRunMessage, sizeOf, type AttemptLogs } from '../attempts/attempt-logs.js';
import { ConfigError, NotFoundError } from '../errors.js';
import { loadConfig } from '../runtime/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { attemptDir, LOG_FILES, workRootOf, type LogFile } from './attempt-files.js';
import { shellWord } from './messages.js';

export { checkToolName, type AttemptLogs } from '../attempts/attempt-logs.js';

/** Options of `toolflow logs`. */
export interface LogsOptions {
  /** 1-based attempt; default the latest. */
  attempt?: number;
  follow?: boolean;
  /** Only `stdout.log`. */
  stdout?: boolean;
  /** Only `stderr.log`. */
  stderr?: boolean;
  /** Where the work dirs are when the task did not record its own (default: the configured work dir). */
  workdir?: string;
}

/** What `logs` needs to print and follow, and the streams it writes to (tests give their own). */
export interface LogsIo {
  out: NodeJS.WritableStream;
  /** Status notes (the attempt ended, how to follow a rerun). */
  note: (line: string) => void;
  /** Milliseconds between two looks at the files and the store while following. */
  pollMs?: number;
  /** Aborts a follow (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Finds the attempt `logs` prints (`attempts/attempt-logs.ts`).
 * @param workRoot the work dirs' folder for tasks that did not record theirs.
 * @throws ConfigError for a malformed tool name; NotFoundError for an unknown task, a tool the task
 *   does not have, or an attempt it does not have (each message says what exists).
 */
export async function findAttempt(store: Store, taskId: string, tool: string, attempt: number | undefined, workRoot: string): Promise<AttemptLogs> {
  checkToolName(tool);
  const task = await store.getTask(taskId);
  if (!task) throw new NotFoundError(`no task ${taskId}; \`toolflow status\` lists recent tasks`);
  return findToolAttempt(store, task, tool, attempt, (t, name, n) => attemptDir(workRootOf(t, workRoot), t.id, name, n));
}

/** Writes a chunk, waiting while the stream's buffer is full. @throws the stream's error (EPIPE: the reader is gone). */
async function write(out: NodeJS.WritableStream, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Prints an attempt's logs (and follows them with `follow`).
 * @returns the process exit code: 0, or 130 when a follow was stopped by `io.signal` (Ctrl-C).
 * @throws as `findAttempt`; NotFoundError when the attempt has not run (and no follow), or when
 *   its files are not in its work dir (removed, or kept on the machine that ran it).
 */
export async function printLogs(store: Store, taskId: string, tool: string, opts: LogsOptions, workRoot: string, io: LogsIo): Promise<number> {
  if (opts.stdout && opts.stderr) throw new ConfigError('--stdout and --stderr each print one file; leave both out for both');
  const { run, dir } = await findAttempt(store, taskId, tool, opts.attempt, workRoot);
  const files: LogFile[] = opts.stdout ? ['stdout.log'] : opts.stderr ? ['stderr.log'] : [...LOG_FILES];
  const headers = files.length > 1;
  const paths = files.map((f) => join(dir, f));
  if (!opts.follow) {
    const sizes = await Promise.all(paths.map(sizeOf));
    if (sizes.every((s) => s === null)) {
      if (run.delivered_at === null) throw new NotFoundError(notRunMessage(tool, run, '--follow'));
      throw new NotFoundError(`no logs of tool ${tool} attempt ${run.attempt} in ${dir}: they stay on the machine that ran it (if the task ran with another --workdir, give it here too)`);
    }
    for (const [i, path] of paths.entries()) {
      if (headers) await write(io.out, `${i > 0 ? '\n' : ''}==> ${path} <==\n`);
      // What the file held when looked at (a running tool's log may grow meanwhile).
      if (sizes[i]) await pipeline(createReadStream(path, { start: 0, end: sizes[i]! - 1 }), io.out, { end: false });
    }
    return 0;
  }
  // Each file's bytes under a `==> path <==` header when both are printed, written when the file
  // first has something to show (the first file's as soon as it exists, as tail does).
  let current = -1;
  const header = async (i: number) => {
    if (!headers || current === i) return;
    await write(io.out, `${current === -1 ? '' : '\n'}==> ${paths[i]} <==\n`);
    current = i;
  };
  const key = { taskId, tool, attempt: run.attempt };
  const end = await followAttempt(
    store,
    key,
    paths,
    {
      onFile: (i) => (i === 0 && current === -1 ? header(0) : undefined),
      onData: async (i, chunk) => {
        await header(i);
        await write(io.out, chunk);
      },
      onTruncated: (i) => io.note(`${paths[i]}: file truncated`),
      onWaiting: (r) => io.note(`tool ${tool} attempt ${r.attempt} has not started yet (${r.status}); waiting for it`),
    },
    { pollMs: io.pollMs, signal: io.signal },
  );
  if (!end.ended) return 130;
  const status = end.run?.status ?? 'gone';
  io.note(`tool ${tool} attempt ${key.attempt} ${status}${end.run?.message ? `: ${end.run.message}` : ''}`);
  if (status === 'failed') io.note(`a rerun, if any, is attempt ${key.attempt + 1}: toolflow logs ${taskId} ${shellWord(tool)} --attempt ${key.attempt + 1} --follow`);
  return 0;
}

/**
 * Runs `toolflow logs` on the configured store, stdout and stderr; Ctrl-C (or SIGTERM, SIGHUP) ends
 * a follow with exit code 130. @returns the process exit code.
 */
export async function logsCommand(taskId: string, tool: string, opts: LogsOptions): Promise<number> {
  checkToolName(tool);
  const config = loadConfig(process.env, opts.workdir ? { workDir: opts.workdir } : {});
  const store = await openStore(config.databasePath);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    return await printLogs(store, taskId, tool, opts, config.workDir, { out: process.stdout, note: (l) => process.stderr.write(`toolflow: ${l}\n`), signal: stop.signal });
  } catch (err) {
    // `toolflow logs … | head`: the reader has gone, which ends the printing and is no error.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await store.close();
  }
}
