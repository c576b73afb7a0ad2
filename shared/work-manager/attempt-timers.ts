/**
 * The timers a work manager keeps per tool: the watchdog (no Start in time → `undelivered`; no
 * report in time → `lost`) and the time limit (running past its `time` → `timeout`, as Kubernetes'
 * `activeDeadlineSeconds` counts from the start). Timers never keep the process alive.
 */

/** Node's longest timer, ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Which timer. */
export type TimerKind = 'watchdog' | 'deadline';

/** Timers by tool and kind. */
export class AttemptTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /**
   * Starts, or restarts, the `kind` timer of `tool`: `fire` runs once after `seconds`. Longer than
   * Node's longest timer (2^31 - 1 ms, about 24.8 days; a longer one would fire at once), it waits in
   * steps.
   */
  set(tool: string, kind: TimerKind, seconds: number, fire: () => void): void {
    this.clear(tool, kind);
    const key = `${kind}:${tool}`;
    const due = Date.now() + seconds * 1000;
    const step = () => {
      const left = due - Date.now();
      const timer = setTimeout(() => {
        if (left > MAX_TIMER_MS) return step();
        this.timers.delete(key);
        fire();
      }, Math.min(Math.max(left, 0), MAX_TIMER_MS));
      timer.unref();
      this.timers.set(key, timer);
    };
    step();
  }

  /** Stops the `kind` timer of `tool`, or both when `kind` is not given. */
  clear(tool: string, kind?: TimerKind): void {
    for (const k of kind ? [kind] : (['watchdog', 'deadline'] as const)) {
      const key = `${k}:${tool}`;
      const timer = this.timers.get(key);
      if (timer) clearTimeout(timer);
      this.timers.delete(key);
    }
  }

  /** Stops every timer. */
  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
