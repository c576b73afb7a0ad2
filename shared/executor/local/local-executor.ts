/**
 * The local executor: each attempt is a child process (bash) in its own work dir
 * `<root>/<taskId>/<tool>/attempt-<n>/`, holding `command.sh`, `stdout.log`, `stderr.log`, the
 * tool's outputs and, while it runs, `.toolflow.pid` (see `leftover.ts`). `root` is the request's
 * `workRoot` when set (the folder recorded on the task), else the executor's own. Inputs are staged
 * only for the attempts that get them, at `<root>/<taskId>/_inputs/<name>/<file>` (no tool name
 * starts with `_`, so the two never meet): a symbolic link to the object in the local object store,
 * checked against what was submitted before the tool starts and after it ends, since inputs are
 * read-only to tools (`staged-inputs.ts`); an input in S3 is downloaded once per task to the same
 * place. An item's file, stored as `<input>/<key>/<column>` (issue 10), goes to
 * `_inputs/<input>/<key>/<column>/<file>`, each segment checked to be one folder name. Each file of
 * an `outputs` binding is a symbolic link `<work dir>/<base name>` → `<dependency's attempt
 * dir>/<path>` (`stageDependencyOutputs`). Reports (start, keepalive, exit) go to the sink as the
 * sidecar's would in cluster mode; the exit report carries the memory evidence of `memory-limit.ts`,
 * for a failed attempt on a full filesystem `diskFull` (`disk-check.ts`), and for a succeeded one
 * `outputs`: each declared output's size and SHA-256, the output then read-only (`outputs.ts`).
 * `reuse` (a cache hit) links an earlier attempt's files into a new attempt dir instead of running it.
 */
