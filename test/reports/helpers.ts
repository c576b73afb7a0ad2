/**
 * Shared pieces of the report channel tests: a pino logger that keeps its lines, a real report
 * server on loopback that records what it delivers, and reports with every field set or left out.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach } from 'vitest';
import type { ToolReport } from '../../shared/executor/executor.js';
import { startReportServer, type ReportServer, type ReportServerOptions, type ReportVerdict } from '../../shared/reports/report-server.js';

/** One parsed log line. */
export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** A logger at `trace` whose lines land in `lines` (and every line's raw text in `text()`, to look for secrets). */
export function memoryLog(): { log: Logger; lines: LogLine[]; text(): string } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const s = chunk.toString();
      raw.push(s);
      for (const l of s.split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { log: pino({ level: 'trace' }, stream), lines, text: () => raw.join('') };
}

export const SECRET = 'test-report-secret';

/** A report server on 127.0.0.1 whose `deliver` records each report and answers `verdict(report, n)` (n: 0-based count so far). */
export interface TestServer {
  server: ReportServer;
  address: string;
  delivered: ToolReport[];
  lines: LogLine[];
  logText(): string;
}

const open: ReportServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Starts a TestServer (closed after each test). */
export async function startTestServer(
  verdict: (report: ToolReport, n: number) => ReportVerdict = () => 'accepted',
  more: Partial<ReportServerOptions> = {},
): Promise<TestServer> {
  const { log, lines, text } = memoryLog();
  const delivered: ToolReport[] = [];
  const server = await startReportServer({
    listen: '127.0.0.1:0',
    secret: SECRET,
    deliver: (r) => {
      const v = verdict(r, delivered.length);
      delivered.push(r);
      return v;
    },
    log,
    ...more,
  });
  open.push(server);
  return { server, address: `127.0.0.1:${server.port}`, delivered, lines, logText: text };
}

/** The attempt the reports below are about. */
export const ATTEMPT: { taskId: string; tool: string; attempt: number } = { taskId: '0123456789ab', tool: 'align-reads', attempt: 2 };

/** The exit variant of ToolReport. */
export type ExitReport = Extract<ToolReport, { kind: 'exit' }>;

/** A start report. */
export const startReport = (at = 1_750_000_000_000): ToolReport => ({ kind: 'start', ...ATTEMPT, at });

/** An exit report with every field of ExitDetails set (nulls as values). */
export const fullExit = (): ExitReport => ({
  kind: 'exit',
  ...ATTEMPT,
  at: 1_750_000_123_456,
  exitCode: 137,
  signal: 'SIGKILL',
  oomKilled: true,
  oomKills: 3,
  peakMemBytes: 8 * 1024 ** 3 + 17,
  cpuTimeMs: 2 ** 40 + 9,
  memLimitKind: 'cgroup',
  diskFull: { path: '/toolflow', freeBytes: 0, totalBytes: 2 ** 40 + 5, freeInodes: 12 },
  stderrTail: 'Killed\nline two: ünïcödé\n',
  missingOutputs: ['out/a.bam', 'out/b.bai'],
  watchdog: 'lost',
  launchError: 'ErrImagePull: image "nope:1" not found',
  evidence: 'pod tf-0123456789ab-align-reads-a2: container tool terminated, reason OOMKilled, exit code 137',
  outputs: [
    { path: 'out/a.bam', bytes: 2 ** 40 + 3, sha256: 'a'.repeat(64) },
    { path: 'align[A].txt', bytes: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  ],
  cachedFrom: { taskId: 'ba9876543210', tool: 'align[A]', attempt: 4 },
});

/** An exit report with every optional field left out and every nullable one null. */
export const bareExit = (): ExitReport => ({
  kind: 'exit',
  ...ATTEMPT,
  at: 1_750_000_123_999,
  exitCode: null,
  signal: null,
  oomKilled: false,
  peakMemBytes: null,
  stderrTail: '',
  missingOutputs: [],
});
