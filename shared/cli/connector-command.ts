/**
 * `toolflow connector`: runs the connector (`shared/connector/`) until SIGTERM or Ctrl-C, then
 * stops gracefully: requests in flight are finished (and acked on 2xx), deliveries not started are
 * given back to their queues. A second signal exits at once (the broker redelivers what was unacked).
 */
import { pino } from 'pino';
import { Connector } from '../connector/connector.js';
import { connectorSettings, type ConnectorFlags } from '../connector/settings.js';
import { maskUrl } from '../mask-url.js';
import { FUNCTIONS } from '../runtime/functions.js';

/**
 * Runs the connector with `flags` and the environment until a signal stops it.
 * @returns exit code 0 after a graceful stop.
 * @throws ConfigError for bad flags or variables; ServiceUnavailableError when the broker cannot
 *   be used at start-up (both exit 2 through `main.ts`).
 */
export async function connectorCommand(flags: ConnectorFlags): Promise<number> {
  const settings = connectorSettings(process.env, flags, FUNCTIONS);
  const log = pino({ level: settings.logLevel, base: { component: 'toolflow-connector' } }, pino.destination(2));
  const connector = await Connector.start({ amqpUrl: settings.amqpUrl, namespace: settings.namespace, log, targets: settings.targets, timeoutMs: settings.timeoutMs, secret: settings.secret });
  for (const t of settings.targets) {
    process.stderr.write(`toolflow connector: ${connector.names.queue(t.function)} → ${maskUrl(t.url)} (at most ${t.concurrency} in flight)\n`);
  }
  process.stderr.write(`toolflow connector: delivering from RabbitMQ at ${maskUrl(settings.amqpUrl)}; SIGTERM or Ctrl-C stops after the requests in flight\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`toolflow connector: ${signal}: stopping after ${connector.inFlight} deliver${connector.inFlight === 1 ? 'y' : 'ies'} in flight or buffered (${signal} again exits at once)\n`);
      for (const s of ['SIGTERM', 'SIGINT'] as const) process.removeListener(s, stop);
      for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => process.exit(130));
      void connector.close().then(resolve);
    };
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, stop);
  });
  process.stderr.write('toolflow connector: stopped\n');
  return 0;
}
