/**
 * Memory limits for local processes, with the strongest mechanism the OS allows:
 *
 * 1. cgroup v2 (`memory.max`) or cgroup v1's memory controller (`memory.limit_in_bytes`): the kernel
 *    OOM-kills the tool at its limit, as the kubelet has it do to a container. Needs write access to
 *    the process's own cgroup (root, or a delegated one).
 * 2. Otherwise `ulimit -v` (RLIMIT_AS) per process: allocations past the limit fail (`MemoryError`,
 *    `std::bad_alloc`, "Cannot allocate memory", V8's "Failed to reserve virtual memory"), which
 *    classification reads as `oom`. It limits each process's address space, not the resident memory
 *    of the whole tool, and measures no peak.
 *
 * What the cgroup mechanisms read back (kernel docs: Documentation/admin-guide/cgroup-v2.rst,
 * "memory.stat", "memory.events", "memory.oom.group"; Documentation/admin-guide/cgroup-v1/memory.rst,
 * "memory.stat", "memory.oom_control"):
 * - **Memory in use** = anonymous memory + shmem, the pages reclaim cannot drop without swap, so what
 *   an OOM decision is about. Page cache (a `cp` of a large file) is charged to the cgroup too, but
 *   the kernel reclaims it at the limit instead of killing, so it is left out: `memory.usage_in_bytes`
 *   or `memory.current` would sit at the limit for any I/O-heavy tool. v2: `anon` + `shmem` of
 *   memory.stat; v1: `total_rss` (which "includes transparent hugepages", so `total_rss_huge` is not
 *   added again) + `total_shmem`.
 * - **Peak** = the largest such reading, sampled every `SAMPLE_MS` while the attempt runs, at each
 *   keepalive and once more at its end (a spike shorter than the interval can be missed; an attempt
 *   that ended before the first sample reports null, not measured). An attempt the kernel
 *   OOM-killed used its whole limit, so its peak is at least the limit.
 * - **OOM kills** = the kernel's own counter of processes its OOM killer killed in the cgroup: v2
 *   memory.events `oom_kill`, v1 memory.oom_control `oom_kill` (Linux ≥ 4.13; null where absent).
 * - **Any OOM kill ends the attempt**: on v2, `memory.oom.group` = 1, as the kubelet sets for every
 *   container on cgroup v2 since Kubernetes 1.28 (so the kernel kills the whole cgroup at once); v1
 *   has no such knob, so the sampler SIGKILLs the cgroup when it sees the counter rise (within
 *   `SAMPLE_MS`).
 *
 * The tool's shell joins its attempt's cgroup as its first act (see `process-launcher.ts`), so no
 * child escapes it.
 *
 * **One cgroup per attempt running at once, reused** (issue 10 §6: making and removing a memory
 * cgroup for every attempt cost more than the no-op tool's own fork). An attempt takes an idle
 * cgroup of the limiter, or makes one (`a1`, `a2`, …: as many as attempts run at once), and its own
 * limit is written into it. What it reads back is its own: the peak is the largest of its own
 * samples, and its OOM kills are how much the cgroup's cumulative `oom_kill` counter rose during the
 * attempt (the kernel's counters cannot be reset; cgroup v2's `memory.peak`, resettable per open file
 * since Linux 6.12, is not used: it counts page cache). When the attempt ends, its cgroup goes back
 * to the idle ones only when it is clean: no process left in it (a leftover just SIGKILLed may still
 * be exiting), no OOM kill during the attempt, and no memory in use still charged to it (shmem: a
 * file left in /dev/shm stays charged to the cgroup and would count against the next attempt's
 * limit). Otherwise it is removed, as every attempt's cgroup was before, and the next attempt gets a
 * fresh one; so does an attempt whose limit the kernel refuses (cgroup v1 answers EBUSY to a limit
 * below what is charged and cannot be reclaimed). Page cache that earlier attempts left is charged to
 * the cgroup but reclaimed first at the limit: it is not in the readings and kills nothing.
 *
 * **Cpu time** (cgroup v2 only): the rise of `cpu.stat` `usage_usec` (user + system time of every
 * process in the cgroup, "exists whether the controller is enabled or not": cgroup-v2.rst, "Core
 * Interface Files" / cpu.stat) between the attempt's start and its last reading, so it counts what
 * the tool left running too. Cgroup v1's memory cgroup has no cpu accounting (that is the cpuacct
 * controller's hierarchy, which toolflow does not join): there, and under rlimit, `cpuTimeMs` is
 * null and the executor takes the shell's rusage instead (`process-launcher.ts`).
 */
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { ensureDir } from '../../ensure-dir.js';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Milliseconds between two readings of a running attempt's memory (one small file read each). */
export const SAMPLE_MS = 500;

