/**
 * One subscription of the RabbitMQ bus: its queue, its channel on the current connection, and the
 * handling of its deliveries.
 *
 * Delivery: manual ack, sent only after the handler's promise resolves (its effect is durable and
 * the events it implies are confirmed). A handler that throws is rejected back to the queue
 * (`basic.reject` with requeue, which the quorum queue counts as a failed delivery in every
 * RabbitMQ version; `basic.nack` is not counted from 4.3 on) and the queue's delivery limit
 * dead-letters the message once it has been returned more than `deliveryLimit` times (so after
 * `deliveryLimit` + 1 failed deliveries), crashes of the consumer included. A handler that fails because a backend is down (ServiceUnavailableError) is retried in
 * place, with backoff up to 15 s, for up to `transientRetryMs`, without spending deliveries; the bus
 * is told (`outage`) while it waits, so it can pause its shared consumers (`pause`: the consumer is
 * cancelled and the deliveries it had buffered but not started are given back with `basic.nack`,
 * for other processes to take) and start them again once the backend answers (`resume`). A handler
 * that throws EventInvalidError (an event that can never be handled) is dead-lettered at once
 * (`basic.nack` without requeue), and so is an event `validateEvent` refuses (unknown type, data
 * its schema refuses), before any handler runs. `shutdown` stops gracefully: what is being handled is finished
 * and answered, the rest given back.
 *
 * Order: the events of one subject (task or tool) one at a time in queue order, and with
 * `concurrency` > 1 events of different subjects side by side (like message groups), `prefetch`
 * messages buffered. An ack goes only to the channel the delivery came on; after a reconnect,
 * unacked deliveries are the broker's to redeliver.
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventInvalidError, ServiceUnavailableError } from '../errors.js';
import { fromMessage, type AmqpNames } from './amqp-binding.js';
import { declareConsumerQueue } from './amqp-topology.js';
import type { DeadLetter, EventHandler } from './bus.js';
import type { EventTypeName, ToolflowEvent } from './catalog.js';
import { validateEvent } from './event-schemas.js';
import { recordDeadLetter } from '../metrics/record.js';
import { eventLogFields } from '../runtime/log.js';

/** What a consumer shares with its bus. */
export interface ConsumerContext {
  names: AmqpNames;
  log: Logger;
  /** Deliveries buffered per consumer (basic.qos). */
  prefetch: number;
  deliveryLimit: number;
  /** Unused task-scoped queues expire after this long, ms. */
  taskQueueExpiresMs: number;
  /** How long a handler failing with ServiceUnavailableError is retried in place, ms. */
  transientRetryMs: number;
  /** Deliveries buffered or being handled changed by `delta` (for the bus's `idle`). */
  busy(delta: number): void;
  /** A delivery of `consumer` started (`true`) or ended (`false`) waiting out a backend that is down. */
  outage(waiting: boolean, consumer: AmqpConsumer): void;
  /** Whether a shared consumer should take deliveries now (false while the bus is paused). */
  flowing(): boolean;
  /** A message failed its last delivery here. */
  deadLetter(dead: DeadLetter): void;
}

interface Delivery {
  msg: ConsumeMessage;
  channel: Channel;
}

/** The pause before handling an event again whose backend is down: 0.5 s doubling to 15 s. */
function outagePause(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.min(attempt - 1, 5));
}

/** A subscription's consumer. */
export class AmqpConsumer {
  readonly queue: string;
  closed = false;
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  /** Per ordering key (the subject, or one key when concurrency is 1): deliveries waiting their turn, the first being handled. */
  private readonly lanes = new Map<string, Delivery[]>();
  /** Set by `shutdown`: nothing new is taken, and in-place waits end with the delivery given back. */
  private draining = false;
  /** Aborted by `shutdown`: cuts short the pauses between tries. */
  private readonly stopping = new AbortController();
  /** Told when the last lane runs dry (`shutdown` waits for it). */
  private readonly emptied: (() => void)[] = [];

  constructor(
    readonly consumer: string,
    private readonly types: EventTypeName[],
    private readonly handler: EventHandler,
    private readonly ctx: ConsumerContext,
    readonly taskId: string | undefined,
    private readonly concurrency: number,
    /** An observer's consumer (`SubscribeOptions.background`): its deliveries are not counted as busy. */
    readonly background = false,
  ) {
    this.queue = ctx.names.queue(consumer);
  }

  /** A consumer of every task's events, on a queue that competing processes share. */
  get shared(): boolean {
    return this.taskId === undefined;
  }

