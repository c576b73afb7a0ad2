/**
 * The rate limit of one DingTalk robot, and the digest of what it holds back.
 *
 * DingTalk takes at most 20 messages a minute from one custom robot and throttles it for 10
 * minutes past that (answering `130101`); its documentation advises folding such bursts into
 * markdown summaries (DingTalk's custom robot documentation, "消息发送频率限制", as quoted at
 * zhuoqun.info/article/182). So each robot gets a `RateLimitedSender`:
 *
 * - a **sliding window**: at most `max` (20) requests in any `windowMs` (60 s): a request made at t
 *   counts until t + 60 s + `marginMs` (1 s). The margin is for the robot's clock: DingTalk counts
 *   a request when it receives it, so a request sent exactly 60 s after another can land inside
 *   its window (a network delay shorter than the first one's) and be throttled for 10 minutes.
 *   Every request counts, retries too, whatever its answer.
 * - a message that finds the window full (or messages already waiting) is **folded**: held, and
 *   all those held are sent as **one digest** (`digestMessage`; a single held message goes as
 *   itself) as soon as the window has room again: a timer set for when the oldest request leaves
 *   the window.
 * - a `130101` answer (someone else's messages, another replica) **throttles** the robot for
 *   `throttleMs` (10 minutes, DingTalk's figure): the message is folded and the digest waits that long.
 * - a digest that fails is tried in place (`withRetries`), then again in **rounds** (1 min doubling
 *   to 10 min, jittered), at most `digestRounds` (5, so for about 15 minutes); a permanent refusal
 *   or the last round gives it up: `onGiveUp` gets the held messages (the notifier logs them as a
 *   dead letter).
 *
 * What is held lives in this process's memory only: a process that dies loses it (the events were
 * acknowledged when folded), and the window is this process's count, so the notify function runs
 * as one replica (its manifests say so). The clock is injectable (`LimiterClock`): tests move time
 * by hand instead of sleeping.
 */
import { digestMessage, type NotifyMessage } from './message-format.js';
import { NotifyTargetError } from './notify-errors.js';
import { DEFAULT_BACKOFF, REAL_RETRY_CLOCK, withRetries, type BackoffPolicy, type RetryClock } from './retry.js';

/** The robot's window, ms: 60 s (DingTalk: 20 messages a minute). */
export const WINDOW_MS = 60_000;
/** How much longer than `WINDOW_MS` a request is counted, ms: 1 s, for the time between this process and the robot. */
export const WINDOW_MARGIN_MS = 1_000;
/** Requests a robot takes per window: 20. */
export const MAX_PER_WINDOW = 20;
/** How long DingTalk throttles a robot that sent past its limit, ms: 10 minutes. */
export const THROTTLE_MS = 600_000;
/** Rounds a failing digest gets before it is given up. */
export const DIGEST_ROUNDS = 5;

/** Time and timers, injectable. */
export interface LimiterClock {
  /** Epoch ms. */
  now(): number;
  /** Calls `fn` after `ms`; the returned handle is for `clearTimer`. The timer must not keep the process alive. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The real clock: Date.now and unref'd timers. */
export const REAL_LIMITER_CLOCK: LimiterClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What a sender does with one message. */
export type DeliverOutcome = 'sent' | 'folded';

/** Options of a `RateLimitedSender`. */
export interface SenderOptions {
  /** One request to the robot with one message. @throws NotifyTargetError. */
  send(message: NotifyMessage): Promise<void>;
  /** Told of the held messages of a digest given up, and why. */
  onGiveUp(items: NotifyMessage[], error: string): void;
  /** Told when a send is tried again in place or a digest is put off (for the log). */
  onRetry?(what: string, err: unknown, delayMs: number): void;
  clock?: LimiterClock;
  retryClock?: RetryClock;
  backoff?: BackoffPolicy;
  windowMs?: number;
  /** Added to `windowMs` (default `WINDOW_MARGIN_MS`). */
  marginMs?: number;
  max?: number;
  throttleMs?: number;
  digestRounds?: number;
}

/** Thrown inside a digest's tries when the window has no room for another request: put off, not failed. */
class NoRoom extends Error {}

const isRateLimited = (err: unknown) => err instanceof NotifyTargetError && err.kind === 'rate-limited';
const isRetryable = (err: unknown) => !(err instanceof NotifyTargetError) || err.kind === 'retryable';

/** One robot's sliding window and digest (see the module's doc). */
export class RateLimitedSender {
  private readonly clock: LimiterClock;
  private readonly retryClock: RetryClock;
  /** The window, margin included, ms. */
  private readonly windowMs: number;
  private readonly max: number;
  /** When each request of the window was made, oldest first. */
  private sent: number[] = [];
  private held: NotifyMessage[] = [];
  private heldReason = '';
  private blockedUntil = 0;
  private rounds = 0;
  private timer: unknown;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: SenderOptions) {
    this.clock = options.clock ?? REAL_LIMITER_CLOCK;
    this.retryClock = options.retryClock ?? REAL_RETRY_CLOCK;
    this.windowMs = (options.windowMs ?? WINDOW_MS) + (options.marginMs ?? WINDOW_MARGIN_MS);
    this.max = options.max ?? MAX_PER_WINDOW;
  }

