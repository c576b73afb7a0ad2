/**
 * `toolflow logs TASK TOOL [--attempt N] [--follow] [--stdout | --stderr]`: prints an attempt's
 * `stdout.log` and `stderr.log` from its work dir (`attempt-files.ts`). Both files: each under a
 * `==> path <==` header, as `tail` prints several files (GNU coreutils); one file: its bytes as
 * they are, for a pipe. `--follow` goes on printing what the files gain, as `tail -f` does, until
 * the attempt ends (its row in the store is terminal) or Ctrl-C.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import schema from '../../schema/workflow.schema.json' with { type: 'json' };
import { ConfigError, NotFoundError } from '../errors.js';
import { loadConfig } from '../runtime/config.js';
import { isTerminal } from '../scheduler/status.js';
import type { WorkflowSpec } from '../spec/types.js';
import { openStore } from '../store/open-store.js';
import type { Store, TaskRow, ToolRunRow } from '../store/store.js';
import { attemptDir, LOG_FILES, workRootOf, type LogFile } from './attempt-files.js';

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

/** A tool name as the workflow schema defines it (`definitions.identifier`), so no name reaches a path that is not one. */
const TOOL_NAME = new RegExp(schema.definitions.identifier.pattern);

/**
 * Checks a tool name given on the command line.
 * @throws ConfigError saying what a tool name is.
 */
export function checkToolName(tool: string): string {
  if (!TOOL_NAME.test(tool)) {
    throw new ConfigError(`${JSON.stringify(tool)} is not a tool name: a tool name starts with a letter and has only letters, digits, "_" and "-" (at most 63)`);
  }
  return tool;
}

/** Which attempt's files to print: the task, the attempt's row, its work dir. */
export interface AttemptLogs {
  task: TaskRow;
  run: ToolRunRow;
  dir: string;
}

/**
 * Finds the attempt `logs` prints.
 * @param workRoot the work dirs' folder for tasks that did not record theirs.
 * @throws ConfigError for a malformed tool name; NotFoundError for an unknown task, a tool the task
 *   does not have, or an attempt it does not have (each message says what exists).
 */
export async function findAttempt(store: Store, taskId: string, tool: string, attempt: number | undefined, workRoot: string): Promise<AttemptLogs> {
  checkToolName(tool);
  const task = await store.getTask(taskId);
  if (!task) throw new NotFoundError(`no task ${taskId}; \`toolflow status\` lists recent tasks`);
  const { spec } = JSON.parse(task.spec) as { spec: WorkflowSpec };
  if (!spec.tools.some((t) => t.name === tool)) {
    const names = spec.tools.map((t) => t.name);
    const shown = names.length > 20 ? `${names.slice(0, 20).join(', ')}, … (${names.length} in all)` : names.join(', ');
    throw new NotFoundError(`task ${taskId} has no tool "${tool}"; its tools: ${shown}`);
  }
  const runs = (await store.listToolRuns(taskId)).filter((r) => r.tool === tool).sort((a, b) => a.attempt - b.attempt);
  const run = attempt === undefined ? runs[runs.length - 1] : runs.find((r) => r.attempt === attempt);
  if (!run) {
    const has = runs.length === 0 ? 'no attempts yet' : runs.length === 1 ? 'only attempt 1' : `attempts 1 to ${runs[runs.length - 1]!.attempt}`;
    throw new NotFoundError(`tool ${tool} of task ${taskId} has no attempt${attempt === undefined ? '' : ` ${attempt}`}; it has ${has}`);
  }
  return { task, run, dir: attemptDir(workRootOf(task, workRoot), taskId, tool, run.attempt) };
}

/** Describes an attempt that has not run (no log files expected). */
function notRun(tool: string, run: ToolRunRow): string {
  const why = run.message ? ` (${run.status}: ${run.message})` : ` (${run.status})`;
  return isTerminal(run.status) ? `tool ${tool} attempt ${run.attempt} never ran${why}` : `tool ${tool} attempt ${run.attempt} has not started yet${why}; --follow waits for it`;
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
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
      if (run.delivered_at === null) throw new NotFoundError(notRun(tool, run));
      throw new NotFoundError(`no logs of tool ${tool} attempt ${run.attempt} in ${dir}: they stay on the machine that ran it (if the task ran with another --workdir, give it here too)`);
    }
    for (const [i, path] of paths.entries()) {
      if (headers) await write(io.out, `${i > 0 ? '\n' : ''}==> ${path} <==\n`);
      // What the file held when looked at (a running tool's log may grow meanwhile).
      if (sizes[i]) await pipeline(createReadStream(path, { start: 0, end: sizes[i]! - 1 }), io.out, { end: false });
    }
    return 0;
  }
  return follow(store, { taskId, tool, attempt: run.attempt }, paths, headers, io);
}

/** Prints what the files gain until the attempt ends or the signal aborts. */
async function follow(store: Store, key: { taskId: string; tool: string; attempt: number }, paths: string[], headers: boolean, io: LogsIo): Promise<number> {
  const offsets = paths.map(() => 0);
  let current = -1;
  let waitingNoted = false;
  const pollMs = io.pollMs ?? 250;
  const drain = async (): Promise<void> => {
    for (const [i, path] of paths.entries()) {
      const size = await sizeOf(path);
      if (size === null) continue;
      if (size < offsets[i]!) {
        io.note(`${path}: file truncated`);
        offsets[i] = 0;
      }
      if (size === offsets[i]) {
        if (headers && current === -1 && i === 0) {
          // Show where the logs are as soon as they exist, as tail does.
          await write(io.out, `==> ${path} <==\n`);
          current = 0;
        }
        continue;
      }
      if (headers && current !== i) await write(io.out, `${current === -1 ? '' : '\n'}==> ${path} <==\n`);
      current = i;
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(64 * 1024);
        while (offsets[i]! < size) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - offsets[i]!), offsets[i]!);
          if (bytesRead === 0) break;
          offsets[i]! += bytesRead;
          await write(io.out, Buffer.from(buf.subarray(0, bytesRead)));
        }
      } finally {
        await fh.close();
      }
    }
  };
  for (;;) {
    // The status first: files read after the attempt is seen ended hold everything it wrote.
    const row = await store.getToolRun(key);
    const task = await store.getTask(key.taskId);
    const ended = !row || isTerminal(row.status) || (task !== undefined && isTerminal(task.status));
    if (io.signal?.aborted) return 130;
    await drain();
    if (ended) {
      const status = row?.status ?? 'gone';
      io.note(`tool ${key.tool} attempt ${key.attempt} ${status}${row?.message ? `: ${row.message}` : ''}`);
      if (status === 'failed') io.note(`a rerun, if any, is attempt ${key.attempt + 1}: toolflow logs ${key.taskId} ${key.tool} --attempt ${key.attempt + 1} --follow`);
      return 0;
    }
    if (!waitingNoted && row && row.delivered_at === null) {
      io.note(`tool ${key.tool} attempt ${key.attempt} has not started yet (${row.status}); waiting for it`);
      waitingNoted = true;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      io.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    if (io.signal?.aborted) return 130;
  }
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
