/**
 * HTTP/2 keepalive settings of the report channel: the sidecar's client pings the work manager's
 * server to find a dead connection (the work manager's Pod replaced, its node gone, an idle
 * connection dropped by a load balancer) before a report waits on it; the server pings to reap
 * connections of sidecars that vanished.
 *
 * The rule (gRPC's keepalive guide, https://github.com/grpc/grpc/blob/master/doc/keepalive.md):
 * a server counts a ping that comes sooner than `grpc.http2.min_ping_interval_without_data_ms`
 * after the previous one, with no data or headers sent in between, as a "ping strike"; one without
 * any call in flight is a strike unless `grpc.keepalive_permit_without_calls` is set on the server.
 * More than `grpc.http2.max_ping_strikes` strikes and it sends GOAWAY `ENHANCE_YOUR_CALM` with the
 * data `too_many_pings` and closes the connection (the client then doubles its ping interval).
 * So the server's minimum must stay below the client's `grpc.keepalive_time_ms`, and a client that
 * pings without calls needs a server that permits it. The values below keep a margin of 3×.
 *
 * `@grpc/grpc-js` servers do not enforce that rule themselves (grpc/grpc-node#1699: Node's http2
 * module answers the pings); the report server does, in `ping-policy.ts`, with SERVER_KEEPALIVE.
 */

/** Keepalive options of a client channel (grpc-js channel options), milliseconds. */
export interface ClientKeepalive {
  /** Ping after this long without a ping (grpc-js pings on this timer, calls or not). */
  'grpc.keepalive_time_ms': number;
  /** A ping unanswered for this long closes the connection; the next call reconnects. */
  'grpc.keepalive_timeout_ms': number;
  /** 1: ping also with no call in flight (between the sidecar's 30 s keepalive reports). */
  'grpc.keepalive_permit_without_calls': number;
}

/** Keepalive options of the server, milliseconds; the `grpc.http2.*` ones are enforced by `ping-policy.ts`. */
export interface ServerKeepalive {
  /** The server pings each connection after this long without a ping. */
  'grpc.keepalive_time_ms': number;
  /** A server ping unanswered for this long closes the connection. */
  'grpc.keepalive_timeout_ms': number;
  /** 1: client pings with no call in flight are fine (else the minimum interval is 2 hours then). */
  'grpc.keepalive_permit_without_calls': number;
  /** Least time between two client pings with no data or headers sent in between; sooner is a strike. */
  'grpc.http2.min_ping_interval_without_data_ms': number;
  /** Strikes tolerated; one more sends GOAWAY `too_many_pings`. 0: no limit. */
  'grpc.http2.max_ping_strikes': number;
}

/** The sidecar's channel: a ping every 15 s, 5 s to answer, with or without calls. */
export const CLIENT_KEEPALIVE: Readonly<ClientKeepalive> = Object.freeze({
  'grpc.keepalive_time_ms': 15_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
});

/**
 * The work manager's server: permits client pings without calls, at most one per 5 s (a third of
 * CLIENT_KEEPALIVE's interval), 2 strikes (gRPC's default); pings its clients every 30 s.
 */
export const SERVER_KEEPALIVE: Readonly<ServerKeepalive> = Object.freeze({
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  'grpc.http2.max_ping_strikes': 2,
});
