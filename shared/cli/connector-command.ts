/**
 * `toolflow connector`: runs the connector (`shared/connector/`) until SIGTERM or Ctrl-C, then
 * stops gracefully: requests in flight are finished (and acked on 2xx), deliveries not started are
 * given back to their queues. A second signal exits at once (the broker redelivers what was unacked).
 */
import { Connector } from '../connector/connector.js';
import { connectorSettings, type ConnectorFlags } from '../connector/settings.js';
import { maskUrl } from '../mask-url.js';
import { metricsPlan, metricsSetting, startDedicatedMetrics } from '../metrics/settings.js';
import { FUNCTIONS } from '../runtime/functions.js';
import { makeLogger } from '../runtime/log.js';

/**
 * Runs the connector with `flags` and the environment until a signal stops it.
 * @returns exit code 0 after a graceful stop.
 * @throws ConfigError for bad flags or variables; ServiceUnavailableError when the broker cannot
 *   be used at start-up (both exit 2 through `main.ts`).
 */
export async function connectorCommand(flags: ConnectorFlags): Promise<number> {
  const settings = connectorSettings(process.env, flags, FUNCTIONS);
  const metricsAt = metricsPlan('daemon', metricsSetting()); // TOOLFLOW_METRICS_PORT: default port 9464
  // JSON log lines on stdout (collected by the platform); the lines below for people on stderr.
  const log = makeLogger(settings.logLevel, { component: 'toolflow-connector' }, 'stdout');
  const connector = await Connector.start({ amqpUrl: settings.amqpUrl, namespace: settings.namespace, log, targets: settings.targets, timeoutMs: settings.timeoutMs, secret: settings.secret });
  for (const t of settings.targets) {
    process.stderr.write(`toolflow connector: ${connector.names.queue(t.function)} → ${maskUrl(t.url)} (at most ${t.concurrency} in flight)\n`);
  }
  process.stderr.write(`toolflow connector: delivering from RabbitMQ at ${maskUrl(settings.amqpUrl)}; SIGTERM or Ctrl-C stops after the requests in flight\n`);
  // Queue depth at scrape (the connector's `queueDepths`), dead letters, default process metrics.
  const say = (m: string) => process.stderr.write(`toolflow connector: ${m}\n`);
  // Where it listens (the port chosen for TOOLFLOW_METRICS_PORT=0): said, and logged at info level.
  const metrics = await startDedicatedMetrics(metricsAt, {
    warn: say,
    serving: (m, url) => {
      log.info({ metricsUrl: url }, m);
      say(m);
    },
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`toolflow connector: ${signal}: stopping after ${connector.inFlight} deliver${connector.inFlight === 1 ? 'y' : 'ies'} in flight or buffered (${signal} again exits at once)\n`);
      for (const s of ['SIGTERM', 'SIGINT'] as const) process.removeListener(s, stop);
      for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => process.exit(130));
      void connector.close().then(resolve);
    };
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, stop);
  });
  await metrics?.close();
  process.stderr.write('toolflow connector: stopped\n');
  return 0;
}
