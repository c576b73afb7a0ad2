/**
 * The connector (`toolflow connector`): consumes each function's RabbitMQ queue and POSTs every
 * CloudEvent to that function's URL, for HTTP functions that cannot consume the broker themselves
 * (OpenFaaS: its RabbitMQ connector is a paid feature).
 *
 * It is the bus's own consumer with an HTTP handler, so it is interchangeable with the in-process
 * consumers of `toolflow run`: the same queue per function (`<ns>.<function>`, durable quorum,
 * bound to `<type>.*` for each type the function consumes, same arguments: `declareConsumerQueue`),
 * the same connection and reconnect (`connectRecovering`), the same delivery rules (`AmqpConsumer`):
 * order per subject, an ack only after the function answered 2xx, redelivery with backoff, the
 * delivery limit, dead-letters to `<ns>.dead-letters`. What each answer means: `http-delivery.ts`.
 *
 * Concurrency: a function's `concurrency` is its consumer's prefetch, so at most that many of its
 * events are unacknowledged here, and so at most that many requests are in flight to it (events
 * of one subject still go one at a time).
 *
 * Shutdown (`close`): each consumer stops taking deliveries, gives back those buffered and not
 * started (`basic.nack` with requeue), finishes the requests in flight (acked on 2xx, as always),
 * then the connection closes.
 */
