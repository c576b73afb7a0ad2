/**
 * The event bus over RabbitMQ (services mode), with amqplib. Its parts:
 *
 * - topology (`amqp-topology.ts`), declared on every connect, names under the namespace (default
 *   `toolflow`): the durable topic exchange `toolflow.events`; one durable quorum queue per consumer,
 *   `toolflow.<consumer>` (the design doc's workflow queue is `toolflow.enqueue`, its tool queue
 *   `toolflow.schedule-tool.<task>`), bound to `<type>.*` for each type it consumes, or
 *   `<type>.<taskId>` for a task-scoped consumer (whose queue also expires after an hour unused and
 *   is deleted on unsubscribe); a fanout dead-letter exchange and its queue `toolflow.dead-letters`.
 *   Message format: `amqp-binding.ts`.
 * - consumers (`amqp-consumer.ts`): manual acks after the handler's effect is durable, bounded
 *   redelivery then dead-lettering, in-place retries while a backend is down, order per subject.
 * - publishing (`amqp-publisher.ts`): confirmed publishes, retried across a reconnect, bounded.
 *
 * Outages: while a handler of a shared queue (a consumer of every task's events: enqueue,
 * handle-status, rerun-policy) waits out a backend that is down (ServiceUnavailableError: this
 * process is cut off from the database, say), the bus pauses every shared consumer of this process
 * and gives back what they had buffered, so processes that can reach the backend take the work; the
 * event being waited on stays here and is tried again with backoff, and once it goes through (the
 * backend answers), the consumers start again. Task-scoped consumers (this process's own tasks) are
 * not paused: no other process could take their events.
 *
 * Reconnect (`amqp-connection.ts`, shared with the connector): amqplib's recovery, exponential
 * backoff from 100 ms to 5 s with jitter; the topology and every consumer are set up again on each connect.
 */
