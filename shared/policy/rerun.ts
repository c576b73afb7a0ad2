/**
 * The rerun policy: after a failed attempt, rerun with more of the resource that ran out, or give up
 * with a message that says why. Pure. Follows docs/architecture.md ("Failure classification and
 * reruns"): `oom` → memory × grow, `disk` → disk × grow, both bounded by the tool's cap and what
 * the executor can give; `lost`, `undelivered` and `exit` rerun with the same resources when
 * `retry.on` names them.
 *
 * An executor that does not enforce disk (`capacity.diskBytes` null: the local executor, whose tools
 * write to whatever filesystem holds the work dir) cannot help a `disk` failure with more disk, so it
 * fails at once, saying so, instead of "rerunning with 20M, 40M disk" on the same full filesystem.
 */
import type { Resources } from '../scheduler/resources.js';
import { formatBytes, formatSeconds } from '../spec/resources.js';
import type { FailureReason, RetryPolicy } from '../spec/types.js';

/** The decision. `rerun` carries the next attempt's resources. */
export type RerunDecision = { action: 'rerun'; attempt: number; resources: Resources; note: string } | { action: 'fail'; message: string };

/** Input of `decideRerun`. */
export interface RerunInput {
  reason: FailureReason;
  /** The failed attempt's message from classification, e.g. "exited with code 2". */
  message: string;
  /** 1-based number of the failed attempt. */
  attempt: number;
  resources: Resources;
  retry: RetryPolicy;
  /** Most the executor can give one attempt: memory bytes, and disk bytes (null: the executor does not enforce disk). */
  capacity: { memBytes: number; diskBytes: number | null };
}

/** What a `disk` failure's message gets when the executor does not enforce disk. */
export const DISK_NOT_ENFORCED = 'the local executor cannot give a tool more disk — free space or use another --workdir';

/** Decides whether to rerun. */
export function decideRerun(input: RerunInput): RerunDecision {
  const { reason, message, attempt, resources, retry } = input;
  if (reason === 'disk' && input.capacity.diskBytes === null) return { action: 'fail', message: `${message}; ${DISK_NOT_ENFORCED}` };
  if (!retry.on.includes(reason as never)) return { action: 'fail', message };
  if (attempt >= retry.maxAttempts) {
    return { action: 'fail', message: `${message} (attempt ${attempt} of ${retry.maxAttempts}; no attempts left)` };
  }
  const next = { ...resources };
  if (reason === 'oom') {
    const cap = Math.min(retry.capMemBytes, input.capacity.memBytes);
    if (resources.memBytes >= cap) return { action: 'fail', message: `out of memory at the ${formatBytes(cap)} cap` };
    next.memBytes = Math.min(Math.ceil(resources.memBytes * retry.grow), cap);
    return { action: 'rerun', attempt: attempt + 1, resources: next, note: `memory ${formatBytes(resources.memBytes)} → ${formatBytes(next.memBytes)}` };
  }
  if (reason === 'disk') {
    if (resources.diskBytes === null) return { action: 'fail', message: 'no space left on device (the tool declares no disk, so a rerun cannot give it more)' };
    const cap = Math.min(retry.capDiskBytes, input.capacity.diskBytes!);
    if (resources.diskBytes >= cap) return { action: 'fail', message: `no space left on device at the ${formatBytes(cap)} cap` };
    next.diskBytes = Math.min(Math.ceil(resources.diskBytes * retry.grow), cap);
    return { action: 'rerun', attempt: attempt + 1, resources: next, note: `disk ${formatBytes(resources.diskBytes)} → ${formatBytes(next.diskBytes)}` };
  }
  if (reason === 'timeout' && resources.timeSeconds !== null) {
    const cap = retry.capTimeSeconds;
    if (resources.timeSeconds >= cap) return { action: 'fail', message: `${message}, at the ${formatSeconds(cap)} cap` };
    next.timeSeconds = Math.min(Math.ceil(resources.timeSeconds * retry.grow), cap);
    return { action: 'rerun', attempt: attempt + 1, resources: next, note: `time limit ${formatSeconds(resources.timeSeconds)} → ${formatSeconds(next.timeSeconds)}` };
  }
  return { action: 'rerun', attempt: attempt + 1, resources: next, note: 'same resources' };
}
