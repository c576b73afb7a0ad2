/**
 * The event bus port: publish CloudEvents, subscribe a named consumer to some types.
 * Delivery is at least once; consumers make their effects idempotent. Adapters: in-process
 * (`memory-bus.ts`) and RabbitMQ (`amqp-bus.ts`, services mode).
 */
import type { EventTypeName, ToolflowEvent } from './catalog.js';

/** How long a closing process waits for background handlers (notify) to finish, ms: 5 s. */
export const BACKGROUND_GRACE_MS = 5_000;

/** Handles one event; a rejection means "not done" and the bus delivers it again (bounded). */
export type EventHandler = (event: ToolflowEvent) => Promise<void>;

/** What a subscription receives besides its types. */
export interface SubscribeOptions {
  /** Only this task's events (the work manager of a task, a waiter, a progress display). */
  taskId?: string;
  /**
   * How many events of different subjects the handler may take at once (default 1). Events of one
   * subject (a task, or a task's tool) are always handled one at a time, in publish order. An
   * adapter may handle fewer at once (the in-process bus handles one).
   */
  concurrency?: number;
  /**
   * An observer's subscription (notify): `idle()` does not wait for its events, so a slow or hung
   * target never holds back a run's result, and `close()` waits for its handlers only a bounded
   * time (the in-process bus: `BACKGROUND_GRACE_MS`). Default false.
   */
  background?: boolean;
}

/** An event whose handler failed every delivery: the bus gave up on it (a dead letter). */
export interface DeadLetter {
  consumer: string;
  event: ToolflowEvent;
  /** The last failure's message. */
  error: string;
  /** Deliveries made. */
  deliveries: number;
}

/** The bus port. */
export interface EventBus {
  /** Publishes events in order. Resolves when the bus has accepted them. */
  publish(events: ToolflowEvent[]): Promise<void>;
  /**
   * Subscribes a consumer. Each consumer gets every event of its types (of one task with
   * `options.taskId`), in publish order per subject (see `SubscribeOptions.concurrency`). Two subscriptions with the same consumer name
   * share one queue (competing consumers). A handler that keeps failing is dead-lettered after a
   * bounded number of deliveries; an event `validateEvent` refuses (`event-schemas.ts`: unknown
   * type, data its schema refuses) is dead-lettered at once without running the handler, and so is
   * one whose handler throws EventInvalidError.
   * @returns a function that unsubscribes (and, for a task-scoped consumer, deletes its queue).
   */
  subscribe(consumer: string, types: EventTypeName[], handler: EventHandler, options?: SubscribeOptions): () => void;
  /**
   * Calls `listener` for every event this process dead-letters (its handler here failed the last
   * delivery), so the task it belongs to can be told it will not progress.
   * @returns a function that removes the listener.
   */
  onDeadLetter(listener: (dead: DeadLetter) => void): () => void;
  /** Resolves once no event is queued or being handled (background subscriptions aside). */
  idle(): Promise<void>;
  close(): Promise<void>;
}