/** What `AttemptLimit.finish` reads back. */
export interface AttemptMemory {
  /** Peak anonymous + shmem memory in bytes (page cache excluded), or null when not measured (rlimit, or ended before the first sample). */
  peakMemBytes: number | null;
  /** Processes the kernel's OOM killer killed in the attempt's cgroup, or null where no counter exists. */
  oomKills: number | null;
  /** User + system cpu time of the attempt's cgroup, ms (from `cpu.stat` `usage_usec`, µs, rounded), or null where not counted (cgroup v1, rlimit). */
  cpuTimeMs: number | null;
}

/** A limit prepared for one attempt. */
export interface AttemptLimit {
  /** Path of the cgroup's `cgroup.procs` file, or null (rlimit fallback). */
  procsFile: string | null;
  /** The attempt's cgroup folder, or null (rlimit fallback). */
  cgroupDir: string | null;
  /** `ulimit -v` value in KiB, or null (cgroup in use). */
  ulimitKib: number | null;
  /** Memory in use now (anonymous + shmem), bytes, or null when not measured. */
  usage(): number | null;
  /**
   * Takes a last reading and kills whatever is left in the cgroup; the cgroup is then kept for a
   * later attempt when clean, else removed. Call once (a second call returns the first result).
   */
  finish(): AttemptMemory;
}

/** Creates per-attempt limits. */
export interface MemoryLimiter {
  readonly mechanism: 'cgroup2' | 'cgroup1' | 'rlimit';
  /**
   * A limit of `memBytes` bytes for one attempt. `name` labels the attempt (unique per attempt); the
   * cgroup limiters do not use it, since their cgroups outlive attempts (see the module comment).
   */
  prepare(name: string, memBytes: number): AttemptLimit;
  /** Removes the limiter's own folder and its cgroups (once every attempt has finished). */
  dispose(): void;
}

