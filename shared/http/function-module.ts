/**
 * What a `functions/<name>/index.ts` exports, built from one function:
 *
 * - for Knative Functions, the module faas-js-runtime 3 loads (`start(module)` or its CLI
 *   `faas-js-runtime dist/functions/<name>/index.js`): `init` (opens the ports from the environment,
 *   before the server listens), `shutdown` (closes them, on SIGTERM), `handle(context, cloudevent)`
 *   and the `liveness` / `readiness` checks of `GET /health/liveness` and `/health/readiness`.
 *   `handle` re-reads the request from its raw body and headers rather than taking the runtime's
 *   parsed event, so every server applies one contract;
 * - for OpenFaaS's of-watchdog (HTTP mode), `serve()`: the same function on any path of one port,
 *   reading the raw body (`raw-server.ts`); `node dist/functions/<name>/index.js` runs it, on the port
 *   in `http_port` (the OpenFaaS templates' variable), else `PORT` (Knative's), else 8080.
 *
 * The process keeps only connections in memory: any replica may take any request.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import type { FunctionDef } from '../handlers/handler.js';
import { loadConfig, type Config } from '../runtime/config.js';
import { makeLogger } from '../runtime/log.js';
import { answerEvent, EVENT_BODY_LIMIT } from './event-function.js';
import { bufferedBody, errorAnswer, type FunctionAnswer, type FunctionRequest } from './function-http.js';
import { openFunctionPorts } from './function-ports.js';
import { serveRaw } from './raw-server.js';
import type { Ports } from '../runtime/ports.js';

/** A function once its process has opened what it needs. */
export interface OpenFunction {
  answer(request: FunctionRequest): Promise<FunctionAnswer>;
  /**
   * Takes a request raw, when the server holds one (`serve()`, of-watchdog's HTTP mode): node's
   * request and response, the body unread. @returns true when it took the request (it answers it
   * itself, streaming both ways: the upload function's tus requests), false to leave it to
   * `answer`. Under faas-js-runtime (`handle`) there is no raw request: the runtime has buffered
   * the body, and only `answer` is called.
   */
  raw?(req: IncomingMessage, res: ServerResponse): boolean;
  /**
   * Resolves when the function's backends answer now (readiness); absent: always ready once open.
   * @throws Error saying which backend does not answer.
   */
  ready?(): Promise<void>;
  close(): Promise<void>;
}

/** A function servable over HTTP. */
export interface HttpFunction {
  name: string;
  /** Largest body a server that buffers bodies (faas-js-runtime) should take, bytes. */
  bodyLimit: number;
  /**
   * Opens what the function needs (connections to the configured backends).
   * @throws ConfigError or ServiceUnavailableError naming what cannot be used.
   */
  open(config: Config, log: Logger): Promise<OpenFunction>;
}

/** The message that refuses a task-host function outside a host process. */
export function taskHostMessage(name: string): string {
  return `${name} acts on the work managers and executor of the process that hosts a task, so it runs on its own only in cluster mode (TOOLFLOW_EXECUTOR=kubernetes: work managers and tools are Kubernetes Jobs); otherwise it runs in \`toolflow dev\` (POST to /functions/${name} there); the shared functions (enqueue, handle-status, rerun-policy) run on their own`;
}

/** An event function (`event-function.ts`'s contract) over a FunctionDef. A task-host one refuses to open. */
export function eventFunction(fn: FunctionDef): HttpFunction {
  return {
    name: fn.name,
    bodyLimit: EVENT_BODY_LIMIT,
    async open(config, log) {
      // In cluster mode start-workflow and schedule-tool only call the Kubernetes API: they run anywhere.
      if (fn.placement === 'task-host' && !config.kubernetes) throw new ConfigError(taskHostMessage(fn.name));
      const ports = await openFunctionPorts(fn.name, config, log);
      return {
        answer: (request) => answerEvent(fn, ports, request, { secret: config.functionSecret }),
        ready: () => storeAnswers(ports),
        close: () => ports.close(),
      };
    },
  };
}

/**
 * Resolves when `ports.store` answers a primary-key read, as the user API's readiness checks
 * (shared/api/app.ts), so a replica cut off from its database leaves the rotation.
 * @throws Error naming the store's failure.
 */
export async function storeAnswers(ports: Pick<Ports, 'store'>): Promise<void> {
  try {
    await ports.store.getTask('-');
  } catch (err) {
    throw new Error(`the store does not answer: ${(err as Error).message}`, { cause: err });
  }
}

/** faas-js-runtime's invocation context, the parts read here. */
export interface FaasContext {
  method: string;
  headers: FunctionRequest['headers'];
  query?: Record<string, unknown>;
  body?: Buffer | string | object;
  /** The body as text, when the runtime runs with `includeRaw`. */
  rawBody?: string;
}

