/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): one container as a local process, started
 * with `child_process.spawn` (no shell of ours: `command` + `args` as given, the executable looked
 * up on the container's PATH as runc does), in a process group of its own (detached), stdout and
 * stderr into one log file. With a memory limit, the process first joins a memory cgroup made by
 * `shared/executor/local/memory-limit.ts` (`/bin/sh -c 'echo $$ > "$1"; shift; exec "$@"'`, so the
 * command itself runs inside it); when the kernel OOM-killed anything in it the container ends as
 * `OOMKilled` with exit code 137, as the kubelet reports it. When the main process ends, the rest of
 * its process group and cgroup is killed (a container ends with its PID 1).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants as fsConstants, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { AttemptLimit, MemoryLimiter } from '../../../shared/executor/local/memory-limit.js';

/** How a container's main process ended. */
export interface ContainerExit {
  /** As the runtime reports it: the exit status, or 128 + the signal number; 137 when OOM-killed. */
  exitCode: number;
  /** The signal number that ended it, when one did. */
  signal: number | null;
  oomKilled: boolean;
  finishedAt: Date;
}

/** A started container. */
export interface RunningContainer {
  pid: number;
  containerId: string;
  startedAt: Date;
  exited: Promise<ContainerExit>;
  /** Signals the container's process group (and, with a cgroup, every process in it). */
  signal(sig: NodeJS.Signals): void;
}

/** What the runtime reports when the process cannot start: terminated, reason StartError, exit code 128. */
export class StartError extends Error {}

/** One container to start. */
export interface LaunchSpec {
  /** `command` + `args` (already `$(VAR)`-expanded). */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  /** The memory cgroup's limit in bytes (`resources.limits.memory`), or null for none. */
  memBytes: number | null;
  limiter: MemoryLimiter;
  /** Name of the container's cgroup under the limiter's folder. */
  cgroupName: string;
}

const JOIN_CGROUP = 'echo $$ > "$1" || exit 125; shift; exec "$@"';
const JOIN_RLIMIT = 'ulimit -v "$1" || exit 125; shift; exec "$@"';

/** The executable of `name` as runc finds it: a path as given (relative to `cwd`), else the first match on PATH. */
function lookPath(name: string, path: string, cwd: string): string {
  const executable = (p: string) => {
    try {
      accessSync(p, fsConstants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/')) {
    const p = isAbsolute(name) ? name : resolve(cwd, name);
    if (executable(p)) return p;
    throw new StartError(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${name}": stat ${name}: no such file or directory: unknown`);
  }
  for (const dir of path.split(':').filter(Boolean)) {
    const p = join(dir, name);
    if (executable(p)) return p;
  }
  throw new StartError(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${name}": executable file not found in $PATH: unknown`);
}

function signalGroup(pid: number, limit: AttemptLimit | null, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    /* the group is gone */
  }
  if (!limit?.procsFile) return;
  try {
    for (const p of readFileSync(limit.procsFile, 'utf8').split('\n').filter(Boolean)) {
      try {
        process.kill(Number(p), sig);
      } catch {
        /* exited meanwhile */
      }
    }
  } catch {
    /* cgroup removed */
  }
}

/**
 * Starts a container.
 * @throws StartError when there is nothing to run, the executable is missing, the working dir does
 *   not exist, or the spawn fails.
 */
export async function launchContainer(l: LaunchSpec): Promise<RunningContainer> {
  if (l.argv.length === 0) throw new StartError('failed to create containerd task: no command specified (the double has no image entrypoints: set command or args)');
  if (!existsSync(l.cwd)) throw new StartError(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: chdir to cwd ("${l.cwd}") set in config.json failed: no such file or directory: unknown`);
  const file = lookPath(l.argv[0]!, l.env.PATH ?? '', l.cwd);
  const limit = l.memBytes !== null ? l.limiter.prepare(l.cgroupName, l.memBytes) : null;
  let argv = [file, ...l.argv.slice(1)];
  if (limit?.procsFile) argv = ['/bin/sh', '-c', JOIN_CGROUP, 'sh', limit.procsFile, ...argv];
  else if (limit?.ulimitKib) argv = ['/bin/sh', '-c', JOIN_RLIMIT, 'sh', String(limit.ulimitKib), ...argv];
  const fd = openSync(l.logPath, 'a');
  const child = spawn(argv[0]!, argv.slice(1), { cwd: l.cwd, env: l.env, detached: true, stdio: ['ignore', fd, fd] });
  try {
    await new Promise<void>((ok, fail) => {
      child.once('spawn', ok);
      child.once('error', fail);
    });
  } catch (err) {
    limit?.finish();
    throw new StartError(`failed to create containerd task: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
  const pid = child.pid!;
  const exited = new Promise<ContainerExit>((done) => {
    child.once('exit', (code, signal) => {
      // A container ends with its main process: whatever it left behind goes too.
      signalGroup(pid, limit, 'SIGKILL');
      const oomKills = limit?.finish().oomKills ?? 0;
      const signo = signal ? (osConstants.signals as Record<string, number>)[signal] ?? 9 : null;
      const oomKilled = (oomKills ?? 0) > 0;
      done({ exitCode: oomKilled ? 137 : code ?? 128 + (signo ?? 9), signal: oomKilled ? 9 : signo, oomKilled, finishedAt: new Date() });
    });
  });
  return {
    pid,
    containerId: `containerd://${randomBytes(32).toString('hex')}`,
    startedAt: new Date(),
    exited,
    signal: (sig) => signalGroup(pid, limit, sig),
  };
}
