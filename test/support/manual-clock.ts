/**
 * A clock a test moves by hand, for code that takes a `LimiterClock` (shared/notify/rate-limit.ts)
 * and a `RetryClock` (shared/notify/retry.ts): `advance(ms)` moves time and runs the timers that
 * fell due, in order; retry waits are recorded and return at once. No test sleeps.
 */
import type { LimiterClock } from '../../shared/notify/rate-limit.js';
import type { RetryClock } from '../../shared/notify/retry.js';

/** A hand-moved clock. */
export interface ManualClock extends LimiterClock {
  /** Moves time forward by `ms`, running each timer that falls due (at its own time). */
  advance(ms: number): void;
  /** Timers set and not yet run. */
  pending(): number;
  /** The waits of `retry` so far, ms. */
  waits: number[];
  /** A RetryClock whose `sleep` records the wait (and moves this clock by it) and `random` gives `randomValue`. */
  retry: RetryClock;
  randomValue: number;
}

/** A manual clock starting at `start` (epoch ms). */
export function manualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: ManualClock = {
    now: () => now,
    setTimer(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimer: (h) => void timers.delete(h as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = end;
    },
    pending: () => timers.size,
    waits: [],
    randomValue: 0.5,
    retry: {
      sleep: async (ms) => {
        clock.waits.push(ms);
        now += ms;
      },
      random: () => clock.randomValue,
    },
  };
  return clock;
}
