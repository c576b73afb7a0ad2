/**
 * A small HTTP "function" for the connector's tests (node:http on loopback): it records every
 * request (headers, body, the CloudEvent the cloudevents SDK reads from it), counts the requests in
 * flight, and answers as the test says: a status, or `hold` (the request waits until the test
 * releases it, or for ever: a hanging function).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP, type CloudEvent } from 'cloudevents';

/** One request the function received. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** What `HTTP.toEvent` reads from the request, or the error it threw. */
  event: CloudEvent<unknown> | Error;
  /** The event's id (`ce-id`). */
  id: string;
  subject: string;
  /** In flight when this one arrived, itself included. */
  inFlightAtArrival: number;
}

/** How to answer request number `n` (0-based): a status with an optional JSON body, or hold it. */
export type Answer = { status: number; body?: unknown } | 'hold';

/** A running test function. */
export interface FunctionServer {
  url: string;
  port: number;
  received: Received[];
  /** Requests being answered now. */
  inFlight(): number;
  /** Most requests in flight at once so far. */
  maxInFlight(): number;
  /** Answers every held request with `status`. */
  release(status?: number): void;
  /** Held requests now. */
  held(): number;
  close(): Promise<void>;
}

/**
 * Starts a function on `127.0.0.1:port` (0: a free port) that answers each request as `answer`
 * says. The URL it reports has the path `/functions/test?from=connector` (the connector must keep it).
 */
export async function startFunction(answer: (n: number, r: Received) => Answer, port = 0): Promise<FunctionServer> {
  const received: Received[] = [];
  const heldResponses: ServerResponse[] = [];
  let inFlight = 0;
  let max = 0;
  const respond = (res: ServerResponse, status: number, body?: unknown) => {
    inFlight--;
    if (res.destroyed) return;
    if (body === undefined) res.writeHead(status).end();
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    inFlight++;
    max = Math.max(max, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: CloudEvent<unknown> | Error;
      try {
        event = HTTP.toEvent({ headers: req.headers, body }) as CloudEvent<unknown>;
      } catch (err) {
        event = err as Error;
      }
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        event,
        id: String(req.headers['ce-id'] ?? ''),
        subject: String(req.headers['ce-subject'] ?? ''),
        inFlightAtArrival: inFlight,
      };
      received.push(r);
      const a = answer(received.length - 1, r);
      if (a === 'hold') {
        heldResponses.push(res);
        // A client that gives up (the connector's timeout) ends the request here too.
        res.on('close', () => {
          const i = heldResponses.indexOf(res);
          if (i >= 0) {
            heldResponses.splice(i, 1);
            inFlight--;
          }
        });
      } else respond(res, a.status, a.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/functions/test?from=connector`,
    port: actual,
    received,
    inFlight: () => inFlight,
    maxInFlight: () => max,
    held: () => heldResponses.length,
    release(status = 202) {
      for (const res of heldResponses.splice(0)) respond(res, status);
    },
    async close() {
      for (const res of heldResponses.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A loopback port nothing listens on (taken from the system, then freed). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
