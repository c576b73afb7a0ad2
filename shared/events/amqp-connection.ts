/**
 * A RabbitMQ connection that keeps itself up: amqplib's built-in recovery (exponential backoff from
 * 100 ms to 5 s with jitter, for ever after the first connect), `setup` run on every (re)connect,
 * a bounded start-up (a server that takes the TCP connection but never speaks AMQP included), and
 * start-up errors that name the broker with its password masked. Shared by the bus (`amqp-bus.ts`)
 * and the connector (`shared/connector/`), so both reconnect the same way.
 */
import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { ServiceUnavailableError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { amqpMessage } from './amqp-topology.js';

/** How to open and keep a recovering connection. */
export interface RecoveringConnectionOptions {
  /** `amqp://user:password@host:port/vhost`; a `heartbeat` query parameter wins over the default 10 s. */
  url: string;
  log: Logger;
  /** Shown by the broker (management UI, `rabbitmqctl list_connections client_properties`). */
  connectionName: string;
  /** Runs on every connect, before the connection is used: declare, start consumers… A rejection is retried on the next connect. */
  setup(model: ChannelModel): Promise<void>;
  /** The connection was lost (amqplib reconnects by itself); `err` is why, when known. */
  onDisconnect(err: Error | undefined): void;
  /** True once the owner is closing: a disconnect then is not logged as a loss. */
  closing(): boolean;
  /** Connection attempts at start-up before giving up. Default 3. */
  initialAttempts?: number;
  /** How long the start-up waits for the first connection, AMQP handshake included, ms. Default 15,000. */
  connectTimeoutMs?: number;
}

/**
 * Connects and keeps reconnecting after a loss.
 * @returns the recovering connection once its first connect (and `setup`) succeeded.
 * @throws ServiceUnavailableError naming the broker (password masked) when it cannot be reached
 *   within `initialAttempts` tries or `connectTimeoutMs`, or refuses the login or virtual host.
 */
export async function connectRecovering(options: RecoveringConnectionOptions): Promise<RecoveringChannelModel> {
  const url = new URL(options.url);
  if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', '10');
  const model = await connect(url.toString(), {
    noDelay: true, // without it a publish → consume round trip costs ~45 ms (Nagle + delayed ACK)
    timeout: 10_000, // the TCP connect
    clientProperties: { connection_name: options.connectionName },
    recovery: {
      initialDelay: 100,
      maxDelay: 5_000,
      initialMaxRetries: (options.initialAttempts ?? 3) - 1,
      maxRetries: Infinity,
      waitForConnect: false,
      setup: (m: ChannelModel) => options.setup(m),
    },
  });
  // A server that takes the TCP connection but never speaks AMQP would hold the start-up forever.
  const startTimeoutMs = options.connectTimeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      model.waitForConnect(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no AMQP handshake within ${startTimeoutMs} ms`)), startTimeoutMs))),
    ]);
  } catch (err) {
    await model.close().catch(() => undefined);
    throw new ServiceUnavailableError(`RabbitMQ at ${maskUrl(options.url)} is unreachable: ${amqpMessage(err as Error)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  model.on('disconnect', (err: Error | undefined) => {
    options.onDisconnect(err);
    if (!options.closing()) options.log.warn({ err: err?.message, url: maskUrl(options.url) }, 'RabbitMQ connection lost; reconnecting');
  });
  model.on('error', (err: Error) => options.log.warn({ err: err.message }, 'RabbitMQ connection error'));
  return model;
}
