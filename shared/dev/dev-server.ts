/**
 * What `toolflow dev` adds to the user API on its one port: every event function under
 * `/functions/<name>` (the HTTP contract of `http/event-function.ts`, the same handler a deployed
 * function runs), and in services mode a connector that feeds the shared functions' queues to those
 * paths, as the OpenFaaS connector does in a deployment.
 *
 * One port rather than one per function: one origin for users and tools (curl, a browser), and each
 * function is still addressed by its own URL, so a deployment differs only in the base URL.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Connector } from '../connector/connector.js';
import type { FunctionDef } from '../handlers/handler.js';
import { answerEvent, EVENT_BODY_LIMIT } from '../http/event-function.js';
import { bufferedBody } from '../http/function-http.js';
import type { Ports } from '../runtime/ports.js';
import { FUNCTIONS } from '../runtime/functions.js';

/** The path of an event function on the dev server. */
export function functionPath(name: string): string {
  return `/functions/${name}`;
}

/**
 * Adds `POST /functions/<name>` for each event function: the body is read raw (binary and
 * structured CloudEvents alike), handled with `ports`, and answered as a deployed function would.
 * @param secret the shared secret every call must carry (`Authorization: Bearer <secret>`, else
 *   401): `toolflow dev` always gives one (configured, or made up for its own connector), so these
 *   paths, on the same port as the user API, take no event from anyone else.
 */
export async function mountFunctions(app: FastifyInstance, ports: Ports, secret: string | undefined, functions: FunctionDef[] = FUNCTIONS): Promise<void> {
  await app.register(async (scope) => {
    // Raw bodies here: the API's JSON and YAML parsers do not apply (encapsulated in this scope).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: EVENT_BODY_LIMIT }, (_request, body, done) => done(null, body));
    for (const fn of functions) {
      scope.post(functionPath(fn.name), async (request, reply) => {
        const query = new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '');
        const answer = await answerEvent(fn, ports, { method: request.method, headers: request.headers, query, ...bufferedBody(request.body as Buffer | undefined) }, { secret });
        return reply.code(answer.status).headers(answer.headers).send(answer.body === '' ? undefined : answer.body);
      });
    }
  });
}

/**
 * Starts a connector that feeds each shared function's queue to this server's `/functions/<name>`
 * (services mode). Task-host functions keep their in-process, task-scoped consumers: feeding their
 * shared queues too would handle their events twice. Every request carries `secret` (the one
 * `mountFunctions` was given).
 * @throws ServiceUnavailableError naming the broker.
 */
export async function startDevConnector(amqpUrl: string, namespace: string, baseUrl: string, log: Logger, secret: string | undefined): Promise<Connector> {
  const targets = FUNCTIONS.filter((f) => f.placement === 'shared').map((f) => ({ function: f.name, types: f.consumes, url: `${baseUrl}${functionPath(f.name)}`, concurrency: f.concurrency ?? 1 }));
  return Connector.start({ amqpUrl, namespace, log, targets, secret });
}
