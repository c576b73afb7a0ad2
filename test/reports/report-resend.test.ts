/**
 * Resending: a work manager that is down, restarting on the same address, behind a cut network or
 * silent; giving up; and remoteReportSink's per-attempt order.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolReport } from '../../shared/executor/executor.js';
import { attemptToken } from '../../shared/reports/attempt-token.js';
import { remoteReportSink, ReportClient } from '../../shared/reports/report-client.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { ATTEMPT, fullExit, memoryLog, SECRET, startReport, startTestServer } from './helpers.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const token = attemptToken(SECRET, ATTEMPT);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(address: string, deadlineMs?: number) {
  const { log, lines } = memoryLog();
  const c = new ReportClient({ address, log, deadlineMs });
  closers.push(() => c.close());
  return { c, lines, resends: () => lines.filter((l) => l.msg === 'report not delivered: resending') };
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('resending to a work manager that is away', () => {
  it('a server down at first, then started on the same port: delivered (resent across connection refused)', async () => {
    const port = await freePort();
    const { c, resends } = client(`127.0.0.1:${port}`);
    const sent = c.send(fullExit(), token, { giveUpAfterMs: 30_000 });
    await sleep(1_500);
    const t = await startTestServer(undefined, { listen: `127.0.0.1:${port}` });
    expect(await sent).toBe('accepted');
    expect(t.delivered).toStrictEqual([fullExit()]);
    expect(resends().length).toBeGreaterThan(0);
    expect(resends()[0]).toMatchObject({ code: 'UNAVAILABLE' });
    expect(String(resends()[0]?.details)).toContain('ECONNREFUSED');
  });

  it('a work manager replaced on the same address (its Pod restarted): the next report reaches the new one', async () => {
    const first = await startTestServer();
    const port = first.server.port;
    const { c, resends } = client(first.address);
    expect(await c.send(startReport(), token)).toBe('accepted');
    await first.server.close();
    const sent = c.send(fullExit(), token, { giveUpAfterMs: 30_000 });
    await sleep(1_000);
    const second = await startTestServer(undefined, { listen: `127.0.0.1:${port}` });
    expect(await sent).toBe('accepted');
    expect(first.delivered).toStrictEqual([startReport()]);
    expect(second.delivered).toStrictEqual([fullExit()]);
    expect(resends().length).toBeGreaterThan(0);
  });

  it('connections reset under the client: resent until the network is back', async () => {
    const t = await startTestServer();
    const proxy: TcpProxy = await startTcpProxy('127.0.0.1', t.server.port);
    closers.push(() => proxy.close());
    const { c, resends } = client(`127.0.0.1:${proxy.port}`);
    expect(await c.send(startReport(), token)).toBe('accepted');
    proxy.cut(); // drops the open connection; new ones are accepted and closed at once
    const sent = c.send(fullExit(), token, { giveUpAfterMs: 30_000 });
    await sleep(1_500);
    proxy.restore();
    expect(await sent).toBe('accepted');
    expect(t.delivered).toStrictEqual([startReport(), fullExit()]);
    expect(resends().length).toBeGreaterThan(0);
  });
});

describe('giving up', () => {
  it('gives up after giveUpAfterMs when the server stays unavailable', async () => {
    const t = await startTestServer(() => 'unavailable');
    const { c, lines, resends } = client(t.address);
    expect(await c.send(startReport(), token, { giveUpAfterMs: 1_500 })).toBe('gave-up');
    expect(t.delivered.length).toBeGreaterThan(1);
    expect(resends().every((l) => l.code === 'UNAVAILABLE')).toBe(true);
    expect(lines.some((l) => l.msg === 'report not delivered: gave up')).toBe(true);
  });

  it('a server that accepts connections and never answers: each call times out (DEADLINE_EXCEEDED), resent, then given up', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => sockets.add(s.on('error', () => {})));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => silent.close(r));
    });
    const { c, resends } = client(`127.0.0.1:${(silent.address() as { port: number }).port}`, 300);
    expect(await c.send(startReport(), token, { giveUpAfterMs: 2_000 })).toBe('gave-up');
    expect(resends().length).toBeGreaterThan(0);
    expect(resends().every((l) => l.code === 'DEADLINE_EXCEEDED')).toBe(true);
  });

  it('a closed client gives up instead of throwing', async () => {
    const t = await startTestServer();
    const { c } = client(t.address);
    c.close();
    expect(await c.send(startReport(), token)).toBe('gave-up');
    expect(t.delivered).toEqual([]);
  });

  it('an aborted signal ends a send at once with gave-up', async () => {
    const t = await startTestServer(() => 'unavailable');
    const { c } = client(t.address);
    const abort = new AbortController();
    const sent = c.send(startReport(), token, { signal: abort.signal });
    await sleep(600);
    abort.abort();
    expect(await sent).toBe('gave-up');
    expect(t.delivered.length).toBeGreaterThan(0);
  });
});

describe('remoteReportSink', () => {
  const A = ATTEMPT;
  const B = { ...ATTEMPT, tool: 'sort-reads' };
  const C = { ...ATTEMPT, attempt: 1 };
  const of = (who: typeof A, list: ToolReport[]) => list.filter((r) => r.tool === who.tool && r.attempt === who.attempt);

  it('mints tokens, keeps each attempt in order (Start before Exit), replaces waiting keepalives, drops after stale', async () => {
    let startsOfA = 0;
    const t = await startTestServer((r) => {
      if (r.tool === A.tool && r.attempt === A.attempt && r.kind === 'start' && startsOfA++ < 2) return 'unavailable';
      if (r.attempt === C.attempt) return 'stale';
      return 'accepted';
    });
    const { log } = memoryLog();
    const sink = remoteReportSink(t.address, SECRET, log);
    closers.push(() => sink.close());
    const keep = (who: typeof A, at: number): ToolReport => ({ kind: 'keepalive', ...who, at, memBytes: at });
    const exitOf = (who: typeof A): ToolReport => ({ ...fullExit(), ...who });
    sink({ kind: 'start', ...A, at: 1 });
    sink(keep(A, 2));
    sink(keep(A, 3));
    sink(exitOf(A));
    sink({ kind: 'start', ...B, at: 1 });
    sink(exitOf(B));
    sink({ kind: 'start', ...C, at: 1 });
    sink(exitOf(C));
    await sink.flush();
    const startA: ToolReport = { kind: 'start', ...A, at: 1 };
    expect(of(A, t.delivered)).toStrictEqual([startA, startA, startA, keep(A, 3), exitOf(A)]);
    expect(of(B, t.delivered)).toStrictEqual([{ kind: 'start', ...B, at: 1 }, exitOf(B)]);
    expect(of(C, t.delivered)).toStrictEqual([{ kind: 'start', ...C, at: 1 }]);
    // B did not wait behind A's resends.
    expect(t.delivered.findIndex((r) => r.tool === B.tool)).toBeLessThan(t.delivered.findIndex((r) => r.kind === 'keepalive'));
  });

  it('after close, reports are dropped and logged', async () => {
    const t = await startTestServer();
    const { log, lines } = memoryLog();
    const sink = remoteReportSink(t.address, SECRET, log);
    sink.close();
    sink(startReport());
    await sink.flush();
    expect(t.delivered).toEqual([]);
    expect(lines.some((l) => l.msg === 'report dropped: the report sink is closed')).toBe(true);
  });
});
