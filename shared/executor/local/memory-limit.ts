/**
 * Memory limits for local processes, with the strongest mechanism the OS allows:
 *
 * 1. cgroup v2 (`memory.max`, `memory.peak`, `memory.events` oom_kill) or cgroup v1
 *    (`memory.limit_in_bytes`, `memory.max_usage_in_bytes`, `memory.oom_control` oom_kill): the
 *    kernel OOM-kills the tool at its limit, as the kubelet does to a container, and the peak and
 *    the kill are read back. Needs write access to the process's own cgroup (root, or a delegated one).
 * 2. Otherwise `ulimit -v` (RLIMIT_AS) per process: allocations past the limit fail
 *    (`MemoryError`, `std::bad_alloc`, "Cannot allocate memory"), which classification reads as
 *    `oom`; the limit is per process, not for the whole tool, and no peak is measured.
 *
 * Each attempt's cgroup is made before the tool starts; the tool's shell joins it as its first act
 * (see `command-script.ts`), so no child escapes it.
 */
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { ensureDir } from '../../ensure-dir.js';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A limit prepared for one attempt. */
export interface AttemptLimit {
  /** Path of the cgroup's `cgroup.procs` file, or null (rlimit fallback). */
  procsFile: string | null;
  /** `ulimit -v` value in KiB, or null (cgroup in use). */
  ulimitKib: number | null;
  /** Current memory use in bytes, or null. */
  usage(): number | null;
  /** Reads the peak and the OOM-kill flag, kills leftovers and removes the cgroup. */
  finish(): { peakMemBytes: number | null; oomKilled: boolean };
}

/** Creates per-attempt limits. */
export interface MemoryLimiter {
  readonly mechanism: 'cgroup2' | 'cgroup1' | 'rlimit';
  prepare(name: string, memBytes: number): AttemptLimit;
  /** Removes the limiter's own folder (once every attempt has finished). */
  dispose(): void;
}

function readNumber(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

function readKey(path: string, key: string): number {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(path, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sleeps the thread for `ms` (only on the rare path where killed processes are still exiting). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes a cgroup, SIGKILLing what is left in it first. A killed process leaves its cgroup only once
 * it has exited, so removal is retried for up to ~2 s.
 */
function killAndRemove(dir: string): void {
  for (let i = 0; i < 40; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      try {
        for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
      pause(Math.min(5 * (i + 1), 100));
    }
  }
}

interface CgroupFiles {
  limit: string;
  peak: string;
  usage: string;
  events: string;
}
const V1: CgroupFiles = { limit: 'memory.limit_in_bytes', peak: 'memory.max_usage_in_bytes', usage: 'memory.usage_in_bytes', events: 'memory.oom_control' };
const V2: CgroupFiles = { limit: 'memory.max', peak: 'memory.peak', usage: 'memory.current', events: 'memory.events' };

class CgroupLimiter implements MemoryLimiter {
  constructor(
    readonly mechanism: 'cgroup1' | 'cgroup2',
    private readonly parent: string,
    private readonly files: CgroupFiles,
  ) {}

  dispose(): void {
    killAndRemove(this.parent);
  }

  prepare(name: string, memBytes: number): AttemptLimit {
    const dir = join(this.parent, name);
    ensureDir(dir);
    writeFileSync(join(dir, this.files.limit), String(memBytes));
    const f = this.files;
    return {
      procsFile: join(dir, 'cgroup.procs'),
      ulimitKib: null,
      usage: () => readNumber(join(dir, f.usage)),
      finish: () => {
        const peakMemBytes = readNumber(join(dir, f.peak));
        const oomKilled = readKey(join(dir, f.events), 'oom_kill') > 0;
        killAndRemove(dir);
        return { peakMemBytes, oomKilled };
      },
    };
  }
}

class RlimitLimiter implements MemoryLimiter {
  readonly mechanism = 'rlimit' as const;
  dispose(): void {}
  prepare(_name: string, memBytes: number): AttemptLimit {
    return { procsFile: null, ulimitKib: Math.max(1, Math.floor(memBytes / 1024)), usage: () => null, finish: () => ({ peakMemBytes: null, oomKilled: false }) };
  }
}

/** The cgroup of this process for a v1 controller, or the v2 path, from /proc/self/cgroup. */
function ownCgroup(controller: string | null): string | null {
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, controllers, path] = line.split(':');
      if (path === undefined) continue;
      if (controller === null ? controllers === '' && line.startsWith('0::') : controllers!.split(',').includes(controller)) return path;
    }
  } catch {
    /* not Linux */
  }
  return null;
}

/**
 * Removes the folders of toolflow processes that died without cleaning up (killed with SIGKILL):
 * `toolflow-<pid>-*` whose pid is gone. Their attempt cgroups are emptied first.
 */
function removeStale(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => /^toolflow-\d+-[0-9a-f]+$/.test(n));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[1]);
    try {
      process.kill(pid, 0);
      continue; // its owner lives
    } catch {
      /* owner gone */
    }
    const dir = join(base, name);
    try {
      for (const child of readdirSync(dir, { withFileTypes: true })) if (child.isDirectory()) killAndRemove(join(dir, child.name));
    } catch {
      /* raced with another cleaner */
    }
    killAndRemove(dir);
  }
}

function tryCgroup(mechanism: 'cgroup1' | 'cgroup2', parent: string, files: CgroupFiles): MemoryLimiter | null {
  removeStale(dirname(parent));
  const probe = join(parent, `toolflow-probe-${process.pid}`);
  try {
    ensureDir(probe);
    writeFileSync(join(probe, files.limit), String(64 * 1024 * 1024));
    rmdirSync(probe);
    return new CgroupLimiter(mechanism, parent, files);
  } catch {
    try {
      rmdirSync(probe);
    } catch {
      /* never made */
    }
    return null;
  }
}

/**
 * Picks the mechanism: cgroup v2, cgroup v1, then rlimit. `TOOLFLOW_MEMORY_LIMIT=rlimit` forces the fallback.
 * Attempt cgroups live in `toolflow-<pid>-<random>` under this process's own cgroup (one per limiter).
 */
export function detectMemoryLimiter(force?: string): MemoryLimiter {
  if (force !== 'rlimit') {
    const own = `toolflow-${process.pid}-${randomBytes(3).toString('hex')}`;
    const v2 = ownCgroup(null);
    if (v2 !== null) {
      try {
        const ctrl = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8');
        if (ctrl.split(/\s+/).includes('memory')) {
          const found = tryCgroup('cgroup2', join('/sys/fs/cgroup', v2, own), V2);
          if (found) return found;
        }
      } catch {
        /* no unified hierarchy */
      }
    }
    const v1 = ownCgroup('memory');
    if (v1 !== null) {
      const found = tryCgroup('cgroup1', join('/sys/fs/cgroup/memory', v1, own), V1);
      if (found) return found;
    }
  }
  return new RlimitLimiter();
}