import { existsSync, lstatSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { ensureDir } from '../../ensure-dir.js';
import { open } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { AttemptRef, OutputRecord, StoredInput } from '../../events/catalog.js';
import { maskSecretsInText } from '../../runtime/log.js';
import type { ObjectStore } from '../../objects/object-store.js';
import { safeFileName } from '../../objects/object-store.js';
import { LocalObjectStore } from '../../objects/local-object-store.js';
import type { FileStamp } from '../../objects/file-identity.js';
import { checkDownloadedInput, checkInputsAfter, stageLinkedInput, type StagedInput } from './staged-inputs.js';
import { exitReport, type AttemptRequest, type Executor, type ReportSink } from '../executor.js';
import { MAX_TOOL_ENV_BYTES } from '../../spec/tool-env.js';
import type { Binding } from '../../spec/types.js';
import { outputSegments } from '../../sidecar/pod-layout.js';
import { commandEnv, commandScript, linkedName, workerEnv } from './command-script.js';
import { filesystemState, fullFilesystem, isNoSpace } from './disk-check.js';
import { removePidFile, stopLeftoverAttempt } from './leftover.js';
import { detectMemoryLimiter, type MemoryLimiter } from './memory-limit.js';
import { checkedAttemptDir, recordOutputs, reuseOutputs } from './outputs.js';
import { parsePassEnv } from './pass-env.js';
import { ShellWorkerPool } from './process-launcher.js';

/** Bytes of stderr kept in the exit report. */
export const STDERR_TAIL_BYTES = 4096;

/** Options of the local executor. */
export interface LocalExecutorOptions {
  /** Folder holding every task's work dirs, unless a request names its own (`workRoot`). */
  root: string;
  objects: ObjectStore;
  /** Total cpu millicores to schedule onto; default: this machine's cores × 1000. */
  cpuMillicores?: number;
  /** Total memory bytes to schedule onto; default: this machine's memory. */
  memBytes?: number;
  /** Seconds between keepalive reports; default 30 (design doc). */
  keepaliveSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL on cancel; default 10. */
  killGraceSeconds?: number;
  /** Force a memory-limit mechanism (`rlimit`); default: detect. */
  memoryLimit?: string;
  /** Names of toolflow's environment variables to pass to every tool; default: `TOOLFLOW_PASS_ENV` (`parsePassEnv`). */
  passEnv?: string[];
}

interface Running {
  /** Process id, and process group id. */
  pid: number;
  exited: Promise<void>;
}

/** Runs attempts as local processes. */
export class LocalExecutor implements Executor {
  /** `diskBytes` is null: the local executor does not enforce disk (so a rerun cannot give a tool more). */
  readonly capacity: { cpuMillicores: number; memBytes: number; diskBytes: null };
  /** Attempts are this process's children: they end with it (a restarted driver stops what is left and reruns). */
  readonly attemptsOutliveDriver = false;
  readonly limiter: MemoryLimiter;
  private readonly workers = new ShellWorkerPool(workerEnv());
  private readonly root: string;
  private readonly passEnv: string[];
  private readonly running = new Map<string, Running>();
  /** Attempts started by this executor (`task/tool/attempt`), running or ended. */
  private readonly started = new Set<string>();
  /** Inputs downloaded (an object store that is not a local folder): staged path → its stamp when downloaded. */
  private readonly downloaded = new Map<string, Promise<FileStamp>>();
  /** Input files an attempt changed (inputs are read-only), with why: never staged again by this executor. */
  private readonly refusedInputs = new Map<string, string>();
  private seq = 0;

  /** @throws ConfigError when `TOOLFLOW_PASS_ENV` names a variable that is never passed, or is malformed. */
  constructor(private readonly options: LocalExecutorOptions) {
    this.root = resolve(options.root);
    this.passEnv = options.passEnv ?? parsePassEnv(process.env.TOOLFLOW_PASS_ENV);
    this.capacity = { cpuMillicores: options.cpuMillicores ?? availableParallelism() * 1000, memBytes: options.memBytes ?? totalmem(), diskBytes: null };
    this.limiter = detectMemoryLimiter(options.memoryLimit);
  }

  /** The attempt's work dir under the executor's own root (a request's `workRoot` is not known here). */
  workDirOf(taskId: string, tool: string, attempt: number): string {
    return attemptDir(this.root, taskId, tool, attempt);
  }

  async start(request: AttemptRequest, sink: ReportSink): Promise<void> {
    const { taskId, tool, attempt } = request;
    const key = `${taskId}/${tool}/${attempt}`;
    if (this.started.has(key)) return; // started before: a redelivery
    this.started.add(key);
    try {
      await this.launch(request, sink, key);
    } catch (err) {
      this.started.delete(key);
      throw err;
    }
  }

  private async launch(request: AttemptRequest, sink: ReportSink, key: string): Promise<void> {
    const { taskId, tool, attempt } = request;
    const root = request.workRoot ? resolve(request.workRoot) : this.root;
    const workDir = attemptDir(root, taskId, tool, attempt);
    const memLimitKind = this.limiter.mechanism === 'rlimit' ? ('rlimit' as const) : ('cgroup' as const);
    let env: Record<string, string>;
    const staged: StagedInput[] = [];
    try {
      // Synchronous on purpose: a few microseconds each, where the promise versions cost a thread-pool
      // round trip per call on the path from one tool's exit to the next one's start.
      ensureDir(workDir);
      const inputs: Record<string, string> = {};
      for (const [name, stored] of Object.entries(request.inputs)) {
        const s = await this.stageInput(root, taskId, name, stored);
        inputs[name] = s.path;
        staged.push(s);
      }
      const deps: Record<string, string> = {};
      for (const d of request.deps) deps[d.tool] = attemptDir(root, taskId, d.tool, d.attempt);
      if (request.spec.bindings) stageDependencyOutputs(workDir, request.spec.bindings, deps);
      env = commandEnv(request, { workDir, inputs, deps }, process.env, this.passEnv);
      // What validation could only estimate (passed-through values, real paths) is known now:
      // an environment no exec would take is a launch error saying why, not "Argument list too long".
      const envBytes = Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 2 + 8, 0);
      if (envBytes > MAX_TOOL_ENV_BYTES) {
        throw new Error(`the tool's environment takes ${envBytes} bytes, more than the ${MAX_TOOL_ENV_BYTES}-byte limit (Linux refuses an exec whose arguments and environment pass ARG_MAX, 2 MiB with an 8 MiB stack): a passed-through variable (envvars, TOOLFLOW_PASS_ENV) or an option value is too large; pass large values as input files`);
      }
      writeFileSync(join(workDir, 'command.sh'), commandScript(request, env), { mode: 0o755 });
    } catch (err) {
      if (!isNoSpace(err)) throw err;
      // The work dir's filesystem is full: the attempt ends before it starts, as its tool would have.
      const diskFull = filesystemState(workDir) ?? { path: workDir, freeBytes: 0, totalBytes: 0, freeInodes: null };
      const stderrTail = `toolflow: ${(err as Error).message}\n`;
      sink(exitReport({ taskId, tool, attempt }, { memLimitKind, stderrTail, diskFull }));
      return;
    }
    const limit = this.limiter.prepare(`a${++this.seq}`, request.resources.memBytes);
    let launched;
    try {
      launched = await this.workers.launch({ dir: workDir, cgroupProcs: limit.procsFile, ulimitKib: limit.ulimitKib });
    } catch (e) {
      limit.finish();
      throw e;
    }
    const keepalive = setInterval(
      () => sink({ kind: 'keepalive', taskId, tool, attempt, at: Date.now(), memBytes: limit.usage() }),
      (this.options.keepaliveSeconds ?? 30) * 1000,
    );
    keepalive.unref();
    const exited = launched.ended.then(async ({ exitCode, signal, cpuTimeMs: shellCpuMs }) => {
      clearInterval(keepalive);
      // A last reading, then, as when a container ends: whatever the tool left running goes too.
      const { peakMemBytes, oomKills, cpuTimeMs: cgroupCpuMs } = limit.finish();
      // The cgroup's count (v2: also what the tool left running), else the shell's rusage.
      const cpuTimeMs = cgroupCpuMs ?? shellCpuMs;
      signalGroup(launched.pid, 'SIGKILL');
      this.running.delete(key);
      removePidFile(workDir);
      // Inputs are read-only to tools: one changed fails the attempt, whatever its exit code.
      const inputChanged = staged.length ? checkInputsAfter(tool, staged, this.refusedInputs) : undefined;
      const ok = exitCode === 0 && signal === null && inputChanged === undefined;
      // The stderr tail only matters to classify a failure: a success skips the read.
      // Into the store and the events: a credential the tool printed is masked, as in the logs.
      const stderrTail = ok && !oomKills ? '' : maskSecretsInText(await readTail(join(workDir, 'stderr.log'), STDERR_TAIL_BYTES).catch(() => ''));
      const declared = request.spec.outputs;
      // No awaits for a tool without outputs: this is the path from one tool's exit to the next one's start.
      const missingOutputs = ok && declared.length > 0 ? missing(workDir, declared) : [];
      let outputs: OutputRecord[] | undefined;
      let evidence: string | undefined;
      if (ok && missingOutputs.length === 0) {
        if (declared.length === 0) outputs = [];
        else {
          const recorded = await recordOutputs(workDir, declared);
          if (recorded.refused.length === 0) outputs = recorded.outputs;
          else {
            missingOutputs.push(...recorded.refused.map((r) => r.path));
            evidence = `toolflow: ${recorded.refused.map((r) => `output ${r.path} ${r.why}`).join('; ')}`;
          }
        }
      }
      const diskFull = ok ? null : fullFilesystem([workDir, env.TMPDIR ?? '/tmp']);
      sink({
        kind: 'exit',
        taskId,
        tool,
        attempt,
        at: Date.now(),
        exitCode,
        signal,
        oomKilled: (oomKills ?? 0) > 0,
        ...(oomKills !== null ? { oomKills } : {}),
        peakMemBytes,
        ...(cpuTimeMs !== null ? { cpuTimeMs } : {}),
        memLimitKind,
        stderrTail,
        missingOutputs,
        ...(diskFull ? { diskFull } : {}),
        ...(outputs ? { outputs } : {}),
        ...(evidence ? { evidence } : {}),
        ...(inputChanged !== undefined ? { inputChanged } : {}),
      });
    });
    this.running.set(key, { pid: launched.pid, exited });
    sink({ kind: 'start', taskId, tool, attempt, at: Date.now() });
  }

  /**
   * A cache hit: the attempt `from` (its work dir under `from.workRoot`, else this executor's root)
   * becomes `request`'s attempt, without running it (`reuseOutputs`): each recorded output is
   * checked for its recorded size, then every file the earlier attempt left (its whole work dir,
   * undeclared files and its logs `command.sh`, `stdout.log`, `stderr.log` included, so `toolflow
   * logs` shows the original run's) is hard-linked, or copied across filesystems, with a
   * `cached-from.txt` saying where they came from.
   * @returns false, leaving the new attempt dir as it was, when any output is gone or differs in size.
   * @throws Error for a task, tool or output name that cannot be a folder or a path inside one.
   */
  async reuse(request: AttemptRequest, from: AttemptRef & { workRoot?: string }, outputs: OutputRecord[]): Promise<boolean> {
    const fromDir = checkedAttemptDir(from.workRoot ? resolve(from.workRoot) : this.root, from);
    const toDir = checkedAttemptDir(request.workRoot ? resolve(request.workRoot) : this.root, request);
    return reuseOutputs(fromDir, toDir, { taskId: from.taskId, tool: from.tool, attempt: from.attempt }, outputs);
  }

  /**
   * Stops an attempt a dead toolflow process left running, found by its pid file (`leftover.ts`);
   * an attempt this executor runs itself is cancelled at once. @returns true when something was stopped.
   * @throws Error when its processes are still there 10 s after SIGKILL.
   */
  async stopLeftover(taskId: string, tool: string, attempt: number, workRoot?: string): Promise<boolean> {
    if (this.running.has(`${taskId}/${tool}/${attempt}`)) {
      await this.cancel(taskId, tool, attempt, 0);
      return true;
    }
    return stopLeftoverAttempt(attemptDir(workRoot ? resolve(workRoot) : this.root, taskId, tool, attempt));
  }

  async cancel(taskId: string, tool: string, attempt: number, graceSeconds = this.options.killGraceSeconds ?? 10): Promise<void> {
    const run = this.running.get(`${taskId}/${tool}/${attempt}`);
    if (!run) return;
    signalGroup(run.pid, graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = setTimeout(() => signalGroup(run.pid, 'SIGKILL'), graceSeconds * 1000);
    await run.exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((k) => {
      const [taskId, tool, attempt] = k.split('/');
      return this.cancel(taskId!, tool!, Number(attempt));
    }));
    await this.workers.close();
    this.limiter.dispose();
  }

  /**
   * Stages an input for an attempt at `_inputs/<name's segments>/<file>` (`staged-inputs.ts`): a
   * symbolic link to the object's file when the object store is a local folder, checked before
   * every attempt; else a download, once per task. @returns what was staged, for the check after the attempt.
   * @throws InputChangedError when the input is not what was submitted; Error for a name with an
   *   empty, `.` or `..` segment (see `inputFolder`); the object store's error for a download.
   */
  private async stageInput(root: string, taskId: string, name: string, stored: StoredInput): Promise<StagedInput> {
    const segments = inputFolder(name);
    const { objects } = this.options;
    if (objects instanceof LocalObjectStore) return stageLinkedInput(root, taskId, name, segments, stored, objects.fileOf(stored.key), this.refusedInputs);
    const dir = join(root, taskId, '_inputs', ...segments);
    const path = join(dir, safeFileName(stored.fileName));
    let first = this.downloaded.get(path);
    if (!first) {
      first = (async () => {
        ensureDir(dir);
        await objects.getToFile(stored.key, path, stored.sha256 ? { sha256: stored.sha256 } : {});
        return checkDownloadedInput(name, path, stored, undefined, this.refusedInputs).stamp;
      })();
      first.catch(() => this.downloaded.delete(path));
      this.downloaded.set(path, first);
    }
    return checkDownloadedInput(name, path, stored, await first, this.refusedInputs);
  }
}

