/**
 * `/metrics` on a plain node:http server: a function's own server (`serve()` behind OpenFaaS's
 * of-watchdog, `http/raw-server.ts`) and faas-js-runtime's under `toolflow function`. As
 * `TOOLFLOW_METRICS_PORT` says (`settings.ts`): on that server by default, on a server of its own
 * when a port is given, nowhere with `off`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadMetrics, METRICS_PATH, metricsPlan, metricsSetting, startDedicatedMetrics, type MetricsNotices, type MetricsPlan, type ProcessMetrics } from './settings.js';

/** Takes a request when it is `GET`/`HEAD /metrics` (answering it) and returns true; false otherwise. */
export type MetricsRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/** What a server with `/metrics` of its own gets. */
export interface ServerMetrics {
  /** Offer it every request first (undefined: this server serves no metrics). */
  route?: MetricsRoute;
  /** The metrics server started instead, if any. */
  dedicated?: ProcessMetrics;
  close(): Promise<void>;
}

/**
 * Turns metrics on as `plan` says (default: from `TOOLFLOW_METRICS_PORT`, for a process with a
 * server of its own).
 * @param notices told, in words for people, when a dedicated metrics port cannot be listened on
 *   (`warn`), and where it listens (`serving`, with the address bound).
 * @throws ConfigError for a malformed `TOOLFLOW_METRICS_PORT` (when `plan` is not given).
 */
export async function serverMetrics(notices: MetricsNotices, plan: MetricsPlan = metricsPlan('own-server', metricsSetting())): Promise<ServerMetrics> {
  const dedicated = await startDedicatedMetrics(plan, notices);
  if (!plan.onOwnServer) return { ...(dedicated ? { dedicated } : {}), close: async () => dedicated?.close() };
  const { metricsHandler } = await loadMetrics();
  const route: MetricsRoute = (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.url ?? '/').replace(/\?.*$/s, '') !== METRICS_PATH) return false;
    req.resume(); // a body sent with it is drained, so the connection can be reused
    metricsHandler(req, res);
    return true;
  };
  return { route, close: async () => undefined };
}
