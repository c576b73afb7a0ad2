/**
 * Running the user API as a server until a signal stops it: what `toolflow serve` and `toolflow
 * dev` share. The folders are checked, the runtime is made (this process hosts the tasks submitted
 * through it), `extend` may add routes and parts before the server listens, and SIGINT or SIGTERM
 * stop it (a second signal exits at once).
 */
import type { FastifyInstance } from 'fastify';
import { resolve } from 'node:path';
import { apiOptionsFromEnv, buildApi } from '../api/app.js';
import { ensureDir } from '../ensure-dir.js';
import { dedicatedMetricsOf } from '../metrics/fastify.js';
import { ConfigError } from '../errors.js';
import type { Config } from '../runtime/config.js';
import { createRuntime, type Runtime, type RuntimeParts } from '../runtime/runtime.js';
import { makeLogger } from '../runtime/log.js';

/** Where and how to listen. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one (printed). */
  port: number;
  /** Address: 127.0.0.1 by default (this machine only); 0.0.0.0 for every interface. */
  host: string;
  /** Longest upload, bytes (wins over TOOLFLOW_API_UPLOAD_LIMIT). */
  uploadLimit?: number;
}

/** What `extend` may add: it runs before the server listens; `started` once it does; `close` before the runtime closes. */
export interface ServerExtension {
  started?(baseUrl: string): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Serves the API (and whatever `extend` adds) until SIGINT or SIGTERM. Prints `NAME: listening on
 * http://HOST:PORT` on stderr once it accepts connections.
 * @returns exit code 0 once stopped.
 * @throws ConfigError for a folder that cannot be used or a port in use; ServiceUnavailableError
 *   for a backend that does not answer.
 */
export async function serveUntilSignal(
  name: string,
  config: Config,
  opts: ListenOptions,
  parts: RuntimeParts = {},
  extend: (app: FastifyInstance, runtime: Runtime) => Promise<ServerExtension> = async () => ({}),
): Promise<number> {
  for (const [what, dir] of [['TOOLFLOW_HOME', config.home], ['the work dir', config.workDir]] as const) {
    try {
      ensureDir(dir);
    } catch (err) {
      throw new ConfigError(`${what} ${dir} cannot be used as a folder: ${(err as Error).message}`);
    }
  }
  // A server's JSON log lines go to stdout, where the platform collects them (runtime/log.ts); its lines for people stay on stderr.
  const runtime = await createRuntime(config, { log: makeLogger(config.logLevel, { component: 'toolflow' }, 'stdout'), ...parts });
  let app: FastifyInstance;
  try {
    app = buildApi(runtime, {
      ...apiOptionsFromEnv(),
      ...(opts.uploadLimit !== undefined ? { uploadBodyLimit: opts.uploadLimit } : {}),
      logger: runtime.ports.log,
      workRoot: resolve(config.workDir),
    });
  } catch (err) {
    await runtime.close(); // a refused setting: nothing may keep the process alive (it would hang, not listening)
    throw err;
  }
  let extension: ServerExtension = {};
  let address: string;
  try {
    extension = await extend(app, runtime);
    address = await app.listen({ port: opts.port, host: opts.host });
  } catch (err) {
    await app.close().catch(() => undefined);
    await extension.close?.().catch(() => undefined);
    await runtime.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new ConfigError(`cannot listen on ${opts.host}:${opts.port}: ${(err as Error).message} (choose another --port or --host)`);
    throw err;
  }
  try {
    await extension.started?.(address);
  } catch (err) {
    await app.close().catch(() => undefined);
    await extension.close?.().catch(() => undefined);
    await runtime.close();
    throw err;
  }
  process.stderr.write(`${name}: listening on ${address}${runtime.mode === 'services' ? ` (services mode: ${runtime.backends})` : ''}\n`);
  // TOOLFLOW_METRICS_PORT gave the metrics a server of their own: where (the port chosen for 0).
  const metrics = dedicatedMetricsOf(app);
  if (metrics) process.stderr.write(`${name}: ${metrics.message}\n`);
  await new Promise<void>((done) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) process.exit(130);
      process.stderr.write(`${name}: stopping (again to exit at once)…\n`);
      done();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await app.close();
  await extension.close?.();
  await runtime.close();
  return 0;
}
