/**
 * Failure classification (docs/architecture.md, "Failure classification and reruns"): turns what a
 * tool's exit looked like into a reason that the rerun policy can act on. Pure.
 *
 * Rules, in order:
 * - a launch error → `config`; an input that changed while the tool ran (`inputChanged`: inputs are
 *   read-only) → `config`, whatever the exit code; the watchdog's `lost`, `undelivered` and `timeout` verdicts pass through;
 * - **any kernel OOM kill** in the attempt (`oomKills` > 0, the cgroup's own `oom_kill` counter) →
 *   `oom`, **even when the tool's shell exited 0**. A tool whose children were OOM-killed may carry
 *   on and exit 0 with incomplete outputs (Argo Workflows issue #4080 is that bug); Kubernetes ≥ 1.28
 *   on cgroup v2 sets `memory.oom.group`, so any OOM kill ends the whole container, and the local
 *   executor does the same (`memory-limit.ts`). So such an attempt failed, and its message says how
 *   many processes were killed;
 * - a clean exit 0 with every declared output → success; missing outputs → `exit`;
 * - `oomKilled` without a count (Kubernetes `OOMKilled`) → `oom`;
 * - a full filesystem under the work dir (`diskFull`: statfs at exit, or ENOSPC from the executor's
 *   own writes) → `disk`, naming the filesystem and its free space;
 * - killed by SIGKILL (or exit 137) with peak memory at ≥ 95 % of the limit → `oom`, **only where no
 *   OOM-kill counter exists** (`oomKills` absent): where the kernel's counter says 0, a SIGKILL came
 *   from something else and is `exit`; exit 137 alone is never proof of OOM;
 * - allocation-failure text in stderr → `oom`: generic (`MemoryError`, `std::bad_alloc`, `Cannot
 *   allocate memory`, `out of memory`), V8/Node.js ("Fatal process out of memory", "Fatal process
 *   OOM", "Failed to reserve virtual memory", "JavaScript heap out of memory"), Go ("runtime: out of
 *   memory", "fatal error: runtime: cannot allocate memory") and JVM ("Could not reserve enough
 *   space", "There is insufficient memory for the Java Runtime Environment",
 *   `java.lang.OutOfMemoryError`). Under the `ulimit -v` fallback the message says that these
 *   runtimes reserve address space far beyond their use;
 * - `No space left on device` / `ENOSPC` / `Disk quota exceeded` in stderr → `disk`;
 * - anything else → `exit`, with exit codes above 128 named by their signal (`exit-codes.ts`).
 */
import type { ExitDetails } from '../events/catalog.js';
import { formatBytes, formatSeconds } from '../spec/resources.js';
import type { FailureReason } from '../spec/types.js';
import { describeExitCode } from './exit-codes.js';

/** Out-of-memory texts by runtime; the generic ones last. `reserves`: the runtime reserves address space beyond its use. */
const OOM_TEXTS: { runtime: string | null; reserves: boolean; pattern: RegExp }[] = [
  { runtime: 'V8/Node.js', reserves: true, pattern: /Fatal process (?:out of memory|OOM)|Failed to reserve virtual memory|JavaScript heap out of memory|FATAL ERROR: .*Allocation failed/i },
  { runtime: 'Go', reserves: true, pattern: /fatal error: runtime: (?:out of memory|cannot allocate memory)|^runtime: out of memory/im },
  { runtime: 'JVM', reserves: true, pattern: /Could not reserve enough space|There is insufficient memory for the Java Runtime Environment|java\.lang\.OutOfMemoryError/i },
  { runtime: null, reserves: false, pattern: /MemoryError|std::bad_alloc|Cannot allocate memory|\bout of memory\b|memory exhausted|ENOMEM/i },
];
const DISK_TEXT = /No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/i;
/** Share of the memory limit at which a SIGKILL counts as an OOM kill (only where no OOM-kill counter exists). */
export const OOM_PEAK_SHARE = 0.95;

/** A classified failure: the reason and a one-line message for people. */
export interface Failure {
  reason: FailureReason;
  message: string;
}

function processes(n: number): string {
  return n === 1 ? '1 process' : `${n} processes`;
}

