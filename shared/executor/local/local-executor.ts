/**
 * The local executor: each attempt is a child process (bash) in its own work dir
 * `<root>/<taskId>/<tool>/attempt-<n>/`, holding `command.sh`, `stdout.log`, `stderr.log` and the
 * tool's outputs. Inputs are copied once per task into `<root>/<taskId>/_inputs/<name>/<file>` (no tool
 * name starts with `_`, so the two never meet).
 * Reports (start, keepalive, exit) go to the sink as the sidecar's would in cluster mode.
 */
import { writeFileSync } from 'node:fs';
import { ensureDir } from '../../ensure-dir.js';
import { access, open } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { ObjectStore } from '../../objects/object-store.js';
import { safeFileName } from '../../objects/object-store.js';
import type { AttemptRequest, Executor, ReportSink } from '../executor.js';
import { commandEnv, commandScript, workerEnv } from './command-script.js';
import { detectMemoryLimiter, type MemoryLimiter } from './memory-limit.js';
import { ShellWorkerPool } from './process-launcher.js';

/** Bytes of stderr kept in the exit report. */
export const STDERR_TAIL_BYTES = 4096;

/** Options of the local executor. */
export interface LocalExecutorOptions {
  /** Folder holding every task's work dirs. */
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
}

interface Running {
  /** Process id, and process group id. */
  pid: number;
  exited: Promise<void>;
}

/** Runs attempts as local processes. */
export class LocalExecutor implements Executor {
  readonly capacity: { cpuMillicores: number; memBytes: number; diskBytes: null };
  readonly limiter: MemoryLimiter;
  private readonly workers = new ShellWorkerPool(workerEnv());
  private readonly root: string;
  private readonly running = new Map<string, Running>();
  /** Attempts started by this executor (`task/tool/attempt`), running or ended. */
  private readonly started = new Set<string>();
  private readonly stagedInputs = new Map<string, Promise<string>>();
  private seq = 0;

  constructor(private readonly options: LocalExecutorOptions) {
    this.root = resolve(options.root);
    this.capacity = { cpuMillicores: options.cpuMillicores ?? availableParallelism() * 1000, memBytes: options.memBytes ?? totalmem(), diskBytes: null };
    this.limiter = detectMemoryLimiter(options.memoryLimit);
  }

  workDirOf(taskId: string, tool: string, attempt: number): string {
    return join(this.root, taskId, tool, `attempt-${attempt}`);
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
    const workDir = this.workDirOf(taskId, tool, attempt);
    // Synchronous on purpose: a few microseconds each, where the promise versions cost a thread-pool
    // round trip per call on the path from one tool's exit to the next one's start.
    ensureDir(workDir);
    const inputs: Record<string, string> = {};
    for (const [name, stored] of Object.entries(request.inputs)) inputs[name] = await this.stageInput(taskId, name, stored.key, stored.fileName);
    const deps: Record<string, string> = {};
    for (const d of request.deps) deps[d.tool] = this.workDirOf(taskId, d.tool, d.attempt);
    const env = commandEnv(request, { workDir, inputs, deps });
    writeFileSync(join(workDir, 'command.sh'), commandScript(request, env), { mode: 0o755 });
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
    const exited = launched.ended.then(async ({ exitCode, signal }) => {
      clearInterval(keepalive);
      // As when a container ends: whatever the tool left running in its process group goes too.
      signalGroup(launched.pid, 'SIGKILL');
      this.running.delete(key);
      const { peakMemBytes, oomKilled } = limit.finish();
      const ok = exitCode === 0 && signal === null;
      // The stderr tail only matters to classify a failure: a success skips the read.
      const stderrTail = ok ? '' : await readTail(join(workDir, 'stderr.log'), STDERR_TAIL_BYTES).catch(() => '');
      const missingOutputs = ok ? await missing(workDir, request.spec.outputs) : [];
      sink({ kind: 'exit', taskId, tool, attempt, at: Date.now(), exitCode, signal, oomKilled, peakMemBytes, stderrTail, missingOutputs });
    });
    this.running.set(key, { pid: launched.pid, exited });
    sink({ kind: 'start', taskId, tool, attempt, at: Date.now() });
  }

  async stopLeftover(_taskId: string, _tool: string, _attempt: number, _workRoot?: string): Promise<boolean> {
    return false; // TODO(issue 7): find the attempt's process group by its pid file
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

  /** Copies an input object into the task's inputs folder once; returns its absolute path. */
  private stageInput(taskId: string, name: string, key: string, fileName: string): Promise<string> {
    const cacheKey = `${taskId}/${name}`;
    let staged = this.stagedInputs.get(cacheKey);
    if (!staged) {
      staged = (async () => {
        const dir = join(this.root, taskId, '_inputs', name);
        ensureDir(dir);
        const path = join(dir, safeFileName(fileName));
        await this.options.objects.getToFile(key, path);
        return path;
      })();
      staged.catch(() => this.stagedInputs.delete(cacheKey));
      this.stagedInputs.set(cacheKey, staged);
    }
    return staged;
  }
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

async function missing(workDir: string, outputs: string[]): Promise<string[]> {
  const absent: string[] = [];
  for (const o of outputs) {
    try {
      await access(join(workDir, o));
    } catch {
      absent.push(o);
    }
  }
  return absent;
}
