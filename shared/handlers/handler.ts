/**
 * The shape of a function: a handler takes one CloudEvent and the ports, does its effect, and
 * returns the events that effect implies. The same handler runs under the embedded router, Knative
 * (faas-js-runtime) and OpenFaaS. A handler must be idempotent: it may see the same event twice.
 */
import { fenceOf, type EventTypeName, type ToolflowEvent } from '../events/catalog.js';
import { eventStart, recordEventHandled } from '../metrics/record.js';
import type { Ports } from '../runtime/ports.js';
import { eventLogFields, withLogFields } from '../runtime/log.js';

/**
 * A function: its name, the event types it consumes, where it must run, and its handler.
 * `placement`: `shared` functions only touch the store, the bus and coordination, so any process
 * may handle any task's events (competing consumers on one queue); `task-host` functions act on the
 * work managers and the executor of the process that hosts a task, so each host subscribes them for
 * its own tasks only (a queue per task).
 */
export interface FunctionDef {
  name: string;
  consumes: EventTypeName[];
  placement: 'shared' | 'task-host';
  /** Events of different subjects it may handle at once (default 1); its handler must then be safe to run side by side. */
  concurrency?: number;
  /**
   * True for a function whose effect is outside the flow (notify: messages to people): it changes
   * no task, so when it gives up on an event (a dead letter) the task is not marked stalled.
   */
  observer?: boolean;
  handle(event: ToolflowEvent, ports: Ports): Promise<ToolflowEvent[]>;
}

/** The CloudEvent `source` of a function's events. */
export function sourceOf(functionName: string): string {
  return `/toolflow/functions/${functionName}`;
}

/**
 * Runs a function's handler on one event, as every host does (the bus router `routeFunctions`, the
 * HTTP function layer `shared/http/event-function.ts`): an event that carries a work manager's
 * fencing token (`ToolflowEvent.fencetoken`) is handled with a store fenced by it, and the events it
 * causes carry the token on. @returns the events to publish (not published here).
 * @throws whatever the handler throws.
 */
export async function runFunction(f: FunctionDef, event: ToolflowEvent, ports: Ports): Promise<ToolflowEvent[]> {
  const fence = fenceOf(event);
  // The handler's log lines name the function and the event's task, tool and attempt (runtime/log.ts).
  ports = { ...ports, log: withLogFields(ports.log, eventLogFields(event, f.name)) };
  // toolflow_event_handling_seconds / toolflow_event_failures_total, per try (shared/metrics/record.ts).
  const started = eventStart();
  let out: ToolflowEvent[];
  try {
    out = await f.handle(event, fence === undefined ? ports : { ...ports, store: ports.store.fenced(fence) });
  } catch (err) {
    recordEventHandled(f.name, started, true);
    throw err;
  }
  recordEventHandled(f.name, started, false);
  ports.log.debug({ type: event.type, id: event.id, events: out.length }, 'event handled');
  if (fence !== undefined) for (const e of out) e.fencetoken ??= event.fencetoken;
  return out;
}