  /** Opens a channel on `model`, declares and binds the queue, and consumes unless the bus is paused. */
  async start(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.ctx.log.warn({ err: err.message, consumer: this.consumer }, 'RabbitMQ consumer channel error'));
    channel.on('close', () => {
      if (this.channel === channel) this.detach();
    });
    await channel.prefetch(this.ctx.prefetch);
    await declareConsumerQueue(channel, {
      names: this.ctx.names,
      consumer: this.consumer,
      types: this.types,
      taskId: this.taskId,
      deliveryLimit: this.ctx.deliveryLimit,
      expiresMs: this.taskId === undefined ? undefined : this.ctx.taskQueueExpiresMs,
    });
    if (this.closed) {
      await channel.close().catch(() => undefined);
      return;
    }
    this.channel = channel;
    if (!this.shared || this.ctx.flowing()) await this.resume();
  }

  /** The connection or channel is gone: its unacked deliveries are the broker's to redeliver. */
  detach(): void {
    this.channel = undefined;
    this.consumerTag = undefined;
  }

  /** Stops consuming, deletes a task-scoped queue, closes the channel. */
  async stop(): Promise<void> {
    this.closed = true;
    const channel = this.channel;
    const tag = this.consumerTag;
    this.detach();
    if (!channel) return;
    try {
      if (tag) await channel.cancel(tag);
      if (this.taskId !== undefined) await channel.deleteQueue(this.queue);
      await channel.close();
    } catch (err) {
      this.ctx.log.debug({ err: (err as Error).message, consumer: this.consumer }, 'consumer already gone');
    }
  }

  /**
   * Stops taking deliveries (basic.cancel) and gives back those buffered here that no handler has
   * started (basic.nack with requeue), so other consumers of the queue take them. The deliveries
   * being handled stay here. On RabbitMQ before 4.3 a quorum queue counts the give-back as a
   * delivery (every return was counted then), so an outage may spend one of a message's deliveries.
   */
  async pause(): Promise<void> {
    const given = await this.cancelAndGiveBack();
    if (given !== undefined) this.ctx.log.warn({ consumer: this.consumer, givenBack: given }, 'a backend is unavailable: this process stops taking events of the queue until it answers');
  }

  /**
   * Graceful stop: takes no more deliveries (basic.cancel), gives back those buffered here that no
   * handler has started (basic.nack with requeue), ends the in-place waits for a backend (their
   * deliveries are given back too, not counted as failures on RabbitMQ ≥ 4.3), and waits until
   * every delivery being handled has been answered (acked, rejected or dead-lettered); then closes
   * as `stop` does. A delivery still unanswered after `graceMs` is left to the broker, which
   * redelivers it once the channel is closed.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.draining = true;
    this.stopping.abort();
    await this.cancelAndGiveBack();
    if (this.lanes.size) {
      await Promise.race([new Promise<void>((r) => this.emptied.push(r)), sleep(graceMs, undefined, { ref: false })]);
    }
    await this.stop();
  }

  /** basic.cancel, then basic.nack (requeue) of the buffered deliveries not started. @returns how many were given back; undefined when not consuming. */
  private async cancelAndGiveBack(): Promise<number | undefined> {
    const channel = this.channel;
    const tag = this.consumerTag;
    if (!channel || !tag) return undefined;
    this.consumerTag = undefined;
    try {
      await channel.cancel(tag); // after cancel-ok, nothing more arrives on this consumer
    } catch (err) {
      this.ctx.log.debug({ err: (err as Error).message, consumer: this.consumer }, 'consumer already gone');
      return undefined;
    }
    let given = 0;
    for (const lane of this.lanes.values()) {
      for (const { msg, channel: from } of lane.splice(1)) {
        if (from === this.channel) from.nack(msg, false, true);
        if (!this.background) this.ctx.busy(-1);
        given++;
      }
    }
    return given;
  }

  /** Takes deliveries again (basic.consume) on the current channel, if not already. */
  async resume(): Promise<void> {
    const channel = this.channel;
    if (!channel || this.consumerTag || this.closed || this.draining) return;
    const { consumerTag } = await channel.consume(this.queue, (msg) => this.receive(msg, channel), { noAck: false });
    if (this.channel !== channel) return; // lost meanwhile: the next start consumes again
    this.consumerTag = consumerTag;
    if (this.shared && !this.ctx.flowing()) await this.pause(); // paused while the consume was under way
    else if (this.shared) this.ctx.log.info({ consumer: this.consumer }, 'taking events of the queue again');
  }

  private receive(msg: ConsumeMessage | null, channel: Channel): void {
    if (!msg) return; // the broker cancelled the consumer (queue deleted)
    if (!this.background) this.ctx.busy(1);
    const key = this.concurrency === 1 ? '' : String(msg.properties.headers?.['ce-subject'] ?? '');
    const lane = this.lanes.get(key);
    if (lane) lane.push({ msg, channel });
    else {
      this.lanes.set(key, [{ msg, channel }]);
      void this.drain(key);
    }
  }

  /** Handles one lane's deliveries in order; the lane is removed when it runs dry. */
  private async drain(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    while (lane.length) {
      const { msg, channel } = lane[0]!;
      try {
        // A delivery from a channel that has since closed is the broker's to redeliver: not handled here.
        if (this.channel === channel && !this.closed) await this.deliver(msg, channel);
      } finally {
        lane.shift();
        if (!this.background) this.ctx.busy(-1);
      }
    }
    this.lanes.delete(key);
    if (this.lanes.size === 0) for (const done of this.emptied.splice(0)) done();
  }

  private async deliver(msg: ConsumeMessage, channel: Channel): Promise<void> {
    const live = () => this.channel === channel && !this.closed;
    let event: ToolflowEvent;
    try {
      event = fromMessage(msg);
    } catch (err) {
      this.ctx.log.error({ err: (err as Error).message, consumer: this.consumer }, 'dead-lettering a message that is not a CloudEvent');
      recordDeadLetter(this.consumer);
      if (live()) channel.nack(msg, false, false);
      return;
    }
    // An unknown type or data its schema refuses can never be handled: dead-lettered at once, the handler never runs.
    const check = validateEvent(event);
    if (!check.ok) {
      this.invalid(msg, channel, event, new EventInvalidError(check.message));
      return;
    }
    // Routing keys carry the task id with `.*#` as `_`, so the exact task is checked here.
    if (this.taskId !== undefined && (event.data as { taskId?: string }).taskId !== this.taskId) {
      if (live()) channel.ack(msg);
      return;
    }
    const where = { ...eventLogFields(event), consumer: this.consumer, type: event.type, subject: event.subject };
    // A backend that is down (ServiceUnavailableError) is waited for here, the handler tried again
    // in place, so an outage does not spend the delivery limit and dead-letter the event.
    const waitUntil = Date.now() + this.ctx.transientRetryMs;
    let waiting = false;
    try {
      for (let attempt = 1; ; attempt++) {
        if (attempt > 1 && this.draining) {
          // Shutting down while waiting out an outage: given back for another consumer, not counted as a failure.
          if (live()) channel.nack(msg, false, true);
          return;
        }
        try {
          await this.handler(event);
          if (live()) channel.ack(msg);
          return;
        } catch (err) {
          if (err instanceof EventInvalidError) {
            this.invalid(msg, channel, event, err);
            return;
          }
          if (err instanceof ServiceUnavailableError && live() && Date.now() < waitUntil) {
            if (this.draining) {
              channel.nack(msg, false, true);
              return;
            }
            if (!waiting) {
              waiting = true;
              this.ctx.outage(true, this);
            }
            const pause = outagePause(attempt);
            this.ctx.log.warn({ ...where, err: err.message, try: attempt, retryInMs: pause }, 'a backend is unavailable; handling the event again soon');
            await this.pauseFor(pause);
            continue;
          }
          await this.failed(msg, channel, event, err);
          return;
        }
      }
    } finally {
      if (waiting) this.ctx.outage(false, this);
    }
  }

  /** A failed delivery: logged, the last one reported as a dead letter, and the message rejected back to the queue. */
  private async failed(msg: ConsumeMessage, channel: Channel, event: ToolflowEvent, err: unknown): Promise<void> {
    const deliveries = Number(msg.properties.headers?.['x-delivery-count'] ?? 0) + 1;
    // The broker dead-letters a message returned more than `deliveryLimit` times (RabbitMQ docs,
    // "Quorum Queues", "Poison Message Handling"): this failure is the last when it is one more.
    const last = deliveries > this.ctx.deliveryLimit;
    const deadLetterQueue = this.ctx.names.deadLetterQueue;
    const retryInMs = Math.min(2000, 100 * 2 ** (deliveries - 1));
    this.ctx.log.error(
      { ...eventLogFields(event), err, consumer: this.consumer, type: event.type, subject: event.subject, delivery: deliveries, ...(last ? { deadLetterQueue } : { retryInMs }) },
      last ? `event handler failed for the last time: the event goes to ${deadLetterQueue} and its task will not progress until it is handled` : 'event handler failed',
    );
    if (last) {
      recordDeadLetter(this.consumer);
      this.ctx.deadLetter({ consumer: this.consumer, event, error: String((err as Error)?.message ?? err), deliveries });
    }
    // A short pause before the requeue, growing with the deliveries (cut short by a shutdown).
    if (!last) await this.pauseFor(retryInMs);
    if (this.channel === channel && !this.closed) channel.reject(msg, true);
  }

  /** An event that can never be handled: logged, reported as a dead letter, and dead-lettered at once (basic.nack without requeue). */
  private invalid(msg: ConsumeMessage, channel: Channel, event: ToolflowEvent, err: EventInvalidError): void {
    const deadLetterQueue = this.ctx.names.deadLetterQueue;
    const deliveries = Number(msg.properties.headers?.['x-delivery-count'] ?? 0) + 1;
    this.ctx.log.error(
      { ...eventLogFields(event), err: err.message, consumer: this.consumer, type: event.type, subject: event.subject, deadLetterQueue },
      `event refused as invalid: it goes to ${deadLetterQueue} at once, without another delivery`,
    );
    recordDeadLetter(this.consumer);
    this.ctx.deadLetter({ consumer: this.consumer, event, error: err.message, deliveries });
    if (this.channel === channel && !this.closed) channel.nack(msg, false, false);
  }

  /** Waits `ms`, or less when `shutdown` starts. */
  private async pauseFor(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
