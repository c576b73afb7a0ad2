/**
 * A plain `node:http` server for one function, as OpenFaaS's of-watchdog in HTTP mode expects: it
 * forwards every request, on any path, to the process's port, and the function reads the raw body
 * itself (the OpenFaaS node templates parse bodies, and turn a structured-mode CloudEvent into `{}`).
 * `GET /health/liveness` and `GET /health/readiness` answer as under faas-js-runtime (its paths);
 * every other request goes to the function.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorAnswer, readLimited, type FunctionAnswer, type FunctionRequest } from './function-http.js';

/** Health paths, faas-js-runtime's (and Knative's probes' usual) ones. */
export const LIVENESS_PATH = '/health/liveness';
export const READINESS_PATH = '/health/readiness';

/** A FunctionRequest over a node request: the body is read only when the function asks for it. */
export function requestOf(req: IncomingMessage): FunctionRequest {
  const url = new URL(req.url ?? '/', 'http://function');
  return {
    method: req.method ?? 'GET',
    headers: req.headers,
    query: url.searchParams,
    body: (limit) => readLimited(req, limit),
    stream: () => req,
  };
}

/**
 * Serves `answer` on every path of `port` (0: any free port).
 * @param ready says why the function cannot take requests now (readiness: 503 with that message), or
 *   undefined when it can.
 * @param raw offered every request but the health checks first, as node's request and response:
 *   true when it took the request (it answers it itself, body and answer streamed both ways: the
 *   upload function's tus requests), false to leave it to `answer`.
 * @returns the listening server (its `address()` gives the port).
 */
export async function serveRaw(
  answer: (request: FunctionRequest) => Promise<FunctionAnswer>,
  ready: () => Promise<string | undefined>,
  port: number,
  host?: string,
  raw?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/\?.*$/, '');
    const send = (a: FunctionAnswer) => {
      if (res.headersSent) return res.end();
      res.writeHead(a.status, a.headers).end(a.body);
    };
    if (req.method === 'GET' && path === LIVENESS_PATH) return send({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' });
    if (req.method === 'GET' && path === READINESS_PATH) {
      void ready().then(
        (why) => send(why === undefined ? { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' } : errorAnswer(503, 'SERVICE_UNAVAILABLE', `the function is not ready: ${why}`)),
        (err: unknown) => send(errorAnswer(503, 'SERVICE_UNAVAILABLE', `the function is not ready: ${(err as Error).message}`)),
      );
      return;
    }
    if (raw?.(req, res)) return;
    answer(requestOf(req)).then(
      (a) => {
        // A body the function did not read (an answer given before it) is drained, so the connection can be reused.
        if (!req.complete) req.resume();
        send(a);
      },
      (err: unknown) => send(errorAnswer(500, 'INTERNAL', `the function failed: ${(err as Error).message}`)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
