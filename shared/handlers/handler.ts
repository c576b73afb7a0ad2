/**
 * The shape of a function: a handler takes one CloudEvent and the ports, does its effect, and
 * returns the events that effect implies. The same handler runs under the embedded router, Knative
 * (faas-js-runtime) and OpenFaaS. A handler must be idempotent: it may see the same event twice.
 */
import type { EventTypeName, ToolflowEvent } from '../events/catalog.js';
import type { Ports } from '../runtime/ports.js';

/** A function: its name, the event types it consumes, and its handler. */
export interface FunctionDef {
  name: string;
  consumes: EventTypeName[];
  handle(event: ToolflowEvent, ports: Ports): Promise<ToolflowEvent[]>;
}

/** The CloudEvent `source` of a function's events. */
export function sourceOf(functionName: string): string {
  return `/toolflow/functions/${functionName}`;
}
