/**
 * Where a process serves `/metrics`, from `TOOLFLOW_METRICS_PORT` (light: prom-client is loaded
 * only once a process does serve them).
 *
 * | process | unset (default) | `PORT` or `HOST:PORT` | `off` |
 * | --- | --- | --- | --- |
 * | with an HTTP server of its own (`toolflow serve`, `dev`, the `api` function, each function's server) | `/metrics` on that server | a server of its own on that port instead | none |
 * | long-lived, without one (`toolflow connector`, `toolflow work-manager`) | a server of its own on port 9464, every interface | that port | none |
 * | one-shot (`toolflow run`, `resume`; the sidecar, one per attempt) | none | that port | none |
 *
 * A bare port listens on every interface, as Prometheus exporters do (`:9100`); `127.0.0.1:9464`
 * keeps it to this machine. A port that cannot be listened on is told (a warning) and the process
 * goes on without metrics: metrics never stop the work.
 */
import { ConfigError } from '../errors.js';

/** The path Prometheus scrapes by default (its `metrics_path`). */
export const METRICS_PATH = '/metrics';

/** The port of the metrics server of a long-lived process by default (the Prometheus exporter port OpenTelemetry uses). */
export const DEFAULT_METRICS_PORT = 9464;

/** `TOOLFLOW_METRICS_PORT`, parsed. */
export type MetricsSetting = { mode: 'default' } | { mode: 'off' } | { mode: 'port'; port: number; host?: string };

/** How a process takes part (see the module's table). */
export type MetricsRole = 'own-server' | 'daemon' | 'one-shot';

/** What a process does: `/metrics` on its own server, and/or a metrics server of its own at `dedicated`. */
export interface MetricsPlan {
  onOwnServer: boolean;
  dedicated?: { port: number; host?: string };
}

/**
 * Parses `TOOLFLOW_METRICS_PORT`: unset or empty, `off`, a port (0 to 65535; 0 any free one), or
 * `HOST:PORT` (`127.0.0.1:9464`, `[::1]:9464`, `:9464`).
 * @throws ConfigError naming the variable and the forms it takes.
 */
export function metricsSetting(env: NodeJS.ProcessEnv = process.env): MetricsSetting {
  const raw = (env.TOOLFLOW_METRICS_PORT ?? '').trim();
  if (raw === '') return { mode: 'default' };
  if (raw.toLowerCase() === 'off') return { mode: 'off' };
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`TOOLFLOW_METRICS_PORT=${raw}: give a port (9464), HOST:PORT (127.0.0.1:9464) or off`);
  const host = m[1] ? m[1].replace(/^\[(.*)\]$/, '$1') : undefined;
  return { mode: 'port', port, ...(host ? { host } : {}) };
}

/** What a process of `role` does with `setting` (the module's table). */
export function metricsPlan(role: MetricsRole, setting: MetricsSetting): MetricsPlan {
  if (setting.mode === 'off') return { onOwnServer: false };
  if (setting.mode === 'port') return { onOwnServer: false, dedicated: { port: setting.port, ...(setting.host ? { host: setting.host } : {}) } };
  if (role === 'own-server') return { onOwnServer: true };
  if (role === 'daemon') return { onOwnServer: false, dedicated: { port: DEFAULT_METRICS_PORT } };
  return { onOwnServer: false };
}

/** Loads `metrics.ts`, which turns metrics on in this process. */
export function loadMetrics(): Promise<typeof import('./metrics.js')> {
  return import('./metrics.js');
}

/** A metrics server this process started. */
export interface ProcessMetrics {
  /** `http://HOST:PORT/metrics` as bound (the port chosen for `0`; loopback when it listens on every interface). */
  url: string;
  close(): Promise<void>;
}

/**
 * Where a process tells what its metrics server did, in words for people: `warn` a port that cannot
 * be listened on (the process goes on without metrics); `serving` the address bound, once listening
 * (`metrics: serving /metrics on http://127.0.0.1:41234/metrics`, the port chosen for
 * `TOOLFLOW_METRICS_PORT=0`), with that URL. A bare function is `warn` alone.
 */
export type MetricsNotices = ((warning: string) => void) | { warn(message: string): void; serving?(message: string, url: string): void };

/** The line that tells where a metrics server listens: `metrics: serving /metrics on URL`, `(every interface)` after it when it does. */
export function servingMessage(url: string, everyInterface = false): string {
  return `metrics: serving ${METRICS_PATH} on ${url}${everyInterface ? ' (every interface)' : ''}`;
}

/**
 * Starts the metrics server of `plan.dedicated`, if any, and tells `notices.serving` the address
 * bound. A port that cannot be listened on is given to `notices.warn` (in words for people) and
 * undefined returned: the process goes on without metrics.
 * @throws nothing.
 */
export async function startDedicatedMetrics(plan: MetricsPlan, notices: MetricsNotices): Promise<ProcessMetrics | undefined> {
  const d = plan.dedicated;
  if (!d) return undefined;
  const { warn, serving } = typeof notices === 'function' ? { warn: notices, serving: undefined } : { warn: (m: string) => notices.warn(m), serving: notices.serving?.bind(notices) };
  const { startMetricsServer } = await import('./server.js');
  let server: ProcessMetrics;
  try {
    server = await startMetricsServer(d.port, d.host);
  } catch (err) {
    const where = d.host === undefined ? `port ${d.port}` : `${d.host.includes(':') ? `[${d.host}]` : d.host}:${d.port}`;
    warn(`metrics: cannot listen on ${where} (${(err as Error).message}); going on without /metrics (set TOOLFLOW_METRICS_PORT to another port, or off)`);
    return undefined;
  }
  serving?.(servingMessage(server.url, d.host === undefined || d.host === '0.0.0.0' || d.host === '::'), server.url);
  return server;
}

/**
 * For a process without an HTTP server of its own: reads `TOOLFLOW_METRICS_PORT` and starts what
 * `role` does with it (`metricsPlan`, `startDedicatedMetrics`).
 * @throws ConfigError for a malformed `TOOLFLOW_METRICS_PORT`.
 */
export async function serveProcessMetrics(role: Exclude<MetricsRole, 'own-server'>, notices: MetricsNotices, env: NodeJS.ProcessEnv = process.env): Promise<ProcessMetrics | undefined> {
  return startDedicatedMetrics(metricsPlan(role, metricsSetting(env)), notices);
}
