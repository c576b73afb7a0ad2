/**
 * Who a process is, in a form another process on the same machine can check later: host name,
 * boot id, pid and the pid's start time. A pid alone is not enough (pids are reused); the start time
 * (field 22 of `/proc/<pid>/stat`, clock ticks since boot; proc(5)) tells a reused pid apart, and the
 * boot id (`/proc/sys/kernel/random/boot_id`) tells a reboot apart.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** A process's identity. `start` is null where /proc is not available. */
export interface ProcessIdentity {
  host: string;
  boot: string | null;
  pid: number;
  start: string | null;
  /** What the process is, for people: `toolflow run`, `toolflow resume`. */
  what?: string;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Fields 3 on of `/proc/<pid>/stat` (proc(5)), or null when the process does not run. */
function statFields(pid: number): string[] | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The start time of `pid` in clock ticks since boot (proc(5) `starttime`), or null when it does not run. */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null; // field 22 overall; fields[0] is field 3
}

/** What this process is by its command line: `toolflow run` for `node …/toolflow.js run …`. */
function ownCommand(): string | undefined {
  return /toolflow(\.js)?$/.test(process.argv[1] ?? '') && process.argv[2] ? `toolflow ${process.argv[2]}` : undefined;
}

/** This process's identity; `what` defaults to the toolflow command it runs. */
export function currentProcess(what: string | undefined = ownCommand()): ProcessIdentity {
  return { host: hostname(), boot: readOrNull('/proc/sys/kernel/random/boot_id'), pid: process.pid, start: processStartTime(process.pid), ...(what ? { what } : {}) };
}

/**
 * Whether a process is known to be gone: it ran on this machine (same host and boot) and its pid
 * no longer runs, or runs with another start time (reused). A process of another machine, or of
 * one whose liveness cannot be read, is never known to be gone (false).
 */
export function isKnownDead(p: ProcessIdentity): boolean {
  const me = currentProcess();
  if (p.host !== me.host) return false;
  if (p.boot !== null && me.boot !== null && p.boot !== me.boot) return true; // the machine rebooted since
  if (p.pid === me.pid && p.start === me.start) return false;
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const fields = statFields(p.pid);
  // A zombie (state Z: killed, not yet reaped by its parent) or a dead process (X) runs no more.
  if (fields && (fields[0] === 'Z' || fields[0] === 'X')) return true;
  const start = fields?.[19] ?? null;
  return p.start !== null && start !== null && start !== p.start;
}

/** Parses an identity stored as JSON, or null when it is not one. */
export function parseIdentity(text: string): ProcessIdentity | null {
  try {
    const v = JSON.parse(text) as Partial<ProcessIdentity>;
    return typeof v.host === 'string' && typeof v.pid === 'number' ? { host: v.host, boot: v.boot ?? null, pid: v.pid, start: v.start ?? null, ...(v.what ? { what: v.what } : {}) } : null;
  } catch {
    return null;
  }
}

/** "process 1234 on host-a (toolflow run)", for messages. */
export function describeProcess(p: ProcessIdentity): string {
  return `process ${p.pid} on ${p.host}${p.what ? ` (${p.what})` : ''}`;
}
