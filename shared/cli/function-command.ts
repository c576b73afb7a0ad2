/**
 * `toolflow function NAME [--port 8080] [--host 127.0.0.1]`: one event function over HTTP under faas-js-runtime (the
 * Knative Functions runtime), its module `functions/NAME/index.ts` as Knative would load it, with
 * the contract of `http/event-function.ts` (README, "Functions"), configured by the same environment
 * variables as every command. The shared functions (enqueue, handle-status, rerun-policy, notify) run on
 * their own; the task-host ones (start-workflow, schedule-tool) act on the work managers and the
 * executor of a task's host process, so they are refused here: they run in `toolflow dev` for now.
 * SIGINT or SIGTERM closes it (faas-js-runtime calls the module's `shutdown`, then exits 0).
 *
 * It serves connections made to `--host` only (127.0.0.1 by default; `0.0.0.0` for every
 * interface, as a container needs), without CORS headers, and answers batches 400: faas-js-runtime 3
 * cannot be configured for any of these, so `http/faas-guard.ts` does it in front of its server.
 * With `TOOLFLOW_FUNCTION_SECRET` set, calls without it are answered 401.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { checkHost, guardFaasServer, isEveryInterface } from '../http/faas-guard.js';
import { taskHostMessage } from '../http/function-module.js';
import { loadConfig } from '../runtime/config.js';
import { makeLogger } from '../runtime/log.js';

/** Each event function's module, imported only when that function runs (names as in `FUNCTIONS`). */
export const EVENT_FUNCTIONS = {
  enqueue: () => import('../../functions/enqueue/index.js'),
  'start-workflow': () => import('../../functions/start-workflow/index.js'),
  'schedule-tool': () => import('../../functions/schedule-tool/index.js'),
  'handle-status': () => import('../../functions/handle-status/index.js'),
  'rerun-policy': () => import('../../functions/rerun-policy/index.js'),
  notify: () => import('../../functions/notify/index.js'),
};

/** Options of `toolflow function`. */
export interface FunctionOptions {
  /** TCP port, 1 to 65535 (faas-js-runtime takes no 0). */
  port: number;
  /** The address served (`checkHost`): 127.0.0.1 by default, `0.0.0.0` for every interface. */
  host?: string;
}

/**
 * Starts function `name` and prints `toolflow function NAME: listening on http://HOST:PORT` on
 * stderr once it takes requests (and a warning when it serves other machines without a function
 * secret); the process then runs until a signal.
 * @throws ConfigError for an unknown name (listing the functions), a task-host function, or
 *   configuration the function cannot use (no bus and no K_SINK…); ServiceUnavailableError for a
 *   backend that does not answer.
 */
export async function functionCommand(name: string, opts: FunctionOptions): Promise<void> {
  const load = Object.hasOwn(EVENT_FUNCTIONS, name) ? EVENT_FUNCTIONS[name as keyof typeof EVENT_FUNCTIONS] : undefined;
  if (!load) {
    const extra = ['upload', 'validate', 'api'].includes(name) ? ` (${name} answers requests rather than events: run node dist/functions/${name}/index.js, or the user API with toolflow serve)` : '';
    throw new ConfigError(`no event function "${name}"${extra}; the event functions are ${Object.keys(EVENT_FUNCTIONS).join(', ')}`);
  }
  const config = loadConfig(); // bad configuration is refused before anything starts
  const host = checkHost(opts.host ?? '127.0.0.1');
  const fn = await load();
  if (fn.definition.placement === 'task-host' && !config.kubernetes) throw new ConfigError(taskHostMessage(name));
  // toolflow's metrics take `/metrics` (shared/metrics/node-http.ts); faas-js-runtime's own (faas_*)
  // move to /metrics/faas: it reads METRICS_URL when it is loaded.
  const { serverMetrics } = await import('../metrics/node-http.js');
  // A metrics server of its own (TOOLFLOW_METRICS_PORT): where it listens is logged at info level
  // (a JSON line on stdout, as the function's) and said on stderr once the function listens.
  let serving: string | undefined;
  const metrics = await serverMetrics({
    warn: (m) => process.stderr.write(`toolflow function ${name}: ${m}\n`),
    serving: (m, url) => {
      makeLogger(config.logLevel, { component: 'toolflow', function: name }, 'stdout').info({ metricsUrl: url }, m);
      serving = m;
    },
  });
  if (metrics.route) process.env.METRICS_URL ??= '/metrics/faas';
  const { default: faas } = await import('faas-js-runtime');
  // faas-js-runtime reads func.yaml from `config` (the function's own folder, which has none here).
  const dir = fileURLToPath(new URL(`../../functions/${name}/`, import.meta.url));
  // faas-js-runtime's own fastify lines (a request's start and end) carry none of toolflow's fields
  // (component, function, taskId: runtime/log.ts): kept to warnings and errors, on stdout beside toolflow's.
  const faasLevel = ['fatal', 'error', 'silent'].includes(config.logLevel) ? config.logLevel : 'warn';
  const options = { port: opts.port, includeRaw: true, logLevel: faasLevel, bodyLimit: fn.bodyLimit, config: dir };
  // The module's shape is faas-js-runtime's `Function` (init, shutdown, handle, liveness, readiness);
  // its typings name its own cloudevents 8 and fastify 4 types, hence the casts.
  const start = faas.start as unknown as (module: object, options: object) => Promise<Server>;
  const server = await start(fn, options);
  guardFaasServer(server, { host, secret: config.functionSecret }); // at once: no request was read since the listen
  const route = metrics.route;
  if (route) {
    const behind = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!route(req, res)) for (const listener of behind) listener.call(server, req, res);
    });
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shown = isEveryInterface(host) ? 'every interface, port ' : host.includes(':') ? `http://[${host}]:` : `http://${host}:`;
  process.stderr.write(`toolflow function ${name}: listening on ${shown}${port} (POST CloudEvents on /; GET /health/liveness, /health/readiness${route ? ', /metrics' : ''})\n`);
  if (serving) process.stderr.write(`toolflow function ${name}: ${serving}\n`);
  if (isEveryInterface(host) && !config.functionSecret) {
    process.stderr.write(`toolflow function ${name}: warning: no TOOLFLOW_FUNCTION_SECRET, so anyone who reaches this port can post events (fine only where the network keeps others out, e.g. a cluster-local Knative Service)\n`);
  }
}