/** The line of `text` around the first match of `pattern`, trimmed to 160 characters. */
function matchedLine(text: string, pattern: RegExp): string {
  const m = pattern.exec(text);
  if (!m) return '';
  const start = text.lastIndexOf('\n', m.index) + 1;
  const end = text.indexOf('\n', m.index);
  const line = text.slice(start, end < 0 ? undefined : end).replace(/^[#\s]+/, '').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/**
 * Classifies an exit.
 * @param exit the exit report.
 * @param memLimitBytes the memory limit the attempt ran with.
 * @returns null for a success, else the failure.
 */
export function classifyExit(exit: ExitDetails, memLimitBytes: number, timeLimitSeconds: number | null = null): Failure | null {
  if (exit.launchError !== undefined) return { reason: 'config', message: `could not start: ${exit.launchError}` };
  // Inputs are read-only to tools: whatever it exited with, its results came from other bytes than those submitted.
  if (exit.inputChanged !== undefined) return { reason: 'config', message: exit.inputChanged };
  if (exit.watchdog === 'lost') return { reason: 'lost', message: 'keepalives stopped: the tool was lost' };
  if (exit.watchdog === 'undelivered') return { reason: 'undelivered', message: 'the tool did not start in time (delivery failure)' };
  if (exit.watchdog === 'timeout') return { reason: 'timeout', message: timeLimitSeconds ? `ran past its time limit of ${formatSeconds(timeLimitSeconds)} and was stopped` : 'stopped at its time limit' };
  const limit = formatBytes(memLimitBytes);
  const clean = exit.exitCode === 0 && exit.signal === null;
  if (exit.oomKills !== undefined && exit.oomKills > 0) {
    const killed = `the kernel OOM-killed ${processes(exit.oomKills)} of the tool at the ${limit} limit`;
    return { reason: 'oom', message: clean ? `out of memory: ${killed}; its shell exited 0, but its outputs may be incomplete` : `out of memory: ${killed}` };
  }
  if (clean) {
    if (exit.missingOutputs.length === 0) return null;
    return { reason: 'exit', message: `exited 0 but did not write the declared outputs: ${exit.missingOutputs.join(', ')}` };
  }
  if (exit.oomKilled) return { reason: 'oom', message: `out of memory: killed at the ${limit} limit` };
  if (exit.diskFull) {
    const d = exit.diskFull;
    const inodes = d.freeInodes === 0 ? ' and no free inode' : '';
    return { reason: 'disk', message: `no space left on device: ${d.path} has ${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)}${inodes}` };
  }
  const sigkill = exit.signal === 'SIGKILL' || exit.exitCode === 137;
  if (sigkill && exit.oomKills === undefined && exit.peakMemBytes !== null && exit.peakMemBytes >= OOM_PEAK_SHARE * memLimitBytes) {
    return { reason: 'oom', message: `out of memory: killed with memory at the ${limit} limit` };
  }
  const tail = exit.stderrTail;
  const oom = OOM_TEXTS.find((t) => t.pattern.test(tail));
  if (oom) {
    const what = matchedLine(tail, oom.pattern);
    const runtime = oom.runtime ? `${oom.runtime}: ` : '';
    const rlimit =
      exit.memLimitKind === 'rlimit' && oom.reserves
        ? `; the ulimit -v fallback limits each process's address space, which ${oom.runtime} reserves far beyond its use: give the tool a much larger mem, or run toolflow where it may use cgroups`
        : '';
    return { reason: 'oom', message: `out of memory: allocation failed under the ${limit} limit (${runtime}${what})${rlimit}` };
  }
  if (DISK_TEXT.test(tail)) return { reason: 'disk', message: 'no space left on device' };
  if (exit.signal) return { reason: 'exit', message: `killed by ${exit.signal}` };
  const described = describeExitCode(exit.exitCode);
  if (sigkill && exit.oomKills === 0) return { reason: 'exit', message: `${described}; not an OOM kill: the kernel's OOM-kill counter of the attempt is 0, so something else sent SIGKILL` };
  return { reason: 'exit', message: described };
}
