/**
 * What `toolflow function` puts in front of faas-js-runtime 3's server, for what the runtime does
 * not let a caller configure (read in node_modules/faas-js-runtime 3.0.2):
 *
 * - **The address**: its `start` listens on `host: '::'` (index.js `__start`), every interface,
 *   with no option to change it. The guard closes at once every connection made to an address other
 *   than the chosen host (`socket.localAddress`), which is what binding to that address would
 *   serve: loopback by default (127.0.0.1, and ::1 too, so that a client trying `localhost` on
 *   IPv6 first is not cut off after connecting), `0.0.0.0` or `::` for every interface. The port
 *   still accepts TCP on every interface (then resets it).
 * - **CORS**: it adds `access-control-allow-origin: *` to every answer (lib/invoker.js; a module's
 *   `cors()` only turns it into the origin listed or the literal `null`, which opaque origins
 *   match), and answers every `OPTIONS /` preflight with `*` origins, methods and headers
 *   (lib/invocation-handler.js). Event functions are called by toolflow's connector and Knative's
 *   dispatchers, never by browsers: the guard drops every `access-control-*` header from the answers.
 * - **Batches**: a structured batch (`application/cloudevents-batch+json`) makes its CloudEvent
 *   pre-handler (lib/event-handler.js) call `validate` on the array the SDK returns, a TypeError
 *   answered 500 ("deliver again") before the function runs. The guard answers it `400
 *   EVENT_INVALID` itself (after the secret check: a call without the secret is a 401 first).
 */
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';
import { refuseUnauthenticated } from './function-auth.js';
import { errorAnswer, type FunctionAnswer } from './function-http.js';

/** Options of `guardFaasServer`. */
export interface GuardOptions {
  /** The address to serve, as `--host` gives it (`checkHost`): an IP address or `localhost`. */
  host: string;
  /** The function secret (`Config.functionSecret`), for the batch answer. */
  secret?: string;
}

/** True for the hosts that mean every interface. */
export function isEveryInterface(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/**
 * Checks a `--host` value.
 * @throws ConfigError unless it is an IPv4 or IPv6 address or `localhost` (a name would need a resolver).
 */
export function checkHost(host: string): string {
  if (host === 'localhost' || isIP(host) !== 0) return host;
  throw new ConfigError(`--host ${host}: give an IP address of this machine (127.0.0.1, the default; 0.0.0.0 for every interface) or localhost`);
}

/** True for a loopback address (127.0.0.0/8, ::1; RFC 1122 §3.2.1.3, RFC 4291 §2.5.3). */
function isLoopback(address: string): boolean {
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** Whether a connection made to local address `address` is served, for `host`. */
function acceptsFor(host: string): ((address: string) => boolean) | undefined {
  if (isEveryInterface(host)) return undefined;
  if (host === 'localhost' || isLoopback(host.toLowerCase())) return isLoopback;
  return (address) => address === host.toLowerCase();
}

/** A connection's local address, IPv4-mapped IPv6 (`::ffff:127.0.0.1`, a dual-stack socket's) as IPv4. */
function localAddressOf(address: string | undefined): string {
  return (address ?? '').toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/** Headers without `access-control-*`. */
function withoutCors(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !k.toLowerCase().startsWith('access-control-')));
}

/** Makes `res` drop every `access-control-*` header, however it was set (`setHeader` or `writeHead`'s object). */
function dropCors(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    for (const name of res.getHeaderNames()) if (name.startsWith('access-control-')) res.removeHeader(name);
    const i = args.findIndex((a, n) => n > 0 && typeof a === 'object' && a !== null && !Array.isArray(a));
    if (i > 0) args[i] = withoutCors(args[i] as OutgoingHttpHeaders);
    return writeHead(...args);
  }) as ServerResponse['writeHead'];
}

/** True for a structured-mode batch of CloudEvents (CloudEvents HTTP binding 1.0, §3.3). */
export function isBatch(req: Pick<IncomingMessage, 'headers'>): boolean {
  return /^application\/cloudevents-batch\b/i.test(String(req.headers['content-type'] ?? '').trim());
}

/** The answer to a batch (or the 401 when the call lacks the secret). */
export function batchAnswer(req: Pick<IncomingMessage, 'headers'>, secret: string | undefined): FunctionAnswer {
  return refuseUnauthenticated(req.headers, secret) ?? errorAnswer(400, 'EVENT_INVALID', 'batches are not taken; send one event per request (binary mode, or structured mode with Content-Type: application/cloudevents+json)');
}

/**
 * Puts the guard (see the module's doc) in front of faas-js-runtime's `server`, right after its
 * `start` resolved (no request can have been read in between: the rest of `start` runs without
 * yielding to I/O).
 */
export function guardFaasServer(server: Server, options: GuardOptions): void {
  const accepts = acceptsFor(options.host);
  if (accepts) {
    server.prependListener('connection', (socket: import('node:net').Socket) => {
      if (!accepts(localAddressOf(socket.localAddress))) socket.destroy();
    });
  }
  const runtime = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    dropCors(res);
    if (req.method === 'POST' && isBatch(req)) {
      const a = batchAnswer(req, options.secret);
      req.resume(); // drained, so the connection can be reused
      res.writeHead(a.status, a.headers).end(a.body);
      return;
    }
    for (const listener of runtime) listener.call(server, req, res);
  });
}
