/**
 * An attempt's log files, for `toolflow logs` (`cli/logs-command.ts`) and the user API
 * (`api/logs-routes.ts`): which attempt a caller means, what its log files hold now, and following
 * them as `tail -f` does until the attempt ends. The layout is the local executor's
 * (`cli/attempt-files.ts`): `<work root>/<task>/<tool>/attempt-<n>/{stdout,stderr}.log`.
 */
import { open, stat } from 'node:fs/promises';
import schema from '../../schema/workflow.schema.json' with { type: 'json' };
import { ConfigError, NotFoundError } from '../errors.js';
import { isTerminal } from '../scheduler/status.js';
import type { WorkflowSpec } from '../spec/types.js';
import type { Store, TaskRow, ToolRunKey, ToolRunRow } from '../store/store.js';

/** A tool name as the workflow schema defines it (`definitions.identifier`), so no name reaches a path that is not one. */
const TOOL_NAME = new RegExp(schema.definitions.identifier.pattern);
/** An instance of a scattered tool: `template[key]`, the key as sample sheets allow it (issue 10). */
const INSTANCE_NAME = /^([^[\]]+)\[[A-Za-z0-9][A-Za-z0-9._-]{0,63}\]$/;

/**
 * Checks a tool name given by a user (command line, URL), before it is used in a path: a tool
 * name, or an instance's (`align[A]`).
 * @throws ConfigError saying what a tool name is.
 */
export function checkToolName(tool: string): string {
  const template = INSTANCE_NAME.exec(tool)?.[1] ?? tool;
  if (!TOOL_NAME.test(template)) {
    throw new ConfigError(`${JSON.stringify(tool)} is not a tool name: a tool name starts with a letter and has only letters, digits, "_" and "-" (at most 63); an instance's is followed by its key in brackets (align[A])`);
  }
  return tool;
}

/** The workflow a task runs, from its row. */
export function specOf(task: TaskRow): WorkflowSpec {
  return (JSON.parse(task.spec) as { spec: WorkflowSpec }).spec;
}

/** One attempt of a task's tool, and its work dir. */
export interface AttemptLogs {
  task: TaskRow;
  run: ToolRunRow;
  dir: string;
}

/**
 * Finds an attempt of a task's tool.
 * @param attempt 1-based; undefined: the latest.
 * @param dirOf the attempt's work dir (`attemptDir` of the task's work root).
 * @throws ConfigError for a malformed tool name; NotFoundError for a tool the task does not have, or
 *   an attempt it does not have (each message says what exists).
 */
export async function findToolAttempt(store: Store, task: TaskRow, tool: string, attempt: number | undefined, dirOf: (task: TaskRow, tool: string, attempt: number) => string): Promise<AttemptLogs> {
  checkToolName(tool);
  const spec = specOf(task);
  if (!spec.tools.some((t) => t.name === tool)) {
    const names = spec.tools.map((t) => t.name);
    const shown = names.length > 20 ? `${names.slice(0, 20).join(', ')}, … (${names.length} in all)` : names.join(', ');
    throw new NotFoundError(`task ${task.id} has no tool "${tool}"; its tools: ${shown}`);
  }
  const runs = (await store.listToolRuns(task.id)).filter((r) => r.tool === tool).sort((a, b) => a.attempt - b.attempt);
  const run = attempt === undefined ? runs[runs.length - 1] : runs.find((r) => r.attempt === attempt);
  if (!run) {
    const has = runs.length === 0 ? 'no attempts yet' : runs.length === 1 ? 'only attempt 1' : `attempts 1 to ${runs[runs.length - 1]!.attempt}`;
    throw new NotFoundError(`tool ${tool} of task ${task.id} has no attempt${attempt === undefined ? '' : ` ${attempt}`}; it has ${has}`);
  }
  return { task, run, dir: dirOf(task, tool, run.attempt) };
}

/** Describes an attempt that has not run (no log files expected); `followHint` is how to wait for it. */
export function notRunMessage(tool: string, run: ToolRunRow, followHint: string): string {
  const why = run.message ? ` (${run.status}: ${run.message})` : ` (${run.status})`;
  return isTerminal(run.status) ? `tool ${tool} attempt ${run.attempt} never ran${why}` : `tool ${tool} attempt ${run.attempt} has not started yet${why}; ${followHint} waits for it`;
}

/** A file's size in bytes, or null when it does not exist. */
export async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

/** What a follow tells its caller. Each callback may return a promise (a write waiting for drain), which the follow awaits. */
export interface FollowSink {
  /** `paths[index]` exists, seen for the first time (it may still be empty). */
  onFile?(index: number): void | Promise<void>;
  /** New bytes of `paths[index]`, in file order. */
  onData(index: number, chunk: Buffer): void | Promise<void>;
  /** `paths[index]` shrank: it is read again from its start. */
  onTruncated?(index: number): void;
  /** The attempt is not delivered yet: the follow waits for it (told once). */
  onWaiting?(run: ToolRunRow): void;
}

/** How a follow ended: the attempt ended (its last row; undefined if it is gone), or the signal aborted it. */
export type FollowEnd = { ended: true; run: ToolRunRow | undefined } | { ended: false };

/** Bytes read from a log file at once. */
const READ_CHUNK = 64 * 1024;

/**
 * Follows an attempt's files: hands `sink` every byte they gain, as `tail -f` does, until the
 * attempt ends (its row, or its task, is terminal: the files are read once more after that, so
 * every byte it wrote is handed on) or `signal` aborts.
 * @param pollMs milliseconds between two looks at the files and the store.
 * @throws the store's errors, and the sink's (a reader that went away).
 */
export async function followAttempt(store: Store, key: ToolRunKey, paths: string[], sink: FollowSink, options: { pollMs?: number; signal?: AbortSignal } = {}): Promise<FollowEnd> {
  const offsets = paths.map(() => 0);
  const seen = paths.map(() => false);
  let waitingNoted = false;
  const pollMs = options.pollMs ?? 250;
  const signal = options.signal;
  const drain = async (): Promise<void> => {
    for (const [i, path] of paths.entries()) {
      const size = await sizeOf(path);
      if (size === null) continue;
      if (!seen[i]) {
        seen[i] = true;
        await sink.onFile?.(i);
      }
      if (size < offsets[i]!) {
        sink.onTruncated?.(i);
        offsets[i] = 0;
      }
      if (size === offsets[i]) continue;
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(READ_CHUNK);
        while (offsets[i]! < size) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - offsets[i]!), offsets[i]!);
          if (bytesRead === 0) break;
          offsets[i]! += bytesRead;
          await sink.onData(i, Buffer.from(buf.subarray(0, bytesRead)));
        }
      } finally {
        await fh.close();
      }
    }
  };
  for (;;) {
    // The status first: files read after the attempt is seen ended hold everything it wrote.
    const run = await store.getToolRun(key);
    const task = await store.getTask(key.taskId);
    const ended = !run || isTerminal(run.status) || (task !== undefined && isTerminal(task.status));
    if (signal?.aborted) return { ended: false };
    await drain();
    if (ended) return { ended: true, run };
    if (!waitingNoted && run && run.delivered_at === null) {
      sink.onWaiting?.(run);
      waitingNoted = true;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollMs);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
    if (signal?.aborted) return { ended: false };
  }
}
