/**
 * The server side of gRPC's keepalive rule (see `keepalive.ts`), which `@grpc/grpc-js` servers do
 * not enforce (grpc/grpc-node#1699): counts the pings each client connection sends and answers a
 * client that pings too often with GOAWAY `ENHANCE_YOUR_CALM` + `too_many_pings`, then closes the
 * connection, as gRPC core's chttp2 transport does (its ping abuse policy). A ping is a strike when
 * it comes sooner than the minimum interval after the previous ping; the count restarts whenever a
 * call starts or ends (the server then sends headers), and with no call in flight the minimum is
 * 2 hours unless pings without calls are permitted. Without it, a client misconfigured to ping
 * every few milliseconds would cost the work manager a ping answer each.
 */
import { constants, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ServerKeepalive } from './keepalive.js';

/** The enforced rule: intervals in milliseconds. */
export interface PingPolicy {
  /** Least time between two pings with no call starting or ending between them. */
  minIntervalMs: number;
  /** Strikes tolerated before GOAWAY; 0 tolerates any number. */
  maxStrikes: number;
  /** Pings with no call in flight are held to `minIntervalMs` (else to 2 hours). */
  permitWithoutCalls: boolean;
}

/** gRPC core's minimum interval for pings without calls when they are not permitted. */
const IDLE_MIN_INTERVAL_MS = 2 * 60 * 60 * 1000;
/** The GOAWAY debug data a gRPC client recognises (it then doubles its keepalive interval). */
const TOO_MANY_PINGS = Buffer.from('too_many_pings', 'ascii');
/** How long a connection told to go away may finish its calls before it is cut, ms. */
const GOAWAY_GRACE_MS = 1_000;

/** The policy that a server's keepalive options describe. */
export function pingPolicyOf(k: ServerKeepalive): PingPolicy {
  return {
    minIntervalMs: k['grpc.http2.min_ping_interval_without_data_ms'],
    maxStrikes: k['grpc.http2.max_ping_strikes'],
    permitWithoutCalls: k['grpc.keepalive_permit_without_calls'] === 1,
  };
}

/** Applies `policy` to one HTTP/2 connection of a server. Logs a warning (with the peer's address) for each GOAWAY. */
export function enforcePingPolicy(session: ServerHttp2Session, policy: PingPolicy, log: Logger): void {
  const peer = session.socket?.remoteAddress;
  let lastPing = -Infinity;
  let strikes = 0;
  let open = 0;
  let lastStreamId = 0;
  const reset = () => {
    lastPing = -Infinity;
    strikes = 0;
  };
  session.on('stream', (stream) => {
    open += 1;
    lastStreamId = Math.max(lastStreamId, stream.id ?? 0);
    reset();
    stream.once('close', () => {
      open -= 1;
      reset();
    });
  });
  session.on('ping', () => {
    const now = performance.now();
    const min = open === 0 && !policy.permitWithoutCalls ? IDLE_MIN_INTERVAL_MS : policy.minIntervalMs;
    if (now < lastPing + min) strikes += 1;
    lastPing = now;
    log.trace({ peer, strikes, calls: open }, 'report connection: ping received');
    if (policy.maxStrikes === 0 || strikes <= policy.maxStrikes || session.closed || session.destroyed) return;
    log.warn(
      { peer, strikes },
      `report connection: GOAWAY too_many_pings: the client pinged more often than every ${min} ms with no call between; ` +
        `its grpc.keepalive_time_ms must be above the server's grpc.http2.min_ping_interval_without_data_ms`,
    );
    session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, lastStreamId, TOO_MANY_PINGS);
    session.close();
    setTimeout(() => session.destroy(), GOAWAY_GRACE_MS).unref();
  });
}

/**
 * Applies `policy` to every connection a grpc-js server accepts from now on. Call it after
 * `bindAsync` resolved (before that, there is nothing to listen on). grpc-js has no public hook for
 * its HTTP/2 connections: this reads its `http2Servers` map (grpc-js 1.14), and test/reports checks
 * that the policy still bites.
 * @returns false (and logs a warning) when that map is not there: the policy is then not enforced.
 */
export function enforcePingPolicyOn(server: Server, policy: PingPolicy, log: Logger): boolean {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) {
    log.warn('report server: cannot reach the HTTP/2 connections of @grpc/grpc-js (its internals changed): client pings are not limited');
    return false;
  }
  for (const http2Server of servers.keys() as Iterable<Http2Server>) {
    http2Server.on('session', (session: ServerHttp2Session) => {
      log.debug({ peer: session.socket?.remoteAddress }, 'report connection opened');
      enforcePingPolicy(session, policy, log);
    });
  }
  return true;
}
