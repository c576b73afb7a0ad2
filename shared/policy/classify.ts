/**
 * Failure classification (ARCHITECTURE.md, "Failure classification and reruns"): turns what a
 * tool's exit looked like into a reason that the rerun policy can act on. Pure.
 *
 * Rules, in order:
 * - `oomKilled` (cgroup `oom_kill` count, Kubernetes `OOMKilled`) → `oom`;
 * - killed by SIGKILL (or exit 137) with peak memory at ≥ 95 % of the limit → `oom`; exit 137 alone is
 *   not proof of OOM (anything may send SIGKILL), so without the memory evidence it is `exit`;
 * - allocation-failure text in stderr (`MemoryError`, `std::bad_alloc`, `Cannot allocate memory`,
 *   `java.lang.OutOfMemoryError`, `out of memory`) → `oom`;
 * - `No space left on device` / `ENOSPC` / `Disk quota exceeded` in stderr → `disk`;
 * - the watchdog's `lost` / `undelivered` verdicts pass through;
 * - anything else that is not a clean exit 0 with every declared output → `exit`.
 */
import type { ExitDetails } from '../events/catalog.js';
import { formatBytes } from '../spec/resources.js';
import type { FailureReason } from '../spec/types.js';

const OOM_TEXT = /MemoryError|std::bad_alloc|Cannot allocate memory|java\.lang\.OutOfMemoryError|\bout of memory\b|memory exhausted|ENOMEM/i;
const DISK_TEXT = /No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/i;
/** Share of the memory limit at which a SIGKILL counts as an OOM kill. */
export const OOM_PEAK_SHARE = 0.95;

/** A classified failure: the reason and a one-line message for people. */
export interface Failure {
  reason: FailureReason;
  message: string;
}

/**
 * Classifies an exit.
 * @param exit the exit report.
 * @param memLimitBytes the memory limit the attempt ran with.
 * @returns null for a success, else the failure.
 */
export function classifyExit(exit: ExitDetails, memLimitBytes: number): Failure | null {
  if (exit.launchError !== undefined) return { reason: 'config', message: `could not start: ${exit.launchError}` };
  if (exit.watchdog === 'lost') return { reason: 'lost', message: 'keepalives stopped: the tool was lost' };
  if (exit.watchdog === 'undelivered') return { reason: 'undelivered', message: 'the tool did not start in time (delivery failure)' };
  if (exit.exitCode === 0 && exit.signal === null) {
    if (exit.missingOutputs.length === 0) return null;
    return { reason: 'exit', message: `exited 0 but did not write the declared outputs: ${exit.missingOutputs.join(', ')}` };
  }
  const limit = formatBytes(memLimitBytes);
  if (exit.oomKilled) return { reason: 'oom', message: `out of memory: killed at the ${limit} limit` };
  const killed = exit.signal === 'SIGKILL' || exit.exitCode === 137;
  if (killed && exit.peakMemBytes !== null && exit.peakMemBytes >= OOM_PEAK_SHARE * memLimitBytes) {
    return { reason: 'oom', message: `out of memory: killed with memory at the ${limit} limit` };
  }
  const tail = exit.stderrTail;
  if (OOM_TEXT.test(tail)) return { reason: 'oom', message: `out of memory: allocation failed under the ${limit} limit` };
  if (DISK_TEXT.test(tail)) return { reason: 'disk', message: 'no space left on device' };
  if (exit.signal) return { reason: 'exit', message: `killed by ${exit.signal}` };
  return { reason: 'exit', message: `exited with code ${exit.exitCode}` };
}
