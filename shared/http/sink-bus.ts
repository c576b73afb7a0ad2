/**
 * A publish-only bus that POSTs every event to `K_SINK` (Knative: the URL a SinkBinding or a Source
 * injects, usually the Broker's ingress), one request per event, in order, in CloudEvents HTTP binary
 * mode (the cloudevents SDK's `HTTP.binary`). An event counts as accepted once the sink answers 2xx
 * (Knative's broker ingress answers 202 once it has the event). Nothing subscribes through it: an
 * event function that runs with a sink has its events routed back to it by the Broker's Triggers.
 */
import { CloudEvent, HTTP } from 'cloudevents';
import type { Logger } from 'pino';
import type { DeadLetter, EventBus, EventHandler } from '../events/bus.js';
import type { EventTypeName, ToolflowEvent } from '../events/catalog.js';
import { ConfigError, ServiceUnavailableError } from '../errors.js';
import { maskUrl } from '../mask-url.js';

/** How long one POST to the sink may take, ms, before the event counts as not accepted. */
export const SINK_TIMEOUT_MS = 30_000;

/** The events in binary mode: headers (`ce-*`, `content-type`) and the JSON data as the body. */
export function binaryMessage(event: ToolflowEvent): { headers: Record<string, string>; body: string } {
  const message = HTTP.binary(new CloudEvent({ ...event }));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) if (v !== undefined) headers[k] = String(v);
  return { headers, body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body) };
}

/** The bus over `K_SINK`. */
export class SinkBus implements EventBus {
  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly timeoutMs = SINK_TIMEOUT_MS,
  ) {}

  /**
   * POSTs each event, in order, waiting for each answer.
   * @throws ServiceUnavailableError when the sink cannot be reached, does not answer within
   *   `SINK_TIMEOUT_MS`, or answers 5xx or 429 (try again later); Error for another non-2xx answer.
   */
  async publish(events: ToolflowEvent[]): Promise<void> {
    for (const event of events) {
      const { headers, body } = binaryMessage(event);
      let res: Response;
      try {
        res = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (err) {
        const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
        throw new ServiceUnavailableError(`the event sink K_SINK=${maskUrl(this.url)} is unreachable: ${cause}`, { cause: err });
      }
      const text = await res.text().catch(() => '');
      if (res.ok) continue;
      const message = `the event sink K_SINK=${maskUrl(this.url)} answered ${res.status} to event ${event.type} ${event.id}${text ? `: ${text.slice(0, 200)}` : ''}`;
      this.log.warn({ status: res.status, type: event.type, id: event.id }, 'event sink refused an event');
      if (res.status >= 500 || res.status === 429) throw new ServiceUnavailableError(message);
      throw new Error(message);
    }
  }

  /** @throws ConfigError: a sink only publishes. */
  subscribe(consumer: string, _types: EventTypeName[], _handler: EventHandler): () => void {
    throw new ConfigError(`cannot subscribe ${consumer}: events published to K_SINK come back through the Broker's Triggers, not through this process`);
  }

  onDeadLetter(_listener: (dead: DeadLetter) => void): () => void {
    return () => undefined;
  }

  async idle(): Promise<void> {}

  async close(): Promise<void> {}
}
