/**
 * The rerun policy: after a failed attempt, rerun with more of the resource that ran out, or give up
 * with a message that says why. Pure. Follows ARCHITECTURE.md's table: `oom` → memory × grow,
 * `disk` → disk × grow, both bounded by the tool's cap and what the executor can give; `lost`,
 * `undelivered` and `exit` rerun with the same resources when `retry.on` names them.
 */
import type { Resources } from '../scheduler/resources.js';
import { formatBytes } from '../spec/resources.js';
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
  /** Most the executor can give one attempt: memory bytes, and disk bytes (null: no limit known). */
  capacity: { memBytes: number; diskBytes: number | null };
}

/** Decides whether to rerun. */
export function decideRerun(input: RerunInput): RerunDecision {
  const { reason, message, attempt, resources, retry } = input;
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
    const cap = Math.min(retry.capDiskBytes, input.capacity.diskBytes ?? Infinity);
    if (resources.diskBytes >= cap) return { action: 'fail', message: `no space left on device at the ${formatBytes(cap)} cap` };
    next.diskBytes = Math.min(Math.ceil(resources.diskBytes * retry.grow), cap);
    return { action: 'rerun', attempt: attempt + 1, resources: next, note: `disk ${formatBytes(resources.diskBytes)} → ${formatBytes(next.diskBytes)}` };
  }
  return { action: 'rerun', attempt: attempt + 1, resources: next, note: `same resources after: ${message}` };
}
