/**
 * `toolflow dev [--port 8080] [--host 127.0.0.1]`: one process, one port, everything a deployment
 * spreads over many: the user API under `/v1`, each event function under `/functions/<name>`,
 * health under `/health/…`, and the task-host parts (work managers, the local executor) of the tasks
 * submitted through it. Embedded mode (no variable set): in-process delivery, no services. Services
 * mode (`TOOLFLOW_AMQP_URL` …): the shared functions' events reach them over HTTP through a
 * connector, as on OpenFaaS. The `/functions/<name>` paths take calls with the function secret only:
 * `TOOLFLOW_FUNCTION_SECRET` when set (what `--external-functions` peers must share), else a random
 * one this process makes up for its own connector, so nobody else can post events to them.
 */
import { loadConfig } from '../runtime/config.js';
import { mountFunctions, startDevConnector } from '../dev/dev-server.js';
import { ConfigError } from '../errors.js';
import { randomFunctionSecret } from '../http/function-auth.js';
import { serveUntilSignal, type ListenOptions } from './api-server.js';

/** Options of `toolflow dev`. */
export interface DevOptions extends ListenOptions {
  /**
   * The shared functions run in other processes (`toolflow function NAME` behind `toolflow
   * connector`): this one serves the API and hosts its tasks' work managers and tools only.
   */
  externalFunctions?: boolean;
}

/**
 * Runs the dev server until SIGINT or SIGTERM.
 * @returns exit code 0 once stopped.
 * @throws ConfigError, ServiceUnavailableError (exit 2 through main.ts).
 */
export async function devCommand(opts: DevOptions): Promise<number> {
  const config = loadConfig();
  const services = config.amqpUrl !== undefined;
  if (opts.externalFunctions && !services) throw new ConfigError('--external-functions needs services mode (TOOLFLOW_AMQP_URL and TOOLFLOW_DATABASE_URL=mysql://…): the functions elsewhere reach their events through RabbitMQ');
  return serveUntilSignal('toolflow dev', config, opts, { routeShared: !services }, async (app, runtime) => {
    // Never logged or printed: the connector below is its only other holder.
    const secret = config.functionSecret ?? randomFunctionSecret();
    await mountFunctions(app, runtime.ports, secret);
    let connector: Awaited<ReturnType<typeof startDevConnector>> | undefined;
    return {
      async started(baseUrl) {
        if (services && !opts.externalFunctions) connector = await startDevConnector(config.amqpUrl!, config.namespace, baseUrl.replace('0.0.0.0', '127.0.0.1'), runtime.ports.log, secret);
      },
      async close() {
        await connector?.close();
      },
    };
  });
}
