/**
 * The publishing side of the RabbitMQ bus: one confirm channel per connection. `publish` resolves
 * when the broker has confirmed every event (persisted to the durable queues it routes to). A
 * publish made while the connection is down waits for the reconnect and is retried there (same
 * message ids, so consumers recognise a duplicate), or rejects with ServiceUnavailableError once
 * `publishTimeoutMs` has passed: never silently dropped.
 */
import type { ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import { ServiceUnavailableError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { routingKey, toMessage, type AmqpNames } from './amqp-binding.js';
import type { ToolflowEvent } from './catalog.js';

/** What the publisher needs to know. */
export interface PublisherOptions {
  /** The broker's URL, for messages (masked). */
  url: string;
  names: AmqpNames;
  log: Logger;
  /** How long a publish waits for a connection and its confirms, ms. */
  publishTimeoutMs: number;
}

/** The confirm channel of the current connection, and the publishes waiting for one. */
export class AmqpPublisher {
  private pub: ConfirmChannel | undefined;
  private gate!: Promise<void>;
  private openGate!: () => void;
  private closing = false;

  constructor(private readonly options: PublisherOptions) {
    this.closeGate();
  }

  /** A new connection's confirm channel: publishes waiting for one go on. */
  attach(pub: ConfirmChannel): void {
    pub.on('error', (err: Error) => this.options.log.warn({ err: err.message }, 'RabbitMQ publisher channel error'));
    pub.on('close', () => {
      if (this.pub === pub) this.pub = undefined;
    });
    this.pub = pub;
    this.openGate();
  }

  /** The connection is lost: publishes wait for the next `attach`. */
  detach(): void {
    this.pub = undefined;
    this.closeGate();
  }

  /** The bus is closing: waiting and later publishes reject. */
  close(): void {
    this.closing = true;
    this.openGate();
  }

  /**
   * Publishes `events` and waits for the broker's confirms.
   * @throws ServiceUnavailableError naming the broker (password masked) when no connection comes,
   *   or the confirms do not, within `publishTimeoutMs`; or when the bus is closed.
   */
  async publish(events: ToolflowEvent[]): Promise<void> {
    const deadline = Date.now() + this.options.publishTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      const channel = await this.channel(deadline);
      try {
        await Promise.all(
          events.map((event) => {
            const { body, options } = toMessage(event);
            return new Promise<void>((resolve, reject) => {
              channel.publish(this.options.names.exchange, routingKey(event), body, options, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
            });
          }),
        );
        return;
      } catch (err) {
        if (this.closing) throw new ServiceUnavailableError('the RabbitMQ bus is closed', { cause: err });
        if (Date.now() >= deadline) {
          throw new ServiceUnavailableError(`RabbitMQ at ${maskUrl(this.options.url)} did not confirm ${events.length} event(s) within ${this.options.publishTimeoutMs} ms`, { cause: err });
        }
        this.options.log.warn({ err: (err as Error).message, try: attempt }, 'publish not confirmed; retrying after reconnect');
        if (this.pub === channel) this.pub = undefined;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * attempt)));
      }
    }
  }

  /**
   * The confirm channel, once there is one (the bus also uses it for queue checks).
   * @throws ServiceUnavailableError when none comes by `deadline` (epoch ms), or the bus is closed.
   */
  async channel(deadline: number): Promise<ConfirmChannel> {
    for (;;) {
      if (this.closing) throw new ServiceUnavailableError('the RabbitMQ bus is closed');
      if (this.pub) return this.pub;
      const left = deadline - Date.now();
      if (left <= 0) throw new ServiceUnavailableError(`RabbitMQ at ${maskUrl(this.options.url)} is unreachable (waited ${this.options.publishTimeoutMs} ms for a connection)`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.gate, new Promise((r) => (timer = setTimeout(r, Math.min(left, 250))))]);
      clearTimeout(timer);
    }
  }

  private closeGate(): void {
    this.gate = new Promise((r) => (this.openGate = r));
  }
}
