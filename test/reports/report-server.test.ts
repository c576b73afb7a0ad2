/**
 * The report server and client against each other on loopback: every report kind and field through
 * the wire, tokens, the server's verdicts, malformed requests.
 */
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolReport } from '../../shared/executor/executor.js';
import { attemptToken } from '../../shared/reports/attempt-token.js';
import { ReportClient } from '../../shared/reports/report-client.js';
import { reportService } from '../../shared/reports/report-proto.js';
import type { ExitRequest } from '../../shared/reports/generated/toolflow/reports/v1/ExitRequest.js';
import type { StartRequest } from '../../shared/reports/generated/toolflow/reports/v1/StartRequest.js';
import { MAX_TEXT_BYTES } from '../../shared/reports/report-wire.js';
import { ATTEMPT, bareExit, fullExit, memoryLog, SECRET, startReport, startTestServer } from './helpers.js';

const clients: { close(): void }[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.close()));

function client(address: string): ReportClient {
  const c = new ReportClient({ address });
  clients.push(c);
  return c;
}

const token = (s: { taskId: string; tool: string; attempt: number } = ATTEMPT) => attemptToken(SECRET, s);

/** The generated client itself, for requests ReportClient would never build. */
function rawClient(address: string) {
  const c = new (reportService().Client)(address, credentials.createInsecure());
  clients.push(c);
  const call = <R>(method: 'start' | 'exit', req: R) =>
    new Promise<ServiceError | null>((resolve) => (c[method] as (r: R, cb: (e: ServiceError | null) => void) => void).call(c, req, (err) => resolve(err)));
  return {
    start: (req: StartRequest) => call('start', req),
    exit: (req: ExitRequest) => call('exit', req),
  };
}

describe('report round trip', () => {
  it('delivers each report kind with every field as sent, absent optionals absent', async () => {
    const t = await startTestServer();
    const c = client(t.address);
    const reports: ToolReport[] = [
      startReport(),
      // A cache hit's start (schedule-tool in a function process, cluster mode): the metrics count it apart.
      { kind: 'start', ...ATTEMPT, at: 1_750_000_000_100, cached: true },
      { kind: 'keepalive', ...ATTEMPT, at: 1_750_000_000_500, memBytes: 123_456_789_012 },
      { kind: 'keepalive', ...ATTEMPT, at: 1_750_000_000_600, memBytes: 0 },
      { kind: 'keepalive', ...ATTEMPT, at: 1_750_000_000_700, memBytes: null },
      fullExit(),
      bareExit(),
      { ...bareExit(), exitCode: 0, memLimitKind: 'rlimit', watchdog: 'timeout', diskFull: { path: '/', freeBytes: 1, totalBytes: 2, freeInodes: null } },
      { ...bareExit(), exitCode: -1, oomKills: 0, watchdog: 'undelivered', launchError: '', evidence: '' },
      // Outputs recorded, none declared: apart from outputs not recorded (absent).
      { ...bareExit(), exitCode: 0, outputs: [] },
      { ...bareExit(), exitCode: 0, outputs: [{ path: 'A.bam', bytes: 12, sha256: '0123456789abcdef'.repeat(4) }] },
    ];
    for (const r of reports) expect(await c.send(r, token())).toBe('accepted');
    // toStrictEqual: a key present with `undefined` differs from an absent one.
    expect(t.delivered).toStrictEqual(reports);
  });

  it('takes a stderr tail of exactly 64 KiB', async () => {
    const t = await startTestServer();
    const r = { ...bareExit(), stderrTail: 'é'.repeat(MAX_TEXT_BYTES / 2) };
    expect(await client(t.address).send(r, token())).toBe('accepted');
    expect(t.delivered).toStrictEqual([r]);
  });
});

describe('report tokens', () => {
  it('refuses a wrong token with PERMISSION_DENIED, never logging it', async () => {
    const t = await startTestServer();
    const wrong = attemptToken('another-secret', ATTEMPT);
    expect(await client(t.address).send(startReport(), wrong)).toBe('refused');
    const err = await rawClient(t.address).start({ attempt: { ...ATTEMPT, token: wrong }, atMs: 1 });
    expect(err?.code).toBe(status.PERMISSION_DENIED);
    expect(err?.details).not.toContain(wrong);
    expect(t.delivered).toEqual([]);
    expect(t.lines.filter((l) => l.msg.includes('token is not the token'))).toHaveLength(2);
    expect(t.logText()).not.toContain(wrong);
  });

  it('refuses the token of another attempt, tool or task', async () => {
    const t = await startTestServer();
    const c = client(t.address);
    for (const other of [{ ...ATTEMPT, attempt: 1 }, { ...ATTEMPT, tool: 'sort-reads' }, { ...ATTEMPT, taskId: 'ba9876543210' }]) {
      expect(await c.send(startReport(), token(other))).toBe('refused');
    }
    expect(await c.send(startReport(), '')).toBe('refused');
    expect(t.delivered).toEqual([]);
    expect(await c.send(startReport(), token())).toBe('accepted');
  });
});

