/**
 * The attempts section of `toolflow status TASK` (issue 12 §6): one row per attempt with when it
 * was submitted and started, wall and cpu time, its shares of what it was given; by default only
 * for the tools that ran more than once, every tool's with `--attempts`.
 */
import { describe, expect, it } from 'vitest';
import { attemptRows, attemptsSection, ATTEMPT_HEAD } from '../../shared/cli/attempts-table.js';
import type { ToolSummary } from '../../shared/cli/summary.js';
import type { AttemptView } from '../../shared/task-report/attempt-view.js';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const at = (ms: number) => new Date(T0 + ms).toISOString();
const attempt = (n: number, over: Partial<AttemptView> = {}): AttemptView => ({
  attempt: n,
  status: 'succeeded',
  reason: null,
  message: null,
  exitCode: 0,
  signal: null,
  resources: { cpuMillicores: 2000, memBytes: 64e6 * n, diskBytes: null, timeSeconds: null },
  peakMemBytes: 32e6,
  cpuTimeMs: 1000,
  deliveredAt: at(100),
  startedAt: at(150),
  lastHeartbeatAt: at(150),
  finishedAt: at(1150),
  durationMs: 1000,
  evidence: null,
  cachedFrom: null,
  ...over,
});
const summary = {
  createdAt: at(0),
  tools: [
    { name: 'once', attempts: [attempt(1)] },
    {
      name: 'hog',
      attempts: [
        attempt(1, { status: 'failed', reason: 'oom', exitCode: 137, message: 'out of memory: killed at the 64M limit\u001b[31m', peakMemBytes: 64e6, cpuTimeMs: 500 }),
        attempt(2, { deliveredAt: at(1200), startedAt: at(1300), finishedAt: at(3300), durationMs: 2000, cpuTimeMs: null, peakMemBytes: null }),
      ],
    },
    { name: 'reused', attempts: [attempt(1, { cachedFrom: { taskId: 'f00', tool: 'reused', attempt: 1 }, cpuTimeMs: null, peakMemBytes: null, durationMs: 0 })] },
    { name: 'skipped', status: 'skipped', attempts: [] as AttemptView[] },
  ] as ToolSummary[],
};

describe('the attempts table', () => {
  it('shows only the tools that ran more than once by default, each attempt with its numbers', () => {
    expect(attemptRows(summary, 'reruns')).toEqual([
      ['hog', '1', 'failed', '137', 'oom', '+0.10s', '+0.15s', '1.00s', '0.50s', '25%', '64M', '100%', '2 cpu, 64M'],
      ['hog', '2', 'succeeded', '0', '-', '+1.20s', '+1.30s', '2.00s', '-', '-', '-', '-', '2 cpu, 128M'],
    ]);
    expect(ATTEMPT_HEAD).toHaveLength(13);
  });

  it('shows every tool with --attempts: a cache hit says so, a skipped tool says it did not run, with no attempt', () => {
    expect(attemptRows(summary, 'all').map((r) => r.slice(0, 8))).toEqual([
      ['once', '1', 'succeeded', '0', '-', '+0.10s', '+0.15s', '1.00s'],
      ['hog', '1', 'failed', '137', 'oom', '+0.10s', '+0.15s', '1.00s'],
      ['hog', '2', 'succeeded', '0', '-', '+1.20s', '+1.30s', '2.00s'],
      ['reused', '1', 'succeeded (cached)', '0', '-', '+0.10s', '+0.15s', '0.00s'],
      ['skipped', '-', 'skipped (not run)', '-', '-', '-', '-', '-'],
    ]);
    expect(attemptRows(summary, 'all').at(-1)).toEqual(['skipped', '-', 'skipped (not run)', ...Array(10).fill('-')]);
  });

  it('is titled, and followed by the messages of the failed attempts that were rerun (cleaned for a terminal); nothing when no tool was rerun', () => {
    const lines = attemptsSection(summary, 'reruns');
    expect(lines[0]).toBe("attempts of the tools that ran more than once (toolflow status TASK --attempts shows every tool's):");
    expect(lines[1]).toContain('│ hog  │ 1       │ failed    │');
    expect(lines.slice(2)).toEqual(['  hog attempt 1: out of memory: killed at the 64M limit']);
    expect(attemptsSection({ ...summary, tools: [summary.tools[0]!] }, 'reruns')).toEqual([]);
    expect(attemptsSection({ ...summary, tools: [summary.tools[0]!] }, 'all')[0]).toMatch(/^attempts \(times after the task was created/);
  });
});
