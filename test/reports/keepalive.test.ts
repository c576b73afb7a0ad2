/**
 * The keepalive rule between the report client and server (shared/reports/keepalive.ts), scaled
 * down: a client pinging every 1 s against a server that permits one ping per 500 ms stays on one
 * healthy connection through idle time and calls; a client pinging every 100 ms is sent GOAWAY
 * `too_many_pings`, which the real grpc-js client recognises (so the first test can fail).
 */
import { logVerbosity, setLogger, setLogVerbosity } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolReport } from '../../shared/executor/executor.js';
import { attemptToken } from '../../shared/reports/attempt-token.js';
import { CLIENT_KEEPALIVE, SERVER_KEEPALIVE } from '../../shared/reports/keepalive.js';
import { ReportClient } from '../../shared/reports/report-client.js';
import { ATTEMPT, fullExit, SECRET, startReport, startTestServer } from './helpers.js';

/** What grpc-js itself logs (it says "rejected by server because of excess pings" on GOAWAY too_many_pings). */
const grpcLog: string[] = [];
beforeAll(() => {
  setLogger({ error: (...a: unknown[]) => grpcLog.push(a.join(' ')), info: () => {}, debug: () => {} } as unknown as Console);
  setLogVerbosity(logVerbosity.ERROR);
});
afterAll(() => setLogger(console));

const SERVER = { 'grpc.http2.min_ping_interval_without_data_ms': 500, 'grpc.http2.max_ping_strikes': 2, 'grpc.keepalive_permit_without_calls': 1, 'grpc.keepalive_time_ms': 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = attemptToken(SECRET, ATTEMPT);
const keepalive = (at: number): ToolReport => ({ kind: 'keepalive', ...ATTEMPT, at, memBytes: 1024 });

/**
 * Start, 4.5 s idle, a keepalive, 1.5 s idle, exit: the outcomes, and the server's log of the
 * connection. The long idle stretch holds enough pings for more than 2 strikes, had they been too soon.
 */
async function session(clientKeepaliveMs: number, server: Partial<typeof SERVER> = {}) {
  const t = await startTestServer(undefined, { keepalive: { ...SERVER, ...server } });
  const c = new ReportClient({ address: t.address, keepalive: { 'grpc.keepalive_time_ms': clientKeepaliveMs, 'grpc.keepalive_timeout_ms': 1_000, 'grpc.keepalive_permit_without_calls': 1 } });
  grpcLog.length = 0;
  try {
    const outcomes = [await c.send(startReport(), token)];
    await sleep(4_500);
    outcomes.push(await c.send(keepalive(1_750_000_001_000), token));
    await sleep(1_500);
    outcomes.push(await c.send(fullExit(), token));
    const count = (msg: string) => t.lines.filter((l) => l.msg.startsWith(msg)).length;
    return {
      outcomes,
      pings: count('report connection: ping received'),
      goaways: count('report connection: GOAWAY too_many_pings'),
      connections: count('report connection opened'),
      excessPings: grpcLog.filter((l) => l.includes('excess pings')).length,
    };
  } finally {
    c.close();
  }
}

describe('keepalive pings', () => {
  it('the shipped settings keep the rule: the server permits pings without calls, its minimum below the client interval', () => {
    expect(SERVER_KEEPALIVE['grpc.keepalive_permit_without_calls']).toBe(1);
    expect(CLIENT_KEEPALIVE['grpc.keepalive_permit_without_calls']).toBe(1);
    expect(SERVER_KEEPALIVE['grpc.http2.min_ping_interval_without_data_ms']).toBeLessThan(CLIENT_KEEPALIVE['grpc.keepalive_time_ms']);
  });

  it('a client pinging at the configured interval stays on one connection over ~6 s of idle time and calls, no GOAWAY', async () => {
    const s = await session(1_000);
    expect(s.outcomes).toEqual(['accepted', 'accepted', 'accepted']);
    expect(s.pings).toBeGreaterThanOrEqual(4); // it did ping, idle or not
    expect(s.goaways).toBe(0);
    expect(s.excessPings).toBe(0);
    expect(s.connections).toBe(1);
  });

  it('a server that does not permit pings without calls sends GOAWAY to a client pinging while idle', async () => {
    const s = await session(1_000, { 'grpc.keepalive_permit_without_calls': 0 });
    expect(s.goaways).toBeGreaterThan(0);
    expect(s.excessPings).toBeGreaterThan(0);
  });

  it('a client pinging faster than the server permits gets GOAWAY too_many_pings (and recovers)', async () => {
    const s = await session(100);
    expect(s.goaways).toBeGreaterThan(0);
    expect(s.excessPings).toBeGreaterThan(0); // the grpc-js client saw ENHANCE_YOUR_CALM + too_many_pings
    expect(s.connections).toBeGreaterThan(1);
    expect(s.outcomes).toEqual(['accepted', 'accepted', 'accepted']);
  });
});
