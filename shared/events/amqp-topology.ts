/**
 * What the RabbitMQ bus declares on the broker, and how it reads the broker's refusals. Names come
 * from `amqp-binding.ts` (`amqpNames`): under the namespace (default `toolflow`), the durable topic
 * exchange `<ns>.events`, the fanout dead-letter exchange `<ns>.dead-letter` and its quorum queue
 * `<ns>.dead-letters`, and one durable quorum queue per consumer, `<ns>.<consumer>`.
 */
import type { Channel, Options } from 'amqplib';
import { bindingPattern, type AmqpNames } from './amqp-binding.js';
import type { EventTypeName } from './catalog.js';

/**
 * Failed deliveries a consumer's queue allows by default (quorum `x-delivery-limit`). Every process
 * that declares a consumer's queue (bus, connector) must use the same value: RabbitMQ refuses to
 * declare an existing queue with other arguments (`PRECONDITION_FAILED - inequivalent arg`). The
 * broker dead-letters a message returned more times than this, so it is delivered at most
 * `DELIVERY_LIMIT + 1` times (measured on RabbitMQ 3.10: limit 5, six deliveries).
 */
export const DELIVERY_LIMIT = 5;

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
  /** Returns (failed deliveries) a message may have; the one after is dead-lettered (quorum `x-delivery-limit`). */
  deliveryLimit: number;
  /** Set for a task-scoped queue: the broker deletes it after this long unused (`x-expires`), ms. */
  expiresMs?: number;
}

/**
 * The arguments of a consumer's queue: a durable quorum queue whose poison messages go to the
 * dead-letter exchange once returned more than `deliveryLimit` times (RabbitMQ docs, "Quorum
 * Queues", "Poison Message Handling").
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

/** A consumer's queue: who consumes it, which event types it is bound to, and for which task. */
export interface ConsumerQueueDeclaration extends ConsumerQueueOptions {
  /** The consumer name: the queue is `names.queue(consumer)`. */
  consumer: string;
  types: EventTypeName[];
  /** Set for a task-scoped consumer: bound to `<type>.<taskId>` instead of `<type>.*`. */
  taskId?: string;
}

/**
 * Declares a consumer's queue (`consumerQueue`) and binds it to the events exchange for each of its
 * types (`bindingPattern`). Idempotent; the bus's consumers and the connector both declare their
 * queues with it, so a queue is the same whoever declares it first.
 * @returns the queue's name.
 * @throws amqplib's error (the channel closes) when the queue exists with other arguments.
 */
export async function declareConsumerQueue(channel: Channel, declaration: ConsumerQueueDeclaration): Promise<string> {
  const queue = declaration.names.queue(declaration.consumer);
  await channel.assertQueue(queue, consumerQueue(declaration));
  for (const type of declaration.types) await channel.bindQueue(queue, declaration.names.exchange, bindingPattern(type, declaration.taskId));
  return queue;
}

/** amqplib's messages made readable where they are cryptic (a refused vhost or login). */
export function amqpMessage(err: Error): string {
  const m = err.message;
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(m)) return `the broker refused the connection (unknown virtual host, or no access to it): ${m}`;
  if (/ACCESS_REFUSED|403/.test(m)) return `login refused (user name or password): ${m}`;
  if (/PRECONDITION_FAILED - inequivalent arg/.test(m)) return `a queue exists with other arguments than toolflow declares (made by another deployment or an older toolflow? use another TOOLFLOW_NAMESPACE, or delete the queue): ${m}`;
  return m;
}