import type { ChannelModel, RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { maskUrl } from '../mask-url.js';
import { amqpNames, type AmqpNames } from './amqp-binding.js';
import { connectRecovering } from './amqp-connection.js';
import { AmqpConsumer, type ConsumerContext } from './amqp-consumer.js';
import { AmqpPublisher } from './amqp-publisher.js';
import { DELIVERY_LIMIT, declareTopology } from './amqp-topology.js';
import type { DeadLetter, EventBus, EventHandler, SubscribeOptions } from './bus.js';
import type { EventTypeName, ToolflowEvent } from './catalog.js';

/** Options of the RabbitMQ bus. */
export interface AmqpBusOptions {
  /** `amqp://user:password@host:port/vhost`. */
  url: string;
  log: Logger;
  /** Prefix of exchange and queue names. Default `toolflow`. */
  namespace?: string;
  /** Deliveries buffered per consumer (basic.qos). Default 32. */
  prefetch?: number;
  /** Failed deliveries after which a message is dead-lettered (quorum `x-delivery-limit`). Default 5. */
  deliveryLimit?: number;
  /** How long a publish waits for a connection and its confirms, ms. Default 30,000. */
  publishTimeoutMs?: number;
  /** How long a handler failing with ServiceUnavailableError is retried in place before its delivery counts as failed, ms. Default 10 minutes. */
  transientRetryMs?: number;
  /** A task-scoped queue unused this long is deleted by the broker (`x-expires`), ms. Default 1 hour. */
  taskQueueExpiresMs?: number;
  /** Connection attempts at start-up before `AmqpBus.connect` gives up. Default 3. */
  initialAttempts?: number;
  /** How long `AmqpBus.connect` waits for the first connection, handshake included, ms. Default 15,000. */
  connectTimeoutMs?: number;
}

/** The RabbitMQ adapter of the bus port. Create it with `AmqpBus.connect`. */
export class AmqpBus implements EventBus {
  private model!: RecoveringChannelModel;
  private conn: ChannelModel | undefined;
  private readonly publisher: AmqpPublisher;
  private readonly consumers = new Set<AmqpConsumer>();
  /** Subscriptions being declared; a publish waits for them, so a consumer subscribed before a publish gets its events. */
  private readonly pending = new Set<Promise<void>>();
  private readonly deadLetterListeners = new Set<(dead: DeadLetter) => void>();
  private busy = 0;
  /** Deliveries of shared consumers waiting out a backend that is down; shared consumers are paused while above 0. */
  private outages = 0;
  /** Pauses and resumes, one after the other. */
  private flow: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly context: ConsumerContext;
  /** Exchange and queue names. */
  readonly names: AmqpNames;

  private constructor(private readonly options: AmqpBusOptions) {
    this.names = amqpNames(options.namespace);
    this.publisher = new AmqpPublisher({ url: options.url, names: this.names, log: options.log, publishTimeoutMs: options.publishTimeoutMs ?? 30_000 });
    this.context = {
      names: this.names,
      log: options.log,
      prefetch: options.prefetch ?? 32,
      deliveryLimit: options.deliveryLimit ?? DELIVERY_LIMIT,
      taskQueueExpiresMs: options.taskQueueExpiresMs ?? 3_600_000,
      transientRetryMs: options.transientRetryMs ?? 600_000,
      busy: (delta) => (this.busy += delta),
      outage: (waiting, consumer) => this.outage(waiting, consumer),
      flowing: () => this.outages === 0,
      deadLetter: (dead) => {
        for (const l of this.deadLetterListeners) l(dead);
      },
    };
  }

  /**
   * Connects, declares the topology, and keeps reconnecting after a connection loss.
   * @throws ServiceUnavailableError naming the broker (password masked) when it cannot be reached at start-up.
   */
  static async connect(options: AmqpBusOptions): Promise<AmqpBus> {
    const bus = new AmqpBus(options);
    bus.model = await connectRecovering({
      url: options.url,
      log: options.log,
      connectionName: `${bus.names.exchange.replace(/\.events$/, '')} pid ${process.pid}`,
      initialAttempts: options.initialAttempts,
      connectTimeoutMs: options.connectTimeoutMs,
      setup: (model) => bus.setup(model),
      onDisconnect: () => {
        bus.conn = undefined;
        bus.publisher.detach();
        for (const c of bus.consumers) c.detach();
      },
      closing: () => bus.closing,
    });
    return bus;
  }

  async publish(events: ToolflowEvent[]): Promise<void> {
    if (!events.length) return;
    await Promise.all(this.pending);
    await this.publisher.publish(events);
  }

  subscribe(consumer: string, types: EventTypeName[], handler: EventHandler, options: SubscribeOptions = {}): () => void {
    const c = new AmqpConsumer(consumer, types, handler, this.context, options.taskId, Math.max(1, options.concurrency ?? 1), options.background ?? false);
    this.consumers.add(c);
    if (this.conn) this.track(c.start(this.conn));
    return () => {
      if (c.closed) return;
      this.consumers.delete(c);
      this.track(c.stop());
    };
  }

  onDeadLetter(listener: (dead: DeadLetter) => void): () => void {
    this.deadLetterListeners.add(listener);
    return () => this.deadLetterListeners.delete(listener);
  }

  /** True while this process's shared consumers are paused because a backend is down. */
  get paused(): boolean {
    return this.outages > 0;
  }

  /** Resolves when no delivery is buffered or being handled here and this process's queues hold no ready message (background consumers aside). */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.all(this.pending);
      if (this.busy === 0) {
        const channel = await this.publisher.channel(Date.now() + (this.options.publishTimeoutMs ?? 30_000));
        const counts = await Promise.all([...new Set([...this.consumers].filter((c) => !c.background).map((c) => c.queue))].map((q) => channel.checkQueue(q).then((r) => r.messageCount)));
        if (this.busy === 0 && counts.every((n) => n === 0)) return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.publisher.close();
    for (const c of this.consumers) c.closed = true;
    await Promise.allSettled([...this.pending]);
    this.consumers.clear();
    await this.model?.close().catch(() => undefined);
  }

  /** Runs on every (re)connect: topology, publisher channel, consumers. */
  private async setup(model: ChannelModel): Promise<void> {
    const pub = await model.createConfirmChannel();
    await declareTopology(pub, this.names);
    this.conn = model;
    await Promise.all([...this.consumers].map((c) => c.start(model)));
    this.publisher.attach(pub);
    this.options.log.info({ url: maskUrl(this.options.url) }, 'RabbitMQ connected');
  }

  /** A shared consumer's delivery started or ended waiting out an outage: pause or resume the shared consumers. */
  private outage(waiting: boolean, consumer: AmqpConsumer): void {
    if (!consumer.shared) return;
    const before = this.outages;
    this.outages += waiting ? 1 : -1;
    if ((before === 0) === (this.outages === 0)) return;
    const pause = this.outages > 0;
    this.flow = this.flow
      .then(() => Promise.all([...this.consumers].filter((c) => c.shared).map((c) => (pause ? c.pause() : c.resume()))))
      .then(
        () => undefined,
        (err: unknown) => this.options.log.warn({ err: (err as Error).message }, pause ? 'could not pause the shared consumers' : 'could not resume the shared consumers; they resume on reconnect'),
      );
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.options.log.warn({ err: (err as Error).message }, 'RabbitMQ subscription setup failed; retried on reconnect'));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
