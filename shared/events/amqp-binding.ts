/**
 * How a CloudEvent travels in an AMQP 0-9-1 message (RabbitMQ). CloudEvents defines a binding for
 * AMQP 1.0 only (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/amqp-protocol-binding.md);
 * toolflow follows its *binary content mode* with AMQP 0-9-1 properties, as documented in docs/events.md:
 *
 * - body: `data` as JSON; `contentType` = `datacontenttype` (`application/json`);
 * - `messageId` = `id`, `type` = `type`, `timestamp` = `time` in seconds, `deliveryMode` 2 (persistent);
 * - every context attribute also as a header `ce-<name>` (as in the HTTP binding), so the event
 *   survives tools that copy headers but not properties (shovels, dead-lettering);
 * - routing key: `<type>.<taskId>` on the topic exchange, the task id with `.`, `*` and `#` turned
 *   into `_`, so a consumer binds `<type>.*` for every task or `<type>.<taskId>` for one.
 */
import type { ConsumeMessage, Options } from 'amqplib';
import type { EventTypeName, ToolflowEvent } from './catalog.js';

/** Names of a deployment's exchanges and queues on the broker, all under its namespace (default `toolflow`). */
export interface AmqpNames {
  /** The durable topic exchange every event is published to: `<ns>.events`. */
  exchange: string;
  /** The fanout exchange failed messages go to, `<ns>.dead-letter`, and the queue that keeps them, `<ns>.dead-letters`. */
  deadLetterExchange: string;
  deadLetterQueue: string;
  /** Queue of a consumer: `<ns>.<consumer>` with `/` as `.`. */
  queue(consumer: string): string;
}

/** The names under `namespace`. */
export function amqpNames(namespace = 'toolflow'): AmqpNames {
  return {
    exchange: `${namespace}.events`,
    deadLetterExchange: `${namespace}.dead-letter`,
    deadLetterQueue: `${namespace}.dead-letters`,
    queue: (consumer) => `${namespace}.${consumer.replace(/\//g, '.')}`,
  };
}

/** The routing-key word of a task id. */
export function taskWord(taskId: string): string {
  return taskId.replace(/[.*#]/g, '_') || '_';
}

/** Routing key of an event: `<type>.<taskId>`. */
export function routingKey(event: ToolflowEvent): string {
  return `${event.type}.${taskWord((event.data as { taskId: string }).taskId)}`;
}

/** Binding pattern of a consumer of `type`, for every task or for one. */
export function bindingPattern(type: EventTypeName, taskId?: string): string {
  return `${type}.${taskId === undefined ? '*' : taskWord(taskId)}`;
}

/** The body and properties of the AMQP message that carries `event`. */
export function toMessage(event: ToolflowEvent): { body: Buffer; options: Options.Publish } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event)) if (k !== 'data' && v !== undefined) headers[`ce-${k}`] = String(v);
  return {
    body: Buffer.from(JSON.stringify(event.data)),
    options: {
      messageId: event.id,
      type: event.type,
      contentType: event.datacontenttype ?? 'application/json',
      timestamp: Math.floor(Date.parse(event.time ?? new Date().toISOString()) / 1000),
      persistent: true,
      headers,
    },
  };
}

/**
 * The event an AMQP message carries.
 * @throws Error when the message has no `ce-specversion`/`ce-id`/`ce-type`/`ce-source` header or its body is not JSON.
 */
export function fromMessage(msg: Pick<ConsumeMessage, 'content' | 'properties'>): ToolflowEvent {
  const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('ce-')) attrs[k.slice(3)] = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString() : v;
  for (const required of ['specversion', 'id', 'type', 'source']) {
    if (typeof attrs[required] !== 'string') throw new Error(`AMQP message ${msg.properties.messageId ?? '(no id)'} is not a CloudEvent: header ce-${required} is missing`);
  }
  return { ...attrs, data: JSON.parse(msg.content.toString('utf8')) } as ToolflowEvent;
}
