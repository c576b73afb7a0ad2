/**
 * A small HTTP server that serves only `GET /metrics`, for processes with no HTTP server of their
 * own (the connector, the work manager, and `toolflow run`, the sidecar when asked), or whose own
 * port should not carry metrics (`TOOLFLOW_METRICS_PORT` set). Loading it turns metrics on
 * (`metrics.ts`). It never keeps the process alive: the server and its connections are unref'd, so
 * a `toolflow run` ends when its task does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsHandler } from './metrics.js';
import { METRICS_PATH } from './settings.js';

/** A running metrics server. */
export interface MetricsServer {
  /** The port it listens on (the one chosen for port 0). */
  port: number;
  /** `http://HOST:PORT/metrics`, loopback when it listens on every interface. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the server on `port` (0: any free port) and `host` (undefined: every interface, as
 * Prometheus exporters do). `GET`/`HEAD /metrics` answer the metrics; any other path is `404`, any
 * other method `405`.
 * @throws the listen error (EADDRINUSE, EACCES, EADDRNOTAVAIL) as node gives it.
 */
export async function startMetricsServer(port: number, host?: string): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/\?.*$/s, '');
    if (path !== METRICS_PATH) return void res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
    metricsHandler(req, res);
  });
  server.on('connection', (socket) => socket.unref());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const address = server.address() as AddressInfo;
  const shown = host === undefined || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    port: address.port,
    url: `http://${shown}:${address.port}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