describe('report verdicts', () => {
  it('stale: FAILED_PRECONDITION, not resent', async () => {
    const t = await startTestServer(() => 'stale');
    expect(await client(t.address).send(fullExit(), token())).toBe('stale');
    expect(t.delivered).toHaveLength(1);
    const err = await rawClient(t.address).start({ attempt: { ...ATTEMPT, token: token() }, atMs: 1 });
    expect(err?.code).toBe(status.FAILED_PRECONDITION);
  });

  it('unavailable: UNAVAILABLE, resent until the server says accepted', async () => {
    const t = await startTestServer((_r, n) => (n < 3 ? 'unavailable' : 'accepted'));
    expect(await client(t.address).send(fullExit(), token())).toBe('accepted');
    expect(t.delivered).toStrictEqual([fullExit(), fullExit(), fullExit(), fullExit()]);
    const err = await rawClient(t.address).start({ attempt: { ...ATTEMPT, token: token() }, atMs: 1 });
    expect(err).toBeNull();
  });

  it('a deliver that throws: INTERNAL, refused, logged', async () => {
    const t = await startTestServer(() => {
      throw new Error('store exploded');
    });
    expect(await client(t.address).send(startReport(), token())).toBe('refused');
    expect(t.lines.some((l) => l.msg === 'report server: deliver failed')).toBe(true);
  });
});

describe('malformed reports', () => {
  const ok = (): ExitRequest => ({ attempt: { ...ATTEMPT, token: token() }, atMs: 5 });
  const cases: [string, ExitRequest, string][] = [
    ['no attempt', { atMs: 5 }, 'attempt is missing'],
    ['empty task id', { ...ok(), attempt: { ...ATTEMPT, taskId: '', token: token({ ...ATTEMPT, taskId: '' }) } }, 'attempt.task_id is empty'],
    ['empty tool', { ...ok(), attempt: { ...ATTEMPT, tool: '', token: token({ ...ATTEMPT, tool: '' }) } }, 'attempt.tool is empty'],
    ['a NUL in the tool', { ...ok(), attempt: { ...ATTEMPT, tool: 'a\0b', token: token({ ...ATTEMPT, tool: 'a\0b' }) } }, 'attempt.tool contains a NUL'],
    ['attempt 0', { ...ok(), attempt: { ...ATTEMPT, attempt: 0, token: token({ ...ATTEMPT, attempt: 0 }) } }, 'attempt.attempt is 0'],
    ['at_ms 0', { ...ok(), atMs: 0 }, 'at_ms is 0'],
    ['at_ms negative', { ...ok(), atMs: -5 }, 'at_ms is -5'],
    ['a stderr tail over 64 KiB', { ...ok(), stderrTail: 'x'.repeat(MAX_TEXT_BYTES + 1) }, 'stderr_tail is 65537 bytes'],
    ['an evidence over 64 KiB', { ...ok(), evidence: 'x'.repeat(MAX_TEXT_BYTES + 1) }, 'evidence is 65537 bytes'],
    ['an empty missing output', { ...ok(), missingOutputs: ['a', ''] }, 'missing_outputs[1] is empty'],
    ['an empty signal', { ...ok(), signal: '' }, 'signal is empty'],
    ['an unknown enum value', { ...ok(), memLimitKind: 7 as unknown as 'MEM_LIMIT_KIND_CGROUP' }, 'mem_limit_kind is 7'],
    ['a disk full without a path', { ...ok(), diskFull: { path: '', freeBytes: 0, totalBytes: 1 } }, 'disk_full.path is empty'],
    ['a byte count past 2^53', { ...ok(), peakMemBytes: '18446744073709551615' }, 'peak_mem_bytes is'],
    ['an output without a path', { ...ok(), outputs: { files: [{ path: '', bytes: 1, sha256: 'a'.repeat(64) }] } }, 'outputs.files[0].path is empty'],
    ['an output whose SHA-256 is upper case', { ...ok(), outputs: { files: [{ path: 'a', bytes: 1, sha256: 'A'.repeat(64) }] } }, 'outputs.files[0].sha256 is "AAAA'],
    ['an output whose SHA-256 is short', { ...ok(), outputs: { files: [{ path: 'a', bytes: 1, sha256: 'a'.repeat(63) }] } }, 'outputs.files[0].sha256 is'],
    ['an output of more than 2^53 bytes', { ...ok(), outputs: { files: [{ path: 'a', bytes: '18446744073709551615', sha256: 'a'.repeat(64) }] } }, 'outputs.files[0].bytes is'],
    ['a cached-from attempt 0', { ...ok(), cachedFrom: { taskId: 't', tool: 'x', attempt: 0 } }, 'cached_from.attempt is 0'],
    ['a cached-from without a tool', { ...ok(), cachedFrom: { taskId: 't', tool: '', attempt: 1 } }, 'cached_from.tool is empty'],
  ];
  it.each(cases)('%s: INVALID_ARGUMENT naming the field', async (_name, req, message) => {
    const t = await startTestServer();
    const err = await rawClient(t.address).exit(req);
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toContain(message);
    expect(t.delivered).toEqual([]);
  });

  it('ReportClient takes INVALID_ARGUMENT as refused, without resending', async () => {
    const t = await startTestServer();
    const { log, lines } = memoryLog();
    const c = new ReportClient({ address: t.address, log });
    clients.push(c);
    expect(await c.send({ ...startReport(), attempt: 0 }, token({ ...ATTEMPT, attempt: 0 }))).toBe('refused');
    expect(lines.filter((l) => l.msg.includes('resending'))).toEqual([]);
    expect(lines.find((l) => l.msg.includes('refused'))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a request over 1 MiB: RESOURCE_EXHAUSTED', async () => {
    const t = await startTestServer();
    const err = await rawClient(t.address).exit({ ...ok(), missingOutputs: Array.from({ length: 1200 }, (_, i) => `${i}`.padEnd(1000, 'x')) });
    expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(t.delivered).toEqual([]);
  });
});
