/**
 * The event bus over RabbitMQ (services mode), with amqplib.
 *
 * Topology (declared on every connect; names under the namespace, default `toolflow`): the durable
 * topic exchange `toolflow.events`; one durable quorum queue per consumer, `toolflow.<consumer>` (the design doc's workflow queue is
 * `toolflow.enqueue`, its tool queue `toolflow.schedule-tool`), bound to `<type>.*` for each type it
 * consumes, or `<type>.<taskId>` for a task-scoped consumer (whose queue also expires after an hour
 * unused and is deleted on unsubscribe); a fanout dead-letter exchange and its queue
 * `toolflow.dead-letters`. Message format: `amqp-binding.ts`.
 *
 * Delivery: manual ack, sent only after the handler's promise resolves (its effect is durable and
 * the events it implies are confirmed); a handler that throws is nacked and requeued, and the
 * quorum queue's delivery limit (RabbitMQ docs, "Poison Message Handling") dead-letters a message
 * after `deliveryLimit` failed deliveries, crashes of the consumer included. A handler that fails
 * because a backend is down (ServiceUnavailableError) is retried in place, with backoff up to 15 s,
 * for up to `transientRetryMs`, without spending deliveries. A consumer handles the
 * events of one subject (task or tool) one at a time in queue order, and, with `concurrency` > 1,
 * events of different subjects side by side (like message groups), with `prefetch` messages
 * buffered. An ack goes only to the
 * channel the delivery came on; after a reconnect, unacked deliveries are the broker's to redeliver.
 *
 * Publishing: a confirm channel; `publish` resolves when the broker has confirmed every event
 * (persisted to the durable queues it routes to). A publish made while the connection is down waits
 * for the reconnect and is retried there (same message ids), or rejects with
 * ServiceUnavailableError once `publishTimeoutMs` has passed: never silently dropped.
 *
 * Reconnect: amqplib's recovery, exponential backoff from 100 ms to 5 s with jitter; the topology
 * and every consumer are set up again on each connect.
 */
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { ServiceUnavailableError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { amqpNames, bindingPattern, fromMessage, routingKey, toMessage, type AmqpNames } from './amqp-binding.js';
import type { EventBus, EventHandler, SubscribeOptions } from './bus.js';
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

interface Delivery {
  msg: ConsumeMessage;
  channel: Channel;
}

interface Subscription {
  consumer: string;
  queue: string;
  types: EventTypeName[];
  handler: EventHandler;
  taskId?: string;
  concurrency: number;
  channel?: Channel;
  consumerTag?: string;
  /** Per ordering key (the subject, or one key when concurrency is 1): deliveries waiting their turn. */
  lanes: Map<string, Delivery[]>;
  closed: boolean;
}

/** amqplib's messages made readable where they are cryptic (a refused vhost or login). */
function amqpMessage(err: Error): string {
  const m = err.message;
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(m)) return `the broker refused the connection (unknown virtual host, or no access to it): ${m}`;
  if (/ACCESS_REFUSED|403/.test(m)) return `login refused (user name or password): ${m}`;
  return m;
}

/** The RabbitMQ adapter of the bus port. Create it with `AmqpBus.connect`. */
export class AmqpBus implements EventBus {
  private model!: RecoveringChannelModel;
  private conn: ChannelModel | undefined;
  private pub: ConfirmChannel | undefined;
  private gate!: Promise<void>;
  private openGate!: () => void;
  private readonly subs = new Set<Subscription>();
  /** Subscriptions being declared; a publish waits for them, so a consumer subscribed before a publish gets its events. */
  private readonly pending = new Set<Promise<void>>();
  private busy = 0;
  private closing = false;
  private readonly prefetch: number;
  private readonly deliveryLimit: number;
  private readonly publishTimeoutMs: number;
  private readonly taskQueueExpiresMs: number;
  private readonly transientRetryMs: number;
  /** Exchange and queue names. */
  readonly names: AmqpNames;

  private constructor(private readonly options: AmqpBusOptions) {
    this.names = amqpNames(options.namespace);
    this.prefetch = options.prefetch ?? 32;
    this.deliveryLimit = options.deliveryLimit ?? 5;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
    this.taskQueueExpiresMs = options.taskQueueExpiresMs ?? 3_600_000;
    this.transientRetryMs = options.transientRetryMs ?? 600_000;
    this.closeGate();
  }

