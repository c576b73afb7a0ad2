/**
 * In-process event bus for embedded mode: each subscription is a FIFO consumed one event at a time,
 * like a queue with prefetch 1. A handler that throws is retried (3 deliveries in all, as a broker
 * with a delivery limit would) and then dead-lettered: logged, kept in `deadLetters`, and told to
 * the `onDeadLetter` listeners. A handler failing with ServiceUnavailableError (a backend that does
 * not answer: a store locked by another process) is retried in place with backoff for up to
 * `unavailableWaitMs` without spending deliveries, as the RabbitMQ bus does. An event that can never
 * be handled is dead-lettered at once, without another delivery: one `validateEvent` refuses
 * (unknown type, data its schema refuses: its handler never runs), or one whose handler throws
 * EventInvalidError.
 *
 * A `background` subscription (an observer: notify) is not waited for by `idle()`, so a slow
 * notification never holds a run's result; `close()` gives its handlers `backgroundGraceMs` to
 * finish, then stops delivering (what is left is logged, not handled).
 */
import type { Logger } from 'pino';
import { EventInvalidError, ServiceUnavailableError, ToolflowError } from '../errors.js';
import type { EventTypeName, ToolflowEvent } from './catalog.js';
import { BACKGROUND_GRACE_MS, type DeadLetter, type EventBus, type EventHandler, type SubscribeOptions } from './bus.js';
import { validateEvent } from './event-schemas.js';
import { recordDeadLetter } from '../metrics/record.js';
import { eventLogFields } from '../runtime/log.js';

const MAX_DELIVERIES = 3;
/** How long a handler may wait out a backend that does not answer, ms (default). */
const UNAVAILABLE_WAIT_MS = 60_000;

interface Subscription {
  consumer: string;
  types: Set<string>;
  handler: EventHandler;
  filter?: (e: ToolflowEvent) => boolean;
  queue: ToolflowEvent[];
  head: number;
  running: boolean;
  background: boolean;
  /** Unsubscribed, or the bus closed (for a background one: once its grace is over): nothing more is delivered. */
  closed: boolean;
}

/** The in-process bus. */
export class MemoryBus implements EventBus {
  private readonly subs = new Set<Subscription>();
  private busy = 0;
  /** Background subscriptions being drained (even unsubscribed: what they took is theirs to finish), and what `close()` waits for. */
  private readonly backgroundDrains = new Map<Subscription, Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  /** Events whose handler failed every delivery. */
  readonly deadLetters: DeadLetter[] = [];
  private readonly deadLetterListeners = new Set<(dead: DeadLetter) => void>();

  /**
   * @param unavailableWaitMs how long a handler may wait out a backend that does not answer (ms).
   * @param backgroundGraceMs how long `close()` waits for background handlers to finish (ms).
   */
  constructor(
    private readonly log: Logger,
    private readonly unavailableWaitMs = UNAVAILABLE_WAIT_MS,
    private readonly backgroundGraceMs = BACKGROUND_GRACE_MS,
  ) {}

  onDeadLetter(listener: (dead: DeadLetter) => void): () => void {
    this.deadLetterListeners.add(listener);
    return () => this.deadLetterListeners.delete(listener);
  }

  async publish(events: ToolflowEvent[]): Promise<void> {
    for (const event of events) {
      for (const sub of this.subs) {
        if (sub.types.has(event.type) && (!sub.filter || sub.filter(event))) {
          sub.queue.push(event);
          this.kick(sub);
        }
      }
    }
  }

  subscribe(consumer: string, types: EventTypeName[], handler: EventHandler, options: SubscribeOptions = {}): () => void {
    const { taskId, background = false } = options;
    const filter = taskId === undefined ? undefined : (e: ToolflowEvent) => (e.data as { taskId?: string } | null)?.taskId === taskId;
    const sub: Subscription = { consumer, types: new Set(types), handler, filter, queue: [], head: 0, running: false, background, closed: false };
    this.subs.add(sub);
    return () => {
      // A background subscription finishes what it took (bounded by close()'s grace); others stop now.
      if (!sub.background) sub.closed = true;
      this.subs.delete(sub);
    };
  }

