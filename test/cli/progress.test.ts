import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { liveFrame, ProgressState, showProgress, templateOf, type PlanTool } from '../../shared/cli/progress.js';
import { EventType, makeEvent, type EventTypeName } from '../../shared/events/catalog.js';
import { MemoryBus } from '../../shared/events/memory-bus.js';

describe('progress lines', () => {
  it('a rerun names what it gets more of: memory after oom, time after timeout, nothing after lost', async () => {
    const bus = new MemoryBus(pino({ level: 'silent' }));
    const lines: string[] = [];
    const stop = showProgress(bus, 't1', 3, 'plain', (l) => lines.push(l));
    const retrying = (tool: string, reason: 'oom' | 'timeout' | 'lost', timeSeconds: number | null) =>
      makeEvent(EventType.toolRetrying, '/test', { taskId: 't1', tool, attempt: 2, reason, previous: 'x', resources: { cpuMillicores: 1000, memBytes: 128 * 1024 * 1024, diskBytes: null, timeSeconds } });
    await bus.publish([retrying('a', 'oom', null), retrying('b', 'timeout', 7200), retrying('c', 'lost', null)]);
    await new Promise((r) => setImmediate(r));
    await bus.idle();
    stop();
    expect(lines.map((l) => l.replace(/^\[[^\]]*\] /, ''))).toEqual([
      'a rerun as attempt 2 with 128Mi memory',
      'b rerun as attempt 2 with a time limit of 2h',
      'c rerun as attempt 2 with the same resources (lost)',
    ]);
  });
});

describe('the live block of a task with many instances', () => {
  const now = 1_000_000;
  const ev = (type: EventTypeName, tool: string, extra: Record<string, unknown> = {}) => makeEvent(type, '/test', { taskId: 't1', tool, attempt: 1, ...extra } as never);
  /** A plan of `n` instances each of align and sort, and one gathering tool, call. */
  const plan = (n: number): PlanTool[] => [
    ...Array.from({ length: n }, (_, i) => ({ name: `align[S${i}]`, instance: { tool: 'align' } })),
    ...Array.from({ length: n }, (_, i) => ({ name: `sort[S${i}]`, instance: { tool: 'sort' } })),
    { name: 'call' },
  ];

  it('with 1,000 samples: one line per scattered tool (done, running, failed, cached counts) and the gathering tool\'s own line', () => {
    const state = new ProgressState();
    for (let i = 0; i < 312; i++) {
      state.apply(ev(EventType.toolStarted, `align[S${i}]`, { at: now }), now - 5_000);
      if (i < 2) state.apply(ev(EventType.toolExited, `align[S${i}]`, { cachedFrom: { taskId: 'old', tool: `align[S${i}]`, attempt: 1 } }), now - 4_000);
      state.apply(ev(EventType.toolSucceeded, `align[S${i}]`), now - 4_000);
    }
    for (const i of [312, 313]) state.apply(ev(EventType.toolStarted, `align[S${i}]`, { at: now }), now - 1_000);
    state.apply(ev(EventType.toolFailed, 'align[S314]', { reason: 'exit', message: 'exited with code 1' }), now - 2_000);
    state.apply(ev(EventType.toolStarted, 'sort[S0]', { at: now }), now - 3_000);
    const frame = liveFrame(state, { tools: plan(1000), now, elapsedMs: 5_000, rows: 20 }).split('\n');
    expect(frame).toEqual([
      '[  5.00s] 313/2001 tools done, 3 running',
      '  align  312/1000 done (2 cached), 2 running, 1 failed  5.00s',
      '  sort   0/1000 done, 1 running  3.00s',
    ]);
    // The gathering tool shows as a tool once it has news.
    state.apply(ev(EventType.toolStarted, 'call', { at: now }), now - 500);
    expect(liveFrame(state, { tools: plan(1000), now, elapsedMs: 5_000, rows: 20 }).split('\n')).toContain('  call   running    attempt 1  0.50s');
  });

  it('a scattered tool whose instances all ended goes below the running ones, with the time from its first start to its last end', () => {
    const state = new ProgressState();
    for (let i = 0; i < 15; i++) {
      state.apply(ev(EventType.toolStarted, `align[S${i}]`, { at: now }), now - 9_000);
      state.apply(ev(EventType.toolSucceeded, `align[S${i}]`), now - 8_000 + i);
    }
    state.apply(ev(EventType.toolStarted, 'sort[S0]', { at: now }), now - 1_000);
    expect(liveFrame(state, { tools: plan(15), now, elapsedMs: 9_000, rows: 20 }).split('\n')).toEqual([
      '[  9.00s] 15/31 tools done, 1 running',
      '  sort   0/15 done, 1 running  1.00s',
      '  align  15/15 done  1.01s',
    ]);
  });

  it('keeps a line per tool for 20 tools or fewer, instances included; 21 are grouped', () => {
    const state = new ProgressState();
    for (let i = 0; i < 3; i++) state.apply(ev(EventType.toolStarted, `align[S${i}]`, { at: now }), now - 1_000);
    // 9 samples: 19 tools.
    expect(liveFrame(state, { tools: plan(9), now, elapsedMs: 1_000, rows: 20 }).split('\n')).toEqual([
      '[  1.00s] 0/19 tools done, 3 running',
      '  align[S0]  running    attempt 1  1.00s',
      '  align[S1]  running    attempt 1  1.00s',
      '  align[S2]  running    attempt 1  1.00s',
    ]);
    // 10 samples: 21 tools.
    expect(liveFrame(state, { tools: plan(10), now, elapsedMs: 1_000, rows: 20 }).split('\n')).toEqual(['[  1.00s] 0/21 tools done, 3 running', '  align  0/10 done, 3 running  1.00s']);
  });

  it('without the plan (its row not read yet): groups by the instance names once more than 20 tools have been seen, counting the instances seen', () => {
    const state = new ProgressState();
    for (let i = 0; i < 21; i++) state.apply(ev(EventType.toolStarted, `align[S${i}]`, { at: now }), now - 1_000);
    state.apply(ev(EventType.toolSucceeded, 'align[S0]'), now);
    expect(liveFrame(state, { tools: 2001, now, elapsedMs: 1_000, rows: 20 }).split('\n')).toEqual(['[  1.00s] 1/2001 tools done, 20 running', '  align  1/21 done, 20 running  1.00s']);
    expect(templateOf('align[S0]')).toBe('align');
    expect(templateOf('align')).toBeUndefined();
  });

  it('says a cache hit in plain lines and in the tool\'s line', () => {
    const state = new ProgressState();
    state.apply(ev(EventType.toolStarted, 'index', { at: now }), now);
    expect(state.apply(ev(EventType.toolExited, 'index', { cachedFrom: { taskId: 'old', tool: 'index', attempt: 2 } }), now)).toBeUndefined();
    expect(state.apply(ev(EventType.toolSucceeded, 'index'), now)).toBe('index succeeded (cached)');
    expect(liveFrame(state, { tools: 1, now, elapsedMs: 0, rows: 5 }).split('\n')[1]).toBe('  index  cached     attempt 1  0.00s');
  });
});
