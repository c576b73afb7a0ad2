/**
 * The local executor: each attempt is a child process (bash) in its own work dir
 * `<root>/<taskId>/<tool>/attempt-<n>/`, holding `command.sh`, `stdout.log`, `stderr.log` and the
 * tool's outputs. Inputs are copied once per task into `<root>/<taskId>/inputs/<name>/<file>`.
 * Reports (start, keepalive, exit) go to the sink as the sidecar's would in cluster mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { access, mkdir, open, writeFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { ObjectStore } from '../../objects/object-store.js';
import { safeFileName } from '../../objects/object-store.js';
import type { AttemptRequest, Executor, ReportSink } from '../executor.js';
import { commandEnv, commandScript, LAUNCHER } from './command-script.js';
import { detectMemoryLimiter, type MemoryLimiter } from './memory-limit.js';

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
  child: ChildProcess;
  exited: Promise<void>;
}

/** Runs attempts as local processes. */
export class LocalExecutor implements Executor {
  readonly capacity: { cpuMillicores: number; memBytes: number; diskBytes: null };
  readonly limiter: MemoryLimiter;
  private readonly root: string;
  private readonly running = new Map<string, Running>();
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
    const workDir = this.workDirOf(taskId, tool, attempt);
    await mkdir(join(workDir, 'tmp'), { recursive: true });
    const inputs: Record<string, string> = {};
    for (const [name, stored] of Object.entries(request.inputs)) inputs[name] = await this.stageInput(taskId, name, stored.key, stored.fileName);
    const deps: Record<string, string> = {};
    for (const d of request.deps) deps[d.tool] = this.workDirOf(taskId, d.tool, d.attempt);
    await writeFile(join(workDir, 'command.sh'), commandScript(request), { mode: 0o755 });
    const env = commandEnv(request, { workDir, inputs, deps });

    const limit = this.limiter.prepare(`a${++this.seq}`, request.resources.memBytes);
    const out = openSync(join(workDir, 'stdout.log'), 'w');
    const err = openSync(join(workDir, 'stderr.log'), 'w');
    let child: ChildProcess;
    try {
      child = spawn('bash', ['-c', LAUNCHER, 'toolflow', limit.procsFile ?? '', limit.ulimitKib === null ? '' : String(limit.ulimitKib)], {
        cwd: workDir,
        env,
        stdio: ['ignore', out, err],
        detached: true,
      });
    } catch (e) {
      limit.finish();
      throw e;
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const key = `${taskId}/${tool}/${attempt}`;
    const keepalive = setInterval(
      () => sink({ kind: 'keepalive', taskId, tool, attempt, at: Date.now(), memBytes: limit.usage() }),
      (this.options.keepaliveSeconds ?? 30) * 1000,
    );
    keepalive.unref();
    let spawnError: Error | undefined;
    child.once('error', (e) => (spawnError = e));
    const exited = new Promise<void>((done) => {
      child.once('close', (code, signal) => {
        clearInterval(keepalive);
        this.running.delete(key);
        const { peakMemBytes, oomKilled } = limit.finish();
        void (async () => {
          const stderrTail = spawnError ? String(spawnError.message) : await readTail(join(workDir, 'stderr.log'), STDERR_TAIL_BYTES);
          const missingOutputs = code === 0 ? await missing(workDir, request.spec.outputs) : [];
          sink({ kind: 'exit', taskId, tool, attempt, at: Date.now(), exitCode: code, signal, oomKilled, peakMemBytes, stderrTail, missingOutputs });
          done();
        })();
      });
    });
    this.running.set(key, { child, exited });
    if (child.pid !== undefined) sink({ kind: 'start', taskId, tool, attempt, at: Date.now() });
  }

  async cancel(taskId: string, tool: string, attempt: number): Promise<void> {
    const run = this.running.get(`${taskId}/${tool}/${attempt}`);
    if (!run || run.child.pid === undefined) return;
    const pid = run.child.pid;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s); // the whole process group: bash and everything it started
      } catch {
        /* already gone */
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), (this.options.killGraceSeconds ?? 10) * 1000);
    await run.exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((k) => {
      const [taskId, tool, attempt] = k.split('/');
      return this.cancel(taskId!, tool!, Number(attempt));
    }));
    this.limiter.dispose();
  }

  /** Copies an input object into the task's inputs folder once; returns its absolute path. */
  private stageInput(taskId: string, name: string, key: string, fileName: string): Promise<string> {
    const cacheKey = `${taskId}/${name}`;
    let staged = this.stagedInputs.get(cacheKey);
    if (!staged) {
      staged = (async () => {
        const dir = join(this.root, taskId, 'inputs', name);
        await mkdir(dir, { recursive: true });
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