/** What faas-js-runtime sends back from a `handle`. */
export interface FaasReturn {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** faas-js-runtime's health handlers get fastify's reply. */
export interface HealthReply {
  code(status: number): HealthReply;
  header(name: string, value: string): HealthReply;
  send(body: string): unknown;
}

/** The exports of a function's module. */
export interface FunctionModule {
  init(): Promise<void>;
  shutdown(): Promise<void>;
  handle(context: FaasContext, event?: unknown): Promise<FaasReturn>;
  liveness(request: unknown, reply: HealthReply): unknown;
  readiness(request: unknown, reply: HealthReply): unknown;
  /** Serves the function on any path of `port` (default: `http_port`, `PORT`, 8080), raw bodies. */
  serve(port?: number): Promise<Server>;
  /** The function's body limit for servers that buffer bodies. */
  readonly bodyLimit: number;
}

/**
 * Makes faas-js-runtime answer an event it finds malformed with 400 `EVENT_INVALID` rather than 500.
 * Its CloudEvent detection (lib/event-handler.js) validates every request that looks like a
 * CloudEvent before calling `handle`, and fails the request with the SDK's ValidationError, which
 * carries no status: fastify then answers 500, "deliver again", for a body that will never be valid.
 * Giving that class a `statusCode` and a `code` makes fastify's default error answer
 * `{statusCode: 400, code: "EVENT_INVALID", error, message}`. Idempotent.
 */
export function invalidEventsAre400(): void {
  const runtime = createRequire(createRequire(import.meta.url).resolve('faas-js-runtime'));
  const { ValidationError } = runtime('cloudevents') as { ValidationError: { prototype: object } };
  if (Object.prototype.hasOwnProperty.call(ValidationError.prototype, 'statusCode')) return;
  Object.defineProperties(ValidationError.prototype, { statusCode: { value: 400 }, code: { value: 'EVENT_INVALID' } });
}

/** The port of `serve()` from the environment: `http_port` (OpenFaaS), `PORT` (Knative), else 8080. */
export function portFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.http_port || env.PORT || '8080';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${env.http_port ? 'http_port' : 'PORT'}=${raw} must be a port number (0 to 65535)`);
  return port;
}

/** The module of function `fn`; it opens its ports on `init` (faas-js-runtime) or `serve`. */
export function functionModule(fn: HttpFunction): FunctionModule {
  let opened: OpenFunction | undefined;
  let opening: Promise<OpenFunction> | undefined;
  let closing = false;
  let log: Logger | undefined;
  const open = () => {
    const config = loadConfig(process.env);
    // JSON lines on stdout, where the platform collects a service's logs (runtime/log.ts).
    log ??= makeLogger(config.logLevel, { component: 'toolflow', function: fn.name }, 'stdout');
    opening ??= fn.open(config, log).then((o) => (opened = o));
    return opening;
  };
  const ok = (reply: HealthReply) => reply.code(200).header('content-type', 'text/plain; charset=utf-8').send('OK');
  /** Ready: open, not closing, and its backends answer (`OpenFunction.ready`). @returns why not, or undefined. */
  const notReady = async (): Promise<string | undefined> => {
    if (!opened || closing) return closing ? 'the function is shutting down' : 'the function is not initialised';
    try {
      await opened.ready?.();
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  return {
    bodyLimit: fn.bodyLimit,
    async init() {
      invalidEventsAre400();
      await open();
    },
    async shutdown() {
      closing = true;
      await opened?.close();
    },
    async handle(context) {
      const a = opened
        ? await opened.answer({
            method: context.method,
            headers: context.headers,
            query: new URLSearchParams(Object.entries(context.query ?? {}).map(([k, v]) => [k, String(v)])),
            // Bytes as the runtime parsed them (any type it does not know), else its raw text, else its parsed JSON.
            ...bufferedBody(Buffer.isBuffer(context.body) ? context.body : (context.rawBody ?? context.body)),
          })
        : errorAnswer(503, 'SERVICE_UNAVAILABLE', `function ${fn.name} is not initialised (its init was not called)`);
      return { statusCode: a.status, headers: a.headers, body: a.body };
    },
    liveness: (_request, reply) => ok(reply),
    readiness: async (_request, reply) => {
      const why = await notReady();
      return why === undefined ? ok(reply) : reply.code(503).header('content-type', 'text/plain; charset=utf-8').send(`not ready: ${why}`);
    },
    async serve(port = portFromEnv()) {
      const o = await open();
      // `GET /metrics` on this server, or a port of its own (TOOLFLOW_METRICS_PORT): shared/metrics/node-http.ts.
      const { serverMetrics } = await import('../metrics/node-http.js');
      const say = (m: string) => process.stderr.write(`toolflow function ${fn.name}: ${m}\n`);
      // Where a metrics server of its own listens (the port chosen for 0): logged at info level, and said.
      const metrics = await serverMetrics({
        warn: say,
        serving: (m, url) => {
          log?.info({ metricsUrl: url }, m);
          say(m);
        },
      });
      const raw = o.raw?.bind(o);
      const route = metrics.route;
      const server = await serveRaw((request) => o.answer(request), notReady, port, undefined, route ? (req, res) => route(req, res) || (raw?.(req, res) ?? false) : raw);
      server.once('close', () => void metrics.close());
      return server;
    },
  };
}

/** True when the file at `moduleUrl` is the program node runs (`node that-file.js`). */
export function isMainModule(moduleUrl: string): boolean {
  const main = process.argv[1];
  if (!main) return false;
  try {
    return realpathSync(main) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/**
 * Serves `module` (`serve()`) when the file at `moduleUrl` is the program node runs (`node
 * dist/functions/<name>/index.js`), and closes it on SIGTERM or SIGINT. Does nothing when the module
 * is imported (by faas-js-runtime, `toolflow function`, `toolflow dev`, a test).
 */
export function runIfMain(moduleUrl: string, module: FunctionModule): void {
  if (!isMainModule(moduleUrl)) return;
  module.serve().then(
    (server) => {
      const stop = () => {
        server.close();
        void module.shutdown().finally(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err: unknown) => {
      process.stderr.write(`toolflow: ${(err as Error).message}\n`);
      process.exit(2);
    },
  );
}