/**
 * The folders under `_inputs/` of a stored input's name: its `/`-separated segments (an item's file
 * is stored as `<input>/<key>/<column>`). Names are made by toolflow; each segment is checked again
 * as it becomes a folder, so none can leave `_inputs/`.
 * @throws Error for an empty, `.` or `..` segment, or one with a backslash or NUL.
 */
export function inputFolder(name: string): string[] {
  const segments = name.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || /[\\\0]/.test(s)) throw new Error(`input ${JSON.stringify(name)} cannot be staged: its name must be folder names separated by "/", none empty, "." or ".."`);
  }
  return segments;
}

/**
 * Links each file of the `outputs` bindings into the work dir: a symbolic link `<workDir>/<base
 * name>` → `<that tool's attempt dir>/<path>` (`deps`: tool → attempt dir, from `request.deps`). A
 * link already there with the same target (a launch tried again) is kept.
 * @throws Error for a tool not among `deps`, a path outside its work dir, a file that is not there,
 *   or a name taken in the work dir (naming both the file staged and what is in the way).
 */
export function stageDependencyOutputs(workDir: string, bindings: readonly Binding[], deps: Record<string, string>): void {
  for (const b of bindings) {
    if (!('outputs' in b)) continue;
    for (const o of b.outputs) {
      const depDir = deps[o.tool];
      if (depDir === undefined) throw new Error(`binding ${b.env} names tool ${JSON.stringify(o.tool)}, which is not among the attempt's dependencies`);
      const target = join(depDir, ...outputSegments(o.path));
      const name = linkedName(o.path);
      const link = join(workDir, name);
      if (!statSync(target, { throwIfNoEntry: false })) throw new Error(`binding ${b.env}: output ${o.path} of tool ${o.tool} is not there (${target})`);
      try {
        symlinkSync(target, link);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const there = lstatSync(link);
        const existing = there.isSymbolicLink() ? readlinkSync(link) : undefined;
        if (existing === target) continue;
        throw new Error(
          `binding ${b.env}: cannot link output ${o.path} of tool ${o.tool} (${target}) into the work dir as ${name}: ${link} exists already${existing !== undefined ? ` (a link to ${existing})` : ''}`,
        );
      }
    }
  }
}

/** `<root>/<taskId>/<tool>/attempt-<n>`. */
function attemptDir(root: string, taskId: string, tool: string, attempt: number): string {
  return join(root, taskId, tool, `attempt-${attempt}`);
}

/** Sends a signal to a process group; a group that is gone already is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

async function readTail(path: string, bytes: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, bytes);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Declared outputs not in the work dir (a dangling link is not there). Synchronous: a stat each, microseconds. */
function missing(workDir: string, outputs: string[]): string[] {
  return outputs.filter((o) => !existsSync(join(workDir, o)));
}
