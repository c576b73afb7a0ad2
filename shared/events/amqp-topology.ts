/**
 * What the RabbitMQ bus declares on the broker, and how it reads the broker's refusals. Names come
 * from `amqp-binding.ts` (`amqpNames`): under the namespace (default `toolflow`), the durable topic
 * exchange `<ns>.events`, the fanout dead-letter exchange `<ns>.dead-letter` and its quorum queue
 * `<ns>.dead-letters`, and one durable quorum queue per consumer, `<ns>.<consumer>`.
 */
import type { Channel, Options } from 'amqplib';
import type { AmqpNames } from './amqp-binding.js';

/** Declares the exchanges and the dead-letter queue (idempotent: run on every connect). */
export async function declareTopology(channel: Channel, names: AmqpNames): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(names.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, '');
}

/** What a consumer's queue is declared with. */
export interface ConsumerQueueOptions {
  names: AmqpNames;
  /** Failed deliveries after which a message is dead-lettered (quorum `x-delivery-limit`). */
  deliveryLimit: number;
  /** Set for a task-scoped queue: the broker deletes it after this long unused (`x-expires`), ms. */
  expiresMs?: number;
}

/**
 * The arguments of a consumer's queue: a durable quorum queue whose poison messages go to the
 * dead-letter exchange after `deliveryLimit` failed deliveries (RabbitMQ docs, "Quorum Queues",
 * "Poison Message Handling").
 */
export function consumerQueue(options: ConsumerQueueOptions): Options.AssertQueue {
  return {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': options.deliveryLimit,
      'x-dead-letter-exchange': options.names.deadLetterExchange,
      ...(options.expiresMs === undefined ? {} : { 'x-expires': options.expiresMs }),
    },
  };
}

/** amqplib's messages made readable where they are cryptic (a refused vhost or login). */
export function amqpMessage(err: Error): string {
  const m = err.message;
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(m)) return `the broker refused the connection (unknown virtual host, or no access to it): ${m}`;
  if (/ACCESS_REFUSED|403/.test(m)) return `login refused (user name or password): ${m}`;
  return m;
}