  /**
   * Connects, declares the topology, and keeps reconnecting after a connection loss.
   * @throws ServiceUnavailableError naming the broker (password masked) when it cannot be reached at start-up.
   */
  static async connect(options: AmqpBusOptions): Promise<AmqpBus> {
    const bus = new AmqpBus(options);
    const url = new URL(options.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', '10');
    bus.model = await connect(url.toString(), {
      noDelay: true, // without it a publish → consume round trip costs ~45 ms (Nagle + delayed ACK)
      timeout: 10_000, // the TCP connect
      clientProperties: { connection_name: `${bus.names.exchange.replace(/\.events$/, '')} pid ${process.pid}` },
      recovery: {
        initialDelay: 100,
        maxDelay: 5_000,
        initialMaxRetries: (options.initialAttempts ?? 3) - 1,
        maxRetries: Infinity,
        waitForConnect: false,
        setup: (model: ChannelModel) => bus.setup(model),
      },
    });
    // A server that takes the TCP connection but never speaks AMQP would hold the start-up forever.
    const startTimeoutMs = options.connectTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        bus.model.waitForConnect(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no AMQP handshake within ${startTimeoutMs} ms`)), startTimeoutMs))),
      ]);
    } catch (err) {
      await bus.model.close().catch(() => undefined);
      throw new ServiceUnavailableError(`RabbitMQ at ${maskUrl(options.url)} is unreachable: ${amqpMessage(err as Error)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    bus.model.on('disconnect', (err: Error) => {
      bus.conn = undefined;
      bus.pub = undefined;
      for (const s of bus.subs) s.channel = undefined;
      bus.closeGate();
      if (!bus.closing) options.log.warn({ err: err?.message, url: maskUrl(options.url) }, 'RabbitMQ connection lost; reconnecting');
    });
    bus.model.on('error', (err: Error) => options.log.warn({ err: err.message }, 'RabbitMQ connection error'));
    return bus;
  }

  async publish(events: ToolflowEvent[]): Promise<void> {
    if (!events.length) return;
    await Promise.all(this.pending);
    const deadline = Date.now() + this.publishTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      const channel = await this.publisher(deadline);
      try {
        await Promise.all(
          events.map((event) => {
            const { body, options } = toMessage(event);
            return new Promise<void>((resolve, reject) => {
              channel.publish(this.names.exchange, routingKey(event), body, options, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
            });
          }),
        );
        return;
      } catch (err) {
        if (this.closing) throw new ServiceUnavailableError('the RabbitMQ bus is closed', { cause: err });
        if (Date.now() >= deadline) {
          throw new ServiceUnavailableError(`RabbitMQ at ${maskUrl(this.options.url)} did not confirm ${events.length} event(s) within ${this.publishTimeoutMs} ms`, { cause: err });
        }
        this.options.log.warn({ err: (err as Error).message, attempt }, 'publish not confirmed; retrying after reconnect');
        if (this.pub === channel) this.pub = undefined;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * attempt)));
      }
    }
  }

  subscribe(consumer: string, types: EventTypeName[], handler: EventHandler, options: SubscribeOptions = {}): () => void {
    const sub: Subscription = {
      consumer,
      queue: this.names.queue(consumer),
      types,
      handler,
      taskId: options.taskId,
      concurrency: Math.max(1, options.concurrency ?? 1),
      lanes: new Map(),
      closed: false,
    };
    this.subs.add(sub);
    if (this.conn) this.track(this.startConsumer(this.conn, sub));
    return () => {
      if (sub.closed) return;
      sub.closed = true;
      this.subs.delete(sub);
      this.track(this.stopConsumer(sub));
    };
  }