import type { ChannelModel, RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { eventLogFields, withLogFields } from '../runtime/log.js';
import { amqpNames, type AmqpNames } from '../events/amqp-binding.js';
import { connectRecovering } from '../events/amqp-connection.js';
import { AmqpConsumer, type ConsumerContext } from '../events/amqp-consumer.js';
import { DELIVERY_LIMIT, declareTopology } from '../events/amqp-topology.js';
import type { DeadLetter } from '../events/bus.js';
import type { EventTypeName } from '../events/catalog.js';
import { addQueueDepthSource } from '../metrics/record.js';
import { FunctionUnauthorizedError, postEvent } from './http-delivery.js';

/** One function the connector feeds. */
export interface ConnectorTarget {
  /** The event function's name (`FunctionDef.name`): its queue is `<ns>.<function>`. */
  function: string;
  /** The event types its queue is bound to (`FunctionDef.consumes`). */
  types: EventTypeName[];
  /** Where its events are POSTed: `http(s)://host:port/path`. */
  url: string;
  /** Requests in flight to it at most (its consumer's prefetch), ≥ 1. */
  concurrency: number;
}

/** Options of `Connector.start`. */
export interface ConnectorOptions {
  /** The broker: `amqp://user:password@host:5672/vhost`. */
  amqpUrl: string;
  /** Prefix of exchange and queue names, as the bus's (`TOOLFLOW_NAMESPACE`). Default `toolflow`. */
  namespace?: string;
  log: Logger;
  targets: ConnectorTarget[];
  /** How long one request may take (headers and body) before the delivery counts as failed, ms. Default 60,000. */
  timeoutMs?: number;
  /** The queues' `x-delivery-limit`: must be the bus's (RabbitMQ refuses other arguments). Default `DELIVERY_LIMIT` (5). */
  deliveryLimit?: number;
  /** How long an unavailable function (refused connection, 429/502/503/504) is tried again in place before the delivery counts as failed, ms. Default 10 minutes, as the bus. */
  transientRetryMs?: number;
  /**
   * The function secret (`TOOLFLOW_FUNCTION_SECRET`) sent with every request as `Authorization:
   * Bearer <secret>`; undefined: none sent. Never logged.
   */
  secret?: string;
  /** Connection attempts at start-up. Default 3. */
  initialAttempts?: number;
  /** How long the start-up waits for the broker, ms. Default 15,000. */
  connectTimeoutMs?: number;
}

/** Default per-request timeout, ms: above the longest a function takes (schedule-tool stages a tool's inputs before it answers). */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** A running connector. Create it with `Connector.start`. */
export class Connector {
  private model!: RecoveringChannelModel;
  private readonly consumers: AmqpConsumer[];
  private readonly deadLetterListeners = new Set<(dead: DeadLetter) => void>();
  private closing = false;
  private closed: Promise<void> | undefined;
  private busy = 0;
  /** Removes this connector's `toolflow_queue_depth` source. */
  private offQueueDepth: (() => void) | undefined;
  /** Exchange and queue names. */
  readonly names: AmqpNames;

  private constructor(private readonly options: ConnectorOptions) {
    this.names = amqpNames(options.namespace);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.consumers = options.targets.map((target) => {
      const context: ConsumerContext = {
        names: this.names,
        log: withLogFields(options.log, { function: target.function }), // each consumer's lines name its function
        prefetch: target.concurrency,
        deliveryLimit: options.deliveryLimit ?? DELIVERY_LIMIT,
        taskQueueExpiresMs: 3_600_000, // unused: the connector's queues are shared ones
        transientRetryMs: options.transientRetryMs ?? 600_000,
        busy: (delta) => (this.busy += delta),
        outage: () => undefined, // one function being down is no reason to stop feeding the others
        flowing: () => !this.closing,
        deadLetter: (dead) => {
          for (const l of this.deadLetterListeners) l(dead);
        },
      };
      return new AmqpConsumer(target.function, target.types, async (event) => {
          try {
            await postEvent(target, event, timeoutMs, options.secret);
          } catch (err) {
            if (err instanceof FunctionUnauthorizedError) {
              options.log.error({ ...eventLogFields(event, target.function), id: event.id, type: event.type, err: err.message }, 'misconfiguration: the function refuses the connector\'s TOOLFLOW_FUNCTION_SECRET (401); the event is delivered again, and dead-lettered past the delivery limit');
            }
            throw err;
          }
        }, context, undefined, target.concurrency);
    });
  }

  /**
   * Connects, declares the topology and each function's queue, and starts delivering.
   * @throws ServiceUnavailableError naming the broker (password masked) when it cannot be reached
   *   at start-up, refuses the login, or holds a queue of the same name with other arguments.
   */
  static async start(options: ConnectorOptions): Promise<Connector> {
    const connector = new Connector(options);
    connector.model = await connectRecovering({
      url: options.amqpUrl,
      log: options.log,
      connectionName: `${connector.names.exchange.replace(/\.events$/, '')} connector pid ${process.pid}`,
      initialAttempts: options.initialAttempts,
      connectTimeoutMs: options.connectTimeoutMs,
      setup: (model) => connector.setup(model),
      onDisconnect: () => {
        for (const c of connector.consumers) c.detach();
      },
      closing: () => connector.closing,
    });
    connector.offQueueDepth = addQueueDepthSource(() => connector.queueDepths());
    return connector;
  }

  /** Deliveries buffered here or being delivered (for tests and logs). */
  get inFlight(): number {
    return this.busy;
  }

  /**
   * Messages ready in each queue this connector consumes and in the dead-letter queue, as the broker
   * counts them now (`queue.declare` passive, on a channel of its own: unacknowledged ones are not
   * counted). Read at each scrape of `toolflow_queue_depth`.
   * @throws the broker's error when it cannot be asked (not connected, a queue gone).
   */
  async queueDepths(): Promise<{ queue: string; messages: number }[]> {
    const channel = await this.model.createChannel();
    channel.on('error', () => undefined); // a missing queue closes the channel: the check below rejects
    try {
      const out: { queue: string; messages: number }[] = [];
      for (const queue of [...this.consumers.map((c) => c.queue), this.names.deadLetterQueue]) out.push({ queue, messages: (await channel.checkQueue(queue)).messageCount });
      return out;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * Calls `listener` for every event this connector dead-letters: on a 400, or when the failure of
   * its last allowed delivery was here. @returns a function that removes the listener.
   */
  onDeadLetter(listener: (dead: DeadLetter) => void): () => void {
    this.deadLetterListeners.add(listener);
    return () => this.deadLetterListeners.delete(listener);
  }

  /**
   * Stops gracefully (see the module's doc); requests still unanswered after the per-request
   * timeout and 5 s more are left to the broker, which redelivers them once the connection closes.
   * Idempotent.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      this.offQueueDepth?.();
      const graceMs = (this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 5_000;
      await Promise.allSettled(this.consumers.map((c) => c.shutdown(graceMs)));
      await this.model.close().catch(() => undefined);
    })();
    return this.closed;
  }

  /** Runs on every (re)connect: the exchanges and dead-letter queue, then each function's consumer. */
  private async setup(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    await declareTopology(channel, this.names);
    await channel.close();
    await Promise.all(this.consumers.map((c) => c.start(model)));
    this.options.log.info({ functions: this.options.targets.map((t) => t.function) }, 'connector connected to RabbitMQ');
  }
}
