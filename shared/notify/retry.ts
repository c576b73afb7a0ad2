/**
 * Tries in place with exponential backoff and jitter, for the sends of the notify function.
 *
 * The delay before retry n (1-based) is `min(maxMs, baseMs × 2^(n-1))` scaled by a random factor in
 * [0.5, 1) ("equal jitter", Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog,
 * 2015): it still grows, but senders that failed together do not retry together. The defaults keep
 * one handling well inside the connector's 60 s request timeout (README, "Connector"): 3 tries of at
 * most 10 s each (`REQUEST_TIMEOUT_MS`) and at most 0.5 + 1 s of waiting between them.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

/** How one send is tried in place. */
export interface BackoffPolicy {
  /** Tries in all, the first included (≥ 1). */
  attempts: number;
  /** Delay before the first retry, before jitter, ms. */
  baseMs: number;
  /** Longest delay, before jitter, ms. */
  maxMs: number;
}

/** The notify function's default: 3 tries, 0.5 s then 1 s (before jitter), capped at 4 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { attempts: 3, baseMs: 500, maxMs: 4000 };

/** How long one request to a target may take (answer and body), ms. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The signal of one request: its timeout, and `stop` when given (whichever comes first).
 * `AbortSignal.any` is in Node ≥ 20.3.
 */
export function requestSignal(timeoutMs: number, stop?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return stop ? AbortSignal.any([timeout, stop]) : timeout;
}

/** What the waits are made of; tests give a `sleep` that records and resolves at once, and a fixed `random`. */
export interface RetryClock {
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1), as Math.random. */
  random(): number;
}

/** Real time and Math.random. */
export const REAL_RETRY_CLOCK: RetryClock = { sleep: (ms) => sleepFor(ms).then(() => undefined), random: Math.random };

/**
 * The delay before retry `retry` (1 for the first retry), ms, with jitter from `random` (a number in [0, 1)).
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(ceiling * (0.5 + random / 2));
}

/**
 * Runs `attempt` until it resolves, it throws something `retryable` refuses, or `policy.attempts`
 * tries were made, waiting `backoffDelay` between tries.
 * @param onRetry told before each wait (the error that caused it, the try that failed, the delay).
 * @returns what `attempt` resolved with.
 * @throws the last error (the first one `retryable` refuses, or the one of the last try).
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  retryable: (err: unknown) => boolean,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  clock: RetryClock = REAL_RETRY_CLOCK,
  onRetry?: (err: unknown, n: number, delayMs: number) => void,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= policy.attempts || !retryable(err)) throw err;
      const delay = backoffDelay(n, policy, clock.random());
      onRetry?.(err, n, delay);
      await clock.sleep(delay);
    }
  }
}