  /** Messages held for the next digest. */
  get heldCount(): number {
    return this.held.length;
  }

  /** When a request may be made again, epoch ms (now when there is room). */
  nextFreeAt(): number {
    const now = this.clock.now();
    this.prune(now);
    const windowFree = this.sent.length >= this.max ? this.sent[this.sent.length - this.max]! + this.windowMs : now;
    return Math.max(now, windowFree, this.blockedUntil);
  }

  /**
   * Sends `message` now, tried again in place on a retryable failure, or folds it into the digest
   * when the window is full (or messages are held already, or the robot says it is throttled).
   * @param onRetry told before each retry in place of this message (for the log of its event), instead of the sender's `onRetry`.
   * @returns `sent` or `folded`.
   * @throws NotifyTargetError: `permanent` at once, `retryable` once the tries are spent.
   */
  deliver(message: NotifyMessage, onRetry?: (err: unknown, delayMs: number) => void): Promise<DeliverOutcome> {
    return withRetries(
      async () => {
        if (this.held.length || !this.take()) {
          this.fold(message, `the robot takes ${this.max} messages a minute: these came past that`);
          return 'folded' as const;
        }
        try {
          await this.options.send(message);
          return 'sent' as const;
        } catch (err) {
          if (!isRateLimited(err)) throw err;
          this.throttle();
          this.fold(message, `DingTalk said the robot sent too fast (${(err as NotifyTargetError).errcode}) and throttles it for ${Math.round((this.options.throttleMs ?? THROTTLE_MS) / 60_000)} minutes`);
          return 'folded' as const;
        }
      },
      isRetryable,
      this.options.backoff ?? DEFAULT_BACKOFF,
      this.retryClock,
      (err, _n, delay) => (onRetry ? onRetry(err, delay) : this.options.onRetry?.('a message', err, delay)),
    );
  }

  /** Resolves once no digest is being sent (held messages waiting for the window may remain). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Stops: the timer is cleared; held messages are sent as a last digest when the window has room
   * now, else given up (`onGiveUp`). Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    await this.settled();
    if (!this.held.length) return;
    if (this.nextFreeAt() <= this.clock.now()) await this.flush(true);
    if (this.held.length) this.giveUp(this.held.splice(0), 'the notify function stopped before the robot\'s window had room for them');
  }

  /** Drops the requests that left the window. */
  private prune(now: number): void {
    let i = 0;
    while (i < this.sent.length && this.sent[i]! <= now - this.windowMs) i++;
    if (i) this.sent = this.sent.slice(i);
  }

  /** Takes a place in the window for a request now. @returns false when there is none. */
  private take(): boolean {
    const now = this.clock.now();
    this.prune(now);
    if (now < this.blockedUntil || this.sent.length >= this.max) return false;
    this.sent.push(now);
    return true;
  }

  /** The robot said it is throttled: nothing goes for `throttleMs`. */
  private throttle(): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + (this.options.throttleMs ?? THROTTLE_MS));
  }

  private fold(message: NotifyMessage, reason: string): void {
    this.held.push(message);
    this.heldReason = reason;
    this.schedule();
  }

  /** Sets the timer of the next digest, unless one is set or being sent. */
  private schedule(): void {
    if (this.closed || this.timer !== undefined || this.flushing || !this.held.length) return;
    const delay = Math.max(0, this.nextFreeAt() - this.clock.now());
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      void this.flush(false);
    }, delay);
  }

  private giveUp(items: NotifyMessage[], error: string): void {
    this.options.onGiveUp(items, error);
  }

  /** Sends what is held as one digest (see the module's doc for what a failure does). */
  private flush(last: boolean): Promise<void> {
    if (this.flushing || !this.held.length) return this.flushing ?? Promise.resolve();
    const items = this.held.splice(0);
    const reason = this.heldReason;
    const digest = items.length === 1 ? items[0]! : digestMessage(items, reason);
    const run = async () => {
      try {
        await withRetries(
          async () => {
            if (!this.take()) throw new NoRoom();
            await this.options.send(digest);
          },
          (err) => !(err instanceof NoRoom) && isRetryable(err),
          this.options.backoff ?? DEFAULT_BACKOFF,
          this.retryClock,
          (err, _n, delay) => this.options.onRetry?.('a digest', err, delay),
        );
        this.rounds = 0;
      } catch (err) {
        const put = () => this.held.unshift(...items);
        if (err instanceof NoRoom) put();
        else if (isRateLimited(err)) {
          this.throttle();
          put();
        } else if (!isRetryable(err) || last || ++this.rounds >= (this.options.digestRounds ?? DIGEST_ROUNDS)) {
          this.rounds = 0;
          this.giveUp(items, (err as Error).message);
        } else {
          const delay = Math.round(Math.min(THROTTLE_MS, WINDOW_MS * 2 ** (this.rounds - 1)) * (0.5 + this.retryClock.random() / 2));
          this.options.onRetry?.('a digest', err, delay);
          this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + delay);
          put();
        }
      }
    };
    this.flushing = run().finally(() => {
      this.flushing = undefined;
      this.schedule();
    });
    return this.flushing;
  }
}