  /** Resolves when no delivery is buffered or being handled here and this process's queues hold no ready message. */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.all(this.pending);
      if (this.busy === 0) {
        const channel = await this.publisher(Date.now() + this.publishTimeoutMs);
        const counts = await Promise.all([...new Set([...this.subs].map((s) => s.queue))].map((q) => channel.checkQueue(q).then((r) => r.messageCount)));
        if (this.busy === 0 && counts.every((n) => n === 0)) return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.subs) s.closed = true;
    await Promise.allSettled([...this.pending]);
    this.subs.clear();
    await this.model?.close().catch(() => undefined);
  }

  /** Runs on every (re)connect: topology, publisher channel, consumers. */
  private async setup(model: ChannelModel): Promise<void> {
    const pub = await model.createConfirmChannel();
    pub.on('error', (err: Error) => this.options.log.warn({ err: err.message }, 'RabbitMQ publisher channel error'));
    pub.on('close', () => {
      if (this.pub === pub) this.pub = undefined;
    });
    const n = this.names;
    await pub.assertExchange(n.exchange, 'topic', { durable: true });
    await pub.assertExchange(n.deadLetterExchange, 'fanout', { durable: true });
    await pub.assertQueue(n.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await pub.bindQueue(n.deadLetterQueue, n.deadLetterExchange, '');
    this.conn = model;
    this.pub = pub;
    await Promise.all([...this.subs].map((s) => this.startConsumer(model, s)));
    this.options.log.info({ url: maskUrl(this.options.url) }, 'RabbitMQ connected');
    this.openGate();
  }

  private async startConsumer(model: ChannelModel, sub: Subscription): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.options.log.warn({ err: err.message, consumer: sub.consumer }, 'RabbitMQ consumer channel error'));
    channel.on('close', () => {
      if (sub.channel === channel) sub.channel = undefined;
    });
    await channel.prefetch(this.prefetch);
    await channel.assertQueue(sub.queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': this.deliveryLimit,
        'x-dead-letter-exchange': this.names.deadLetterExchange,
        ...(sub.taskId === undefined ? {} : { 'x-expires': this.taskQueueExpiresMs }),
      },
    });
    for (const type of sub.types) await channel.bindQueue(sub.queue, this.names.exchange, bindingPattern(type, sub.taskId));
    if (sub.closed) {
      await channel.close().catch(() => undefined);
      return;
    }
    sub.channel = channel;
    const { consumerTag } = await channel.consume(
      sub.queue,
      (msg) => {
        if (!msg) return; // the broker cancelled the consumer (queue deleted)
        this.busy++;
        const key = sub.concurrency === 1 ? '' : String(msg.properties.headers?.['ce-subject'] ?? '');
        const lane = sub.lanes.get(key);
        if (lane) lane.push({ msg, channel });
        else {
          sub.lanes.set(key, [{ msg, channel }]);
          void this.drain(sub, key);
        }
      },
      { noAck: false },
    );
    sub.consumerTag = consumerTag;
  }

  private async stopConsumer(sub: Subscription): Promise<void> {
    const channel = sub.channel;
    sub.channel = undefined;
    if (!channel) return;
    try {
      if (sub.consumerTag) await channel.cancel(sub.consumerTag);
      if (sub.taskId !== undefined) await channel.deleteQueue(sub.queue);
      await channel.close();
    } catch (err) {
      this.options.log.debug({ err: (err as Error).message, consumer: sub.consumer }, 'consumer already gone');
    }
  }

  /** Handles one lane's deliveries in order; the lane is removed when it runs dry. */
  private async drain(sub: Subscription, key: string): Promise<void> {
    const lane = sub.lanes.get(key)!;
    while (lane.length) {
      const { msg, channel } = lane[0]!;
      try {
        // A delivery from a channel that has since closed is the broker's to redeliver: not handled here.
        if (sub.channel === channel && !sub.closed) await this.deliver(sub, msg, channel);
      } finally {
        lane.shift();
        this.busy--;
      }
    }
    sub.lanes.delete(key);
  }

  private async deliver(sub: Subscription, msg: ConsumeMessage, channel: Channel): Promise<void> {
    const live = () => sub.channel === channel && !sub.closed;
    let event: ToolflowEvent;
    try {
      event = fromMessage(msg);
    } catch (err) {
      this.options.log.error({ err: (err as Error).message, consumer: sub.consumer }, 'dead-lettering a message that is not a CloudEvent');
      if (live()) channel.nack(msg, false, false);
      return;
    }
    // Routing keys carry the task id with `.*#` as `_`, so the exact task is checked here.
    if (sub.taskId !== undefined && (event.data as { taskId?: string }).taskId !== sub.taskId) {
      if (live()) channel.ack(msg);
      return;
    }
    const where = { consumer: sub.consumer, type: event.type, subject: event.subject };
    // A backend that is down (ServiceUnavailableError) is waited for here, the handler tried again
    // in place, so an outage does not spend the delivery limit and dead-letter the event.
    const waitUntil = Date.now() + this.transientRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await sub.handler(event);
        if (live()) channel.ack(msg);
        return;
      } catch (err) {
        if (err instanceof ServiceUnavailableError && live() && Date.now() < waitUntil) {
          const pause = Math.min(15_000, 500 * 2 ** Math.min(attempt - 1, 5));
          this.options.log.warn({ ...where, err: err.message, attempt, retryInMs: pause }, 'a backend is unavailable; handling the event again soon');
          await new Promise((r) => setTimeout(r, pause));
          continue;
        }
        const deliveries = Number(msg.properties.headers?.['x-delivery-count'] ?? 0) + 1;
        const last = deliveries >= this.deliveryLimit;
        this.options.log.error(
          { err, ...where, delivery: deliveries, deadLetterQueue: last ? this.names.deadLetterQueue : undefined },
          last ? `event handler failed for the last time: the event goes to ${this.names.deadLetterQueue} and its task will not progress until it is handled` : 'event handler failed',
        );
        // A short pause before the requeue, growing with the deliveries.
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** (deliveries - 1))));
        if (live()) channel.nack(msg, false, true);
        return;
      }
    }
  }

  private async publisher(deadline: number): Promise<ConfirmChannel> {
    for (;;) {
      if (this.closing) throw new ServiceUnavailableError('the RabbitMQ bus is closed');
      if (this.pub) return this.pub;
      const left = deadline - Date.now();
      if (left <= 0) throw new ServiceUnavailableError(`RabbitMQ at ${maskUrl(this.options.url)} is unreachable (waited ${this.publishTimeoutMs} ms for a connection)`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.gate, new Promise((r) => (timer = setTimeout(r, Math.min(left, 250))))]);
      clearTimeout(timer);
    }
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.options.log.warn({ err: (err as Error).message }, 'RabbitMQ subscription setup failed; retried on reconnect'));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private closeGate(): void {
    this.gate = new Promise((r) => (this.openGate = r));
  }
}
