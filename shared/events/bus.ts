/**
 * The event bus port: publish CloudEvents, subscribe a named consumer to some types.
 * Delivery is at least once; consumers make their effects idempotent. Adapters: in-process
 * (`memory-bus.ts`); RabbitMQ comes with services mode.
 */
import type { EventTypeName, ToolflowEvent } from './catalog.js';

/** Handles one event; a rejection means "not done" and the bus delivers it again (bounded). */
export type EventHandler = (event: ToolflowEvent) => Promise<void>;

/** The bus port. */
export interface EventBus {
  /** Publishes events in order. Resolves when the bus has accepted them. */
  publish(events: ToolflowEvent[]): Promise<void>;
  /**
   * Subscribes a consumer. Each consumer gets every event of its types, one at a time, in publish order.
   * @param filter optional extra test (e.g. one task's subject) applied before delivery.
   * @returns a function that unsubscribes.
   */
  subscribe(consumer: string, types: EventTypeName[], handler: EventHandler, filter?: (e: ToolflowEvent) => boolean): () => void;
  /** Resolves once no event is queued or being handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}
