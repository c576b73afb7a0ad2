/**
 * The one place where produced events are validated: a bus whose `publish` checks every event
 * against the catalog (`event-schemas.ts`) before the adapter under it sees any. `openAdapters`
 * wraps every bus in it, so every producer (the functions' outputs in `routeFunctions`, the work
 * managers, submit and cancel) goes through it. Consumed events are validated by each adapter
 * before a handler runs (`memory-bus.ts`, `amqp-consumer.ts`) and by the HTTP function layer.
 */
import type { EventBus } from './bus.js';
import { assertValidEvents } from './event-schemas.js';

/**
 * Wraps `bus`: `publish` throws EventInvalidError (code `EVENT_INVALID`, naming the event, its type
 * and field) before publishing anything when one of the events is invalid (a producer's bug);
 * everything else is `bus`'s own.
 */
export function validatingBus(bus: EventBus): EventBus {
  return {
    async publish(events) {
      assertValidEvents(events);
      await bus.publish(events);
    },
    subscribe: (consumer, types, handler, options) => bus.subscribe(consumer, types, handler, options),
    onDeadLetter: (listener) => bus.onDeadLetter(listener),
    idle: () => bus.idle(),
    close: () => bus.close(),
  };
}