  idle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops delivering. Background handlers under way get `backgroundGraceMs` to finish; past that
   * this resolves anyway, their events logged as not handled (they change no task).
   */
  async close(): Promise<void> {
    for (const sub of this.subs) if (!this.backgroundDrains.has(sub)) sub.closed = true;
    this.subs.clear();
    const background = [...this.backgroundDrains.keys()];
    if (!background.length) return;
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      Promise.allSettled([...this.backgroundDrains.values()]).then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.backgroundGraceMs))),
    ]);
    clearTimeout(timer);
    for (const sub of background) sub.closed = true;
    if (late) {
      for (const sub of background.filter((b) => this.backgroundDrains.has(b))) {
        const left = sub.queue.length - sub.head + 1;
        this.log.warn({ function: functionOf(sub.consumer), consumer: sub.consumer, events: left }, `closing: ${sub.consumer} was still handling its events after ${this.backgroundGraceMs} ms; up to ${left} of them are not handled`);
      }
    }
  }

  private kick(sub: Subscription): void {
    if (sub.running) return;
    sub.running = true;
    if (sub.background) {
      const drained: Promise<void> = new Promise<void>((r) => setImmediate(r)).then(() => this.drain(sub));
      this.backgroundDrains.set(sub, drained);
      void drained.finally(() => this.backgroundDrains.delete(sub));
      return;
    }
    this.busy++;
    setImmediate(() => void this.drain(sub));
  }

  /** Dead-letters at once an event that can never be handled (logged naming it, kept, told to the listeners). */
  private refuse(sub: Subscription, event: ToolflowEvent, error: string, deliveries: number): void {
    this.log.error({ ...eventLogFields(event), err: error, function: functionOf(sub.consumer), consumer: sub.consumer, type: event.type, subject: event.subject, id: event.id }, 'event refused as invalid: dead-lettered at once, without another delivery');
    const dead = { consumer: sub.consumer, event, error, deliveries };
    recordDeadLetter(sub.consumer);
    this.deadLetters.push(dead);
    for (const l of this.deadLetterListeners) l(dead);
  }

  private async drain(sub: Subscription): Promise<void> {
    while (sub.head < sub.queue.length && !sub.closed) {
      const event = sub.queue[sub.head++]!;
      const waitUntil = Date.now() + this.unavailableWaitMs;
      const check = validateEvent(event);
      if (!check.ok) this.refuse(sub, event, check.message, 1);
      for (let delivery = 1, pause = 100; check.ok; ) {
        try {
          await sub.handler(event);
          break;
        } catch (err) {
          if (sub.closed) {
            // Closed while it was handled (a background handler past the grace): not delivered again.
            this.log.warn({ ...eventLogFields(event), err: err instanceof Error ? err.message : String(err), function: functionOf(sub.consumer), consumer: sub.consumer, type: event.type, subject: event.subject, id: event.id }, 'closing: the event was not handled');
            break;
          }
          if (err instanceof EventInvalidError) {
            this.refuse(sub, event, err.message, delivery);
            break;
          }
          if (err instanceof ServiceUnavailableError && Date.now() + pause < waitUntil && !sub.closed) {
            this.log.warn({ ...eventLogFields(event), err: err.message, function: functionOf(sub.consumer), consumer: sub.consumer, type: event.type, subject: event.subject, retryInMs: pause }, 'a backend does not answer; handling the event again soon');
            await new Promise((r) => setTimeout(r, pause));
            pause = Math.min(pause * 2, 5000);
            continue;
          }
          // A known failure says what it is in its message; only unexpected ones need their stack.
          this.log.error({ ...eventLogFields(event), err: err instanceof ToolflowError ? err.message : err, function: functionOf(sub.consumer), consumer: sub.consumer, type: event.type, subject: event.subject, delivery }, 'event handler failed');
          if (delivery >= MAX_DELIVERIES) {
            const dead = { consumer: sub.consumer, event, error: String((err as Error)?.message ?? err), deliveries: delivery };
            this.log.error({ ...eventLogFields(event), function: functionOf(sub.consumer), consumer: sub.consumer, type: event.type, subject: event.subject, id: event.id, deliveries: delivery }, `event dead-lettered after ${delivery} deliveries`);
            recordDeadLetter(sub.consumer);
            this.deadLetters.push(dead);
            for (const l of this.deadLetterListeners) l(dead);
            break;
          }
          delivery++;
        }
      }
      if (sub.head > 1024 && sub.head * 2 > sub.queue.length) {
        sub.queue = sub.queue.slice(sub.head);
        sub.head = 0;
      }
    }
    sub.running = false;
    if (sub.background) return;
    if (--this.busy === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** The function a consumer name stands for: `notify`, `schedule-tool/<taskId>` → `schedule-tool` (log field `function`). */
function functionOf(consumer: string): string {
  return consumer.replace(/\/.*$/, '');
}