/** The value of `key` in a `key value` per line file (memory.stat, memory.events), or null when absent or unreadable. */
function readKey(path: string, key: string): number | null {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(path, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Memory in use from the text of a cgroup's memory.stat: v2 `anon` + `shmem`, v1 `total_rss` +
 * `total_shmem` (see the module comment), bytes. @returns null when none of those keys is there.
 */
export function memoryInUse(statText: string, mechanism: 'cgroup1' | 'cgroup2'): number | null {
  let sum = 0;
  let found = false;
  for (const key of (mechanism === 'cgroup1' ? V1 : V2).inUse) {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(statText);
    if (m) {
      sum += Number(m[1]);
      found = true;
    }
  }
  return found ? sum : null;
}

/** Sleeps the thread for `ms` (only on the rare path where killed processes are still exiting). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * SIGKILLs every process in a cgroup; a cgroup or process that is gone already is fine.
 * @returns how many processes were in it (0 also when the cgroup is gone).
 */
export function killCgroupProcs(dir: string): number {
  let pids: string[];
  try {
    pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return 0; // gone meanwhile
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
  }
  return pids.length;
}

/**
 * Removes a cgroup, SIGKILLing what is left in it first. A killed process leaves its cgroup only once
 * it has exited, so removal is retried for up to ~2 s. @returns false when it is still there then.
 */
export function killAndRemove(dir: string): boolean {
  for (let i = 0; i < 40; i++) {
    try {
      rmdirSync(dir);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
      killCgroupProcs(dir);
      pause(Math.min(5 * (i + 1), 100));
    }
  }
  return false;
}

interface CgroupFiles {
  limit: string;
  stat: string;
  /** memory.stat keys whose sum is the memory in use (see the module comment). */
  inUse: readonly string[];
  events: string;
}
const V1: CgroupFiles = { limit: 'memory.limit_in_bytes', stat: 'memory.stat', inUse: ['total_rss', 'total_shmem'], events: 'memory.oom_control' };
const V2: CgroupFiles = { limit: 'memory.max', stat: 'memory.stat', inUse: ['anon', 'shmem'], events: 'memory.events' };

/** A cgroup of the limiter, kept between attempts. */
interface SlotCgroup {
  dir: string;
  /** The kernel kills the whole cgroup on an OOM kill (v2 `memory.oom.group` set). */
  kernelGroupKill: boolean;
  /**
   * Its `oom_kill` counter as last read (null: no counter). It cannot change while the cgroup is
   * idle (nothing runs in it), so the next attempt's count starts from it without reading it again.
   */
  oomCounter: number | null;
}

/** A running attempt's cgroup as the sampler follows it. */
interface Watched {
  dir: string;
  limitBytes: number;
  /** The cgroup's `oom_kill` counter when the attempt began (its OOM kills are the rise). */
  oomBefore: number;
  /** Largest reading so far, bytes; -1 before the first one. */
  peak: number;
  /** The kernel kills the whole cgroup on an OOM kill (v2 `memory.oom.group` set). */
  kernelGroupKill: boolean;
  /** The sampler killed the cgroup after an OOM kill (where the kernel does not). */
  groupKilled: boolean;
}

class CgroupLimiter implements MemoryLimiter {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  /** Cgroups no attempt uses now, clean (see the module comment). */
  private readonly idle: SlotCgroup[] = [];
  /** Cgroups made so far: the next one is `a<made + 1>`. */
  private made = 0;

  constructor(
    readonly mechanism: 'cgroup1' | 'cgroup2',
    private readonly parent: string,
    private readonly files: CgroupFiles,
  ) {}

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const slot of this.idle.splice(0)) killAndRemove(slot.dir);
    killAndRemove(this.parent);
  }

  /**
   * A cgroup with the limit `memBytes` for one attempt (`_name` is not used: cgroups are the
   * limiter's, named `a<n>`, and outlive attempts).
   * @throws the error of making a fresh cgroup or of writing its limit.
   */
  prepare(_name: string, memBytes: number): AttemptLimit {
    const slot = this.take(memBytes);
    const { dir, kernelGroupKill } = slot;
    const f = this.files;
    const oomBefore = slot.oomCounter;
    const cpuBefore = this.mechanism === 'cgroup2' ? readKey(join(dir, 'cpu.stat'), 'usage_usec') : null;
    const w: Watched = { dir, limitBytes: memBytes, oomBefore: oomBefore ?? 0, peak: -1, kernelGroupKill, groupKilled: false };
    this.watch(w);
    let finished: AttemptMemory | undefined;
    return {
      procsFile: join(dir, 'cgroup.procs'),
      cgroupDir: dir,
      ulimitKib: null,
      usage: () => this.sample(w),
      finish: () => {
        if (finished) return finished;
        const left = this.sample(w);
        const cpuAfter = cpuBefore === null ? null : readKey(join(dir, 'cpu.stat'), 'usage_usec');
        const cpuTimeMs = cpuBefore === null || cpuAfter === null ? null : Math.round(Math.max(0, cpuAfter - cpuBefore) / 1000);
        const total = readKey(join(dir, f.events), 'oom_kill');
        slot.oomCounter = total;
        const oomKills = total === null || oomBefore === null ? null : Math.max(0, total - oomBefore);
        this.unwatch(w);
        // Whatever the tool left running goes, as when a container ends; a clean cgroup is kept.
        const running = killCgroupProcs(dir);
        if (running === 0 && !oomKills && (left ?? 0) === 0) this.idle.push(slot);
        else killAndRemove(dir);
        // A tool that ended before the first sample has nothing charged at the last read (its
        // memory is freed on exit): not measured, rather than 0.
        const peak = oomKills ? Math.max(w.peak, w.limitBytes) : w.peak > 0 ? w.peak : null;
        finished = { peakMemBytes: peak, oomKills, cpuTimeMs };
        return finished;
      },
    };
  }

  /**
   * An idle cgroup with its limit set to `memBytes`, else a fresh one. An idle cgroup whose limit
   * the kernel refuses is removed (a fresh one is made instead).
   */
  private take(memBytes: number): SlotCgroup {
    for (let slot = this.idle.pop(); slot; slot = this.idle.pop()) {
      // Written even when it is the last one: the write also checks that the cgroup is still there.
      try {
        writeFileSync(join(slot.dir, this.files.limit), String(memBytes));
        return slot;
      } catch {
        killAndRemove(slot.dir);
      }
    }
    const dir = join(this.parent, `a${++this.made}`);
    ensureDir(dir);
    try {
      writeFileSync(join(dir, this.files.limit), String(memBytes));
    } catch (err) {
      killAndRemove(dir);
      throw err;
    }
    let kernelGroupKill = false;
    if (this.mechanism === 'cgroup2') {
      try {
        writeFileSync(join(dir, 'memory.oom.group'), '1');
        kernelGroupKill = true;
      } catch {
        /* kernel < 4.19: the sampler kills the cgroup instead, as on v1 */
      }
    }
    return { dir, kernelGroupKill, oomCounter: readKey(join(dir, this.files.events), 'oom_kill') };
  }

  /** Reads the memory in use of one attempt and keeps the peak. */
  private sample(w: Watched): number | null {
    let used: number | null = null;
    try {
      used = memoryInUse(readFileSync(join(w.dir, this.files.stat), 'utf8'), this.mechanism);
    } catch {
      /* removed meanwhile */
    }
    if (used !== null && used > w.peak) w.peak = used;
    return used;
  }

  private tick(): void {
    for (const w of this.watched) {
      this.sample(w);
      // Without memory.oom.group (v1): end the attempt once the kernel has OOM-killed anything in it.
      if (!w.kernelGroupKill && !w.groupKilled && (readKey(join(w.dir, this.files.events), 'oom_kill') ?? 0) > w.oomBefore) {
        w.groupKilled = true;
        killCgroupProcs(w.dir);
      }
    }
  }

  private watch(w: Watched): void {
    this.watched.add(w);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), SAMPLE_MS);
      this.timer.unref();
    }
  }

  private unwatch(w: Watched): void {
    this.watched.delete(w);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

class RlimitLimiter implements MemoryLimiter {
  readonly mechanism = 'rlimit' as const;
  dispose(): void {}
  prepare(_name: string, memBytes: number): AttemptLimit {
    return { procsFile: null, cgroupDir: null, ulimitKib: Math.max(1, Math.floor(memBytes / 1024)), usage: () => null, finish: () => ({ peakMemBytes: null, oomKills: null, cpuTimeMs: null }) };
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

/** Names of the limiters' own cgroup folders: `toolflow-<pid of the toolflow process>-<random hex>`. */
export const LIMITER_DIR_NAME = /^toolflow-\d+-[0-9a-f]+$/;

/** Whether the process `pid` runs (a zombie, dead but not yet reaped, does not). */
function ownerRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Removes the folders of toolflow processes that died without cleaning up (killed with SIGKILL):
 * `toolflow-<pid>-*` whose pid is gone. Their attempt cgroups are emptied first (SIGKILL to what runs
 * in them: the tools a dead run left behind).
 */
function removeStale(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => LIMITER_DIR_NAME.test(n));
  } catch {
    return;
  }
  for (const name of names) {
    if (ownerRuns(Number(name.split('-')[1]))) continue;
    const dir = join(base, name);
    try {
      for (const child of readdirSync(dir, { withFileTypes: true })) if (child.isDirectory()) killAndRemove(join(dir, child.name));
    } catch {
      /* raced with another cleaner */
    }
    killAndRemove(dir);
  }
}

/**
 * Makes the limiter's folder and checks that an attempt cgroup with a memory limit can be made in it.
 * On v2 the memory controller must be enabled in the `cgroup.subtree_control` of every ancestor of an
 * attempt cgroup (kernel docs, cgroup-v2 "Enabling and Disabling"): toolflow enables it in its own
 * cgroup (refused where that cgroup holds processes and is not the root, the "no internal process"
 * rule: then a delegated, empty cgroup is needed) and in the limiter's folder.
 */
function tryCgroup(mechanism: 'cgroup1' | 'cgroup2', parent: string, files: CgroupFiles): MemoryLimiter | null {
  removeStale(dirname(parent));
  const probe = join(parent, `toolflow-probe-${process.pid}`);
  try {
    if (mechanism === 'cgroup2') {
      try {
        writeFileSync(join(dirname(parent), 'cgroup.subtree_control'), '+memory');
      } catch {
        /* enabled already, or refused: the probe below tells */
      }
      ensureDir(parent);
      writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory');
    }
    ensureDir(probe);
    writeFileSync(join(probe, files.limit), String(64 * 1024 * 1024));
    rmdirSync(probe);
    return new CgroupLimiter(mechanism, parent, files);
  } catch {
    for (const dir of [probe, parent]) {
      try {
        rmdirSync(dir);
      } catch {
        /* never made */
      }
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
