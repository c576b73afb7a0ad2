/**
 * What a dead toolflow process left running. When `toolflow run` is SIGKILLed (or crashes), its
 * tools go on: their bash workers only notice when the attempt ends. Before `resume` reruns such an
 * attempt, it stops the old one, found by the pid file that the attempt's shell writes into its work
 * dir as it starts (`process-launcher.ts`), `.toolflow.pid`, three lines:
 *
 * ```
 * <boot id>
 * <cgroup folder, or nothing>
 * <the shell's /proc/<pid>/stat line at its start>
 * ```
 *
 * - boot id: `/proc/sys/kernel/random/boot_id` (`-` when unreadable), so nothing is signalled after
 *   a reboot;
 * - cgroup: the attempt's memory cgroup, if any, which also holds processes that left the group;
 * - from the stat line (proc(5)): field 1, the shell's pid, which is the attempt's process group, and
 *   field 22, its start time (clock ticks since boot), so a pid the system has since given to another
 *   process is never signalled. The shell writes the line as it read it, unparsed (bash builtins only).
 *
 * The executor removes the file when the attempt ends.
 */
import { readdirSync, readFileSync, rmSync, unlink } from 'node:fs';
import { join } from 'node:path';
import { killAndRemove } from './memory-limit.js';

/** Name of the pid file in an attempt's work dir. */
export const PID_FILE = '.toolflow.pid';
/** Longest wait, ms, for SIGKILLed leftovers to be gone. */
export const LEFTOVER_WAIT_MS = 10_000;
/** The only cgroup paths a pid file may name: an attempt cgroup of a toolflow limiter. */
const ATTEMPT_CGROUP = /^\/sys\/fs\/cgroup\/(?:[^/]+\/)*toolflow-\d+-[0-9a-f]+\/a\d+$/;

/** The content of a pid file. */
export interface AttemptPidRecord {
  pgid: number;
  start: string;
  /** Null when it could not be read. */
  boot: string | null;
  cgroup: string | null;
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Removes an attempt's pid file, in the background; a missing one is fine (the start time guards a
 * stale one). One unlink on the thread pool: `fs.promises.rm` costs an lstat, an unlink and its
 * promise machinery on every attempt's exit (issue 10 §6).
 */
export function removePidFile(workDir: string): void {
  unlink(join(workDir, PID_FILE), () => undefined);
}

/** Reads an attempt's pid file. @returns null when there is none, or it is not one (a cgroup path of another shape is dropped). */
export function readPidFile(workDir: string): AttemptPidRecord | null {
  let text: string;
  try {
    text = readFileSync(join(workDir, PID_FILE), 'utf8');
  } catch {
    return null;
  }
  const [boot = '', second = '', stat = ''] = text.split('\n');
  const pgid = Number(/^(\d+) \(/.exec(stat)?.[1]);
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  if (!(pgid > 1) || !start || !/^\d+$/.test(start) || !/^\S+$/.test(boot)) return null;
  const cgroup = ATTEMPT_CGROUP.test(second) && !second.includes('/../') ? second : null;
  return { pgid, start, boot: boot === '-' ? null : boot, cgroup };
}

/** `/proc/<pid>/stat` fields from the third on (state, ppid, pgrp…), or null when the process is gone. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** True while `pid` runs with the start time `start` and is not a zombie. */
function runsAs(pid: number, start: string): boolean {
  const f = statFields(pid);
  return f !== null && f[0] !== 'Z' && f[19] === start;
}

/**
 * Processes still in process group `pgid` whose environment names this attempt's work dir
 * (`TF_WORKDIR`, exported by command.sh to every command): the attempt's own, even after its shell,
 * the group's leader, has ended. @returns [pid, start time] pairs.
 */
function groupMembers(pgid: number, workDir: string): [number, string][] {
  const marker = `\0TF_WORKDIR=${workDir}\0`;
  const found: [number, string][] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const f = statFields(pid);
    if (!f || f[0] === 'Z' || Number(f[2]) !== pgid || pid === process.pid) continue;
    try {
      if (('\0' + readFileSync(`/proc/${pid}/environ`, 'latin1')).includes(marker)) found.push([pid, f[19]!]);
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return found;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone meanwhile */
  }
}

/**
 * Stops what an earlier process left running of one attempt: SIGKILL to its process group when its
 * leader still runs with the recorded start time, to the group's members that carry the attempt's
 * `TF_WORKDIR` when the leader is gone, and to everything in its cgroup; then waits until they are
 * gone (zombies count as gone) and removes the pid file. Call it only when the attempt's driver is
 * known to be dead: a live driver's attempt would be killed as well.
 * @param workDir the attempt's work dir (absolute, as the executor made it).
 * @returns true when something was found running and stopped.
 * @throws Error naming the pids when they are still there after `LEFTOVER_WAIT_MS`.
 */
export async function stopLeftoverAttempt(workDir: string): Promise<boolean> {
  const rec = readPidFile(workDir);
  if (!rec) return false;
  const boot = bootId();
  if (rec.boot !== null && boot !== null && rec.boot !== boot) {
    rmSync(join(workDir, PID_FILE), { force: true }); // the machine rebooted since: nothing of it runs
    return false;
  }
  const targets: [number, string][] = [];
  if (runsAs(rec.pgid, rec.start)) {
    try {
      process.kill(-rec.pgid, 'SIGKILL');
    } catch {
      /* ended meanwhile */
    }
    targets.push([rec.pgid, rec.start]);
  }
  for (const [pid, start] of groupMembers(rec.pgid, workDir)) {
    kill(pid);
    targets.push([pid, start]);
  }
  let found = targets.length > 0;
  if (rec.cgroup !== null) {
    let procs = '';
    try {
      procs = readFileSync(join(rec.cgroup, 'cgroup.procs'), 'utf8').trim();
    } catch {
      /* removed already (the stale-cgroup cleanup of a new limiter) */
    }
    if (procs !== '') found = true;
    if (!killAndRemove(rec.cgroup)) throw new Error(`the leftover cgroup ${rec.cgroup} of ${workDir} still holds processes after SIGKILL`);
  }
  const deadline = Date.now() + LEFTOVER_WAIT_MS;
  for (;;) {
    const left = targets.filter(([pid, start]) => runsAs(pid, start));
    if (left.length === 0) break;
    if (Date.now() > deadline) throw new Error(`leftover processes ${left.map(([p]) => p).join(', ')} of ${workDir} still run ${LEFTOVER_WAIT_MS / 1000} s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 20));
  }
  rmSync(join(workDir, PID_FILE), { force: true });
  return found;
}
