/**
 * `toolflow report`'s data and its pieces, from stored rows (issue 12 §6): the attempts of each
 * tool, usage against what was given, failures, the DAG's layers and grouping, the timeline's bars,
 * and escaping of untrusted text. The page as a person sees it is checked in a browser by
 * report-browser.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { newToolRun, type TaskRow, type ToolRunRow } from '../../shared/store/store.js';
import type { ToolSpec } from '../../shared/spec/types.js';
import { attemptView, isAttempt, usageOf } from '../../shared/task-report/attempt-view.js';
import { taskView } from '../../shared/api/task-view.js';
import { dagNodes, dagSvg, layersOf } from '../../shared/task-report/dag-svg.js';
import { escapeHtml, outcomeOf, shorten } from '../../shared/task-report/html-text.js';
import { reportFrom } from '../../shared/task-report/report-data.js';
import { reportHtml, REPORT_CSP } from '../../shared/task-report/report-html.js';
import { tickStep, timelineRows, timelineSvg, timeSpan } from '../../shared/task-report/timeline-svg.js';
import { usageHtml } from '../../shared/task-report/usage-html.js';
import { defaultReportName } from '../../shared/cli/report-command.js';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const tool = (name: string, rely: string[] = [], instance?: { tool: string; input: string; key: string; index: number }): ToolSpec =>
  ({ name, cmds: ['true'], env: {}, outputs: [], image: null, rely, cpuMillicores: 1000, memBytes: 64e6, diskBytes: null, retry: { max: 1, on: [], grow: 2, cap: {} }, ...(instance ? { instance } : {}) }) as unknown as ToolSpec;
const taskRow = (tools: ToolSpec[], over: Partial<TaskRow> = {}): TaskRow => ({
  id: 'a1b2c3d4e5f6',
  owner: 'ann',
  name: 'demo',
  status: 'failed',
  spec: JSON.stringify({ spec: { name: 'demo', tools } }),
  values_json: '{}',
  inputs_json: '{}',
  error: '1 tool failed',
  created_at: T0,
  updated_at: T0,
  started_at: T0 + 10,
  finished_at: T0 + 5000,
  fence_token: 0,
  work_dir: null,
  cancel_requested_at: null,
  ...over,
});
/** An attempt that ran from `start` to `end` (ms after T0). */
const ran = (tool: string, attempt: number, status: ToolRunRow['status'], start: number, end: number, more: Partial<ToolRunRow> = {}): ToolRunRow => ({
  ...newToolRun('a1b2c3d4e5f6', tool, attempt, { cpuMillicores: 2000, memBytes: 100e6 * attempt, diskBytes: null, timeSeconds: null }),
  status,
  delivered_at: T0 + start - 5,
  started_at: T0 + start,
  finished_at: T0 + end,
  exit_code: status === 'succeeded' ? 0 : 137,
  ...more,
});

const TOOLS = [tool('prep'), tool('hog', ['prep']), tool('bad', ['prep']), tool('last', ['hog', 'bad'])];
const RUNS: ToolRunRow[] = [
  ran('prep', 1, 'succeeded', 20, 1020, { cpu_time_ms: 1500, peak_mem_bytes: 30e6 }),
  ran('hog', 1, 'failed', 1100, 2100, { reason: 'oom', message: 'out of memory: killed at the 100M limit', cpu_time_ms: 800, peak_mem_bytes: 100e6 }),
  ran('hog', 2, 'succeeded', 2200, 4200, { cpu_time_ms: 5000, peak_mem_bytes: 150e6 }),
  ran('bad', 1, 'failed', 1100, 1200, { exit_code: 3, reason: 'exit', message: 'exited with code 3 <b>bold</b>', cpu_time_ms: 10, evidence: 'pod "x" said <i>' }),
  { ...newToolRun('a1b2c3d4e5f6', 'last', 1, { cpuMillicores: 1000, memBytes: 64e6, diskBytes: null, timeSeconds: null }), status: 'skipped', message: 'bad failed' },
];

describe('an attempt as shown', () => {
  it('has its times, wall and cpu time, peak memory, what it was given and the attempt it reused', () => {
    const a = attemptView({ ...RUNS[1]!, cached_from: null });
    expect(a).toMatchObject({ attempt: 1, status: 'failed', reason: 'oom', exitCode: 137, durationMs: 1000, cpuTimeMs: 800, peakMemBytes: 100e6, resources: { cpuMillicores: 2000, memBytes: 100e6 }, cachedFrom: null });
    expect(a.deliveredAt).toBe(new Date(T0 + 1095).toISOString());
    expect(attemptView({ ...RUNS[0]!, cached_from: 'f00/prep/2' }).cachedFrom).toEqual({ taskId: 'f00', tool: 'prep', attempt: 2 });
    // MySQL may hand numbers back as strings.
    expect(attemptView({ ...RUNS[0]!, cpu_time_ms: '1500' as unknown as number }).cpuTimeMs).toBe(1500);
  });

  it('uses a share of what it was given: peak / memory, cpu time / (wall × cores); null when a number is missing', () => {
    expect(usageOf(attemptView(RUNS[1]!))).toEqual({ memory: 1, cpu: 0.4 });
    expect(usageOf(attemptView(RUNS[2]!))).toEqual({ memory: 0.75, cpu: 1.25 });
    expect(usageOf(attemptView({ ...RUNS[0]!, peak_mem_bytes: null, cpu_time_ms: null }))).toEqual({ memory: null, cpu: null });
    expect(usageOf(attemptView({ ...RUNS[0]!, finished_at: RUNS[0]!.started_at }))).toMatchObject({ cpu: null }); // no wall time
  });
});

describe('the report data', () => {
  const report = reportFrom(taskRow(TOOLS), RUNS, T0 + 9000, new Map([['hog/1', ['Killed']], ['bad/1', ['<script>alert(1)</script>']]]));

  it('has each tool in workflow order with every attempt, its status the last attempt\'s', () => {
    expect(report.tools.map((t) => [t.name, t.status, t.attempts.map((a) => a.status)])).toEqual([
      ['prep', 'succeeded', ['succeeded']],
      ['hog', 'succeeded', ['failed', 'succeeded']],
      ['bad', 'failed', ['failed']],
      ['last', 'skipped', []],
    ]);
    expect(report.tools[3]!.message).toBe('bad failed');
    expect(report.task).toMatchObject({ taskId: 'a1b2c3d4e5f6', name: 'demo', status: 'failed', durationMs: 4990, error: '1 tool failed' });
    expect(report.generatedAt).toBe(new Date(T0 + 9000).toISOString());
  });

  it('lists every failed attempt, rerun or not, with its message, evidence and stderr', () => {
    expect(report.failures).toEqual([
      { tool: 'hog', attempt: 1, reason: 'oom', message: 'out of memory: killed at the 100M limit', exitCode: 137, signal: null, evidence: null, rerun: true, stderrTail: ['Killed'] },
      { tool: 'bad', attempt: 1, reason: 'exit', message: 'exited with code 3 <b>bold</b>', exitCode: 3, signal: null, evidence: 'pod "x" said <i>', rerun: false, stderrTail: ['<script>alert(1)</script>'] },
    ]);
  });

  it('draws one timeline bar per submitted attempt, coloured by outcome; a skipped tool\'s row says why', () => {
    const svg = timelineSvg(report);
    const bars = [...svg.matchAll(/<g class="bar" data-tool="([^"]+)" data-attempt="(\d+)" data-outcome="(\w+)"/g)].map((m) => [m[1], Number(m[2]), m[3]]);
    expect(bars).toEqual([
      ['prep', 1, 'succeeded'],
      ['hog', 1, 'failed'],
      ['hog', 2, 'succeeded'],
      ['bad', 1, 'failed'],
    ]);
    expect(svg).toContain('skipped: bad failed');
    expect(timeSpan(report)).toEqual({ from: T0, to: T0 + 5000 });
  });

  it('ticks the time axis every 1, 2 or 5 × 10^k ms, at most about 8 ticks', () => {
    expect([1, 1000, 4990, 60_000, 3_600_000].map(tickStep)).toEqual([1, 200, 1000, 10_000, 500_000]);
  });

  it('shows usage per attempt that ran: memory and cpu meters with their percentages; a cache hit has no row', () => {
    const html = usageHtml(reportFrom(taskRow(TOOLS), [...RUNS.slice(0, 4), { ...ran('last', 1, 'succeeded', 4300, 4300), cached_from: 'f00/last/1' }], T0 + 9000).tools);
    const meters = [...html.matchAll(/data-kind="(memory|cpu)" data-percent="(\d+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(meters).toEqual(['memory 30', 'cpu 75', 'memory 100', 'cpu 40', 'memory 75', 'cpu 125', 'cpu 5']);
    expect(html).not.toContain('data-tool="last"');
    expect(html).toContain('peak memory not measured'); // bad: ended before the first sample
    expect(html).toContain('150M of 200M');
    expect(html).toContain('meter memory full'); // at its limit: how an OOM kill looks
    expect(html).toContain('meter cpu over'); // more cores used than given
  });
});

describe('a tool that never ran', () => {
  // The store makes every tool's attempt-1 row at submission; one that ends without being submitted
  // (skipped, cancelled before it started) is no attempt. One still waiting keeps its next attempt.
  const CHAIN = [tool('a'), tool('b', ['a']), tool('c', ['a'])];
  const row = (t: string, attempt: number, status: ToolRunRow['status'], message: string | null = null): ToolRunRow => ({ ...newToolRun('a1b2c3d4e5f6', t, attempt, { cpuMillicores: 1000, memBytes: 64e6, diskBytes: null, timeSeconds: null }), status, message });

  it('a fails (exit 3), b relies on a: b is skipped with no attempt, no bar, and the DAG colours it skipped', () => {
    const runs = [ran('a', 1, 'failed', 20, 40, { exit_code: 3, reason: 'exit', message: 'exited with code 3' }), row('b', 1, 'skipped', 'a failed')];
    const report = reportFrom(taskRow(CHAIN.slice(0, 2)), runs, T0 + 9000);
    expect(report.tools.map((t) => [t.name, t.status, t.attempts.length])).toEqual([
      ['a', 'failed', 1],
      ['b', 'skipped', 0],
    ]);
    const svg = timelineSvg(report);
    expect([...svg.matchAll(/<g class="bar" data-tool="(\w+)"/g)].map((m) => m[1])).toEqual(['a']);
    expect(svg).toContain('skipped: a failed');
    expect(dagNodes(report.tools).map((n) => [n.name, n.status])).toEqual([
      ['a', 'failed'],
      ['b', 'skipped'],
    ]);
    expect(usageHtml(report.tools)).not.toContain('data-tool="b"');
    expect(reportHtml(report)).toContain('<b>attempts run</b> 1');
  });

  it('cancelled before it was submitted: no attempt, status cancelled; a rerun cancelled before it was submitted leaves the attempts that ran, the tool cancelled', () => {
    const runs = [
      ran('a', 1, 'failed', 20, 40, { reason: 'oom' }),
      row('a', 2, 'cancelled', 'cancelled'),
      row('b', 1, 'cancelled', 'cancelled'),
      { ...row('c', 1, 'cancelled', 'cancelled'), delivered_at: T0 + 30 }, // submitted, then cancelled before it started: it was an attempt
    ];
    const report = reportFrom(taskRow(CHAIN, { status: 'cancelled' }), runs, T0 + 9000);
    expect(report.tools.map((t) => [t.name, t.status, t.attempts.map((a) => `${a.attempt} ${a.status}`)])).toEqual([
      ['a', 'cancelled', ['1 failed']],
      ['b', 'cancelled', []],
      ['c', 'cancelled', ['1 cancelled']],
    ]);
    expect(dagNodes(report.tools).map((n) => n.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });

  it('a tool still waiting in a running task keeps its pending attempt (what it will be given)', () => {
    const runs = [{ ...ran('a', 1, 'running', 20, 40), finished_at: null }, row('b', 1, 'pending'), row('c', 1, 'pending')];
    const report = reportFrom(taskRow(CHAIN, { status: 'processing', finished_at: null }), runs, T0 + 9000);
    expect(report.tools.map((t) => [t.name, t.status, t.attempts.map((a) => a.status)])).toEqual([
      ['a', 'running', ['running']],
      ['b', 'pending', ['pending']],
      ['c', 'pending', ['pending']],
    ]);
    expect(taskView(taskRow(CHAIN), runs).tools.map((t) => [t.name, t.status, t.attempts.length])).toEqual([
      ['a', 'running', 1],
      ['b', 'pending', 1],
      ['c', 'pending', 1],
    ]);
  });

  it('is a row of the store but no attempt: isAttempt', () => {
    expect(isAttempt(row('b', 1, 'skipped'))).toBe(false);
    expect(isAttempt(row('b', 1, 'cancelled'))).toBe(false);
    expect(isAttempt(row('b', 1, 'pending'))).toBe(true);
    expect(isAttempt(row('b', 1, 'failed'))).toBe(true); // a failure recorded before submission is the failure
    expect(isAttempt({ ...row('b', 1, 'succeeded'), cached_from: 'f00/b/1' })).toBe(true);
    expect(isAttempt({ ...row('b', 1, 'cancelled'), delivered_at: T0 })).toBe(true);
    // The API's view: the same rule, the tool's status its last row's.
    const view = taskView(taskRow(CHAIN.slice(0, 2)), [ran('a', 1, 'failed', 20, 40), row('b', 1, 'skipped', 'a failed')]);
    expect(view.tools.map((t) => [t.name, t.status, t.attempts])).toEqual([
      ['a', 'failed', [attemptView(ran('a', 1, 'failed', 20, 40))]],
      ['b', 'skipped', []],
    ]);
  });
});

describe('the DAG', () => {
  it('puts each tool one layer after its deepest dependency, and colours it by its status', () => {
    const report = reportFrom(taskRow(TOOLS), RUNS, T0 + 9000);
    const nodes = dagNodes(report.tools);
    expect(nodes.map((n) => [n.name, n.status, n.parents])).toEqual([
      ['prep', 'succeeded', []],
      ['hog', 'succeeded', [0]],
      ['bad', 'failed', [0]],
      ['last', 'skipped', [1, 2]],
    ]);
    expect(layersOf(nodes)).toEqual([0, 1, 1, 2]);
    const svg = dagSvg(report.tools);
    expect([...svg.matchAll(/<g class="node" data-tool="(\w+)" data-status="(\w+)"><rect [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => [m[1], m[2], m[3]])).toEqual([
      ['prep', 'succeeded', '#2e7d32'],
      ['hog', 'succeeded', '#2e7d32'],
      ['bad', 'failed', '#c62828'],
      ['last', 'skipped', '#bdbdbd'],
    ]);
    expect(svg.match(/<path class="edge"/g)).toHaveLength(4);
  });

  it('layers a 100,000-tool chain without recursion', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => ({ name: `t${i}`, status: 'succeeded' as const, parents: i === 0 ? [] : [i - 1], count: 1, counts: {} }));
    expect(layersOf(chain).at(-1)).toBe(99_999);
  });

  it('draws the instances of a scattered tool as one node per template above 60 tools, coloured by the worst and counting each outcome', () => {
    const inst = (t: string, k: number, rely: string[]) => tool(`${t}[S${k}]`, rely, { tool: t, input: 'samples', key: `S${k}`, index: k });
    const tools = [tool('index'), ...Array.from({ length: 40 }, (_, k) => inst('align', k, ['index'])), ...Array.from({ length: 40 }, (_, k) => inst('call', k, [`align[S${k}]`])), tool('merge', Array.from({ length: 40 }, (_, k) => `call[S${k}]`))];
    const runs = tools.map((t, i) => ran(t.name, 1, t.name === 'call[S7]' ? 'failed' : 'succeeded', 10 + i, 20 + i));
    const nodes = dagNodes(reportFrom(taskRow(tools), runs, T0 + 9000).tools);
    expect(nodes.map((n) => [n.name, n.count, n.status, n.parents, n.counts])).toEqual([
      ['index', 1, 'succeeded', [], { succeeded: 1 }],
      ['align', 40, 'succeeded', [0], { succeeded: 40 }],
      ['call', 40, 'failed', [1], { succeeded: 39, failed: 1 }],
      ['merge', 1, 'succeeded', [2], { succeeded: 1 }],
    ]);
    expect(dagSvg(reportFrom(taskRow(tools), runs, T0 + 9000).tools)).toContain('call ×40');
    // The timeline: above 60 tools a template's instances share rows (as many as ran at once), each attempt still a bar.
    const rows = timelineRows(reportFrom(taskRow(tools), [...runs, ran('call[S7]', 2, 'succeeded', 300, 310)], T0 + 9000));
    expect(rows.map((r) => r.label).filter(Boolean)).toEqual(['index', 'align ×40', 'call ×40', 'merge']);
    expect(rows.flatMap((r) => r.bars).length).toBe(tools.length + 1);
    expect(rows.length).toBeLessThan(tools.length / 2); // 10 ms attempts 1 ms apart: about 15 at once per template
    expect(rows.flatMap((r) => r.bars).filter((b) => b.tool === 'call[S7]').map((b) => [b.a.attempt, b.a.status]).sort()).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    // Bars of one lane never overlap.
    for (const r of rows) r.bars.forEach((b, i) => i > 0 && expect(b.submitted).toBeGreaterThanOrEqual(r.bars[i - 1]!.end));
    // Below the threshold every instance is a node of its own.
    expect(dagNodes(reportFrom(taskRow(tools.slice(0, 5)), runs, T0 + 9000).tools).map((n) => n.name)).toEqual(['index', 'align[S0]', 'align[S1]', 'align[S2]', 'align[S3]']);
  });
});

describe('untrusted text', () => {
  it('never makes a path of the task id in the default file name', () => {
    expect(defaultReportName('a1b2c3d4e5f6')).toBe('toolflow-report-a1b2c3d4e5f6.html');
    expect(defaultReportName('../x/y z')).toBe('toolflow-report-.._x_y_z.html');
  });

  it('is escaped for element content and quoted attributes', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
    expect(shorten('abcdef', 4)).toBe('abc…');
    expect(shorten('ab😀cd', 4)).toBe('ab😀…');
    expect(outcomeOf({ status: 'succeeded', cachedFrom: { taskId: 'x' } })).toBe('cached');
  });

  it('never reaches the page as markup: messages, stderr, evidence, the task\'s error and names; the page allows no script and loads nothing', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const html = reportHtml(reportFrom(taskRow(TOOLS, { name: `demo${evil}`, error: `failed ${evil}`, owner: `o${evil}` }), RUNS, T0 + 9000, new Map([['bad/1', [`</pre><script>alert(1)</script>`]]])));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('exited with code 3 &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('seen: pod &quot;x&quot; said &lt;i&gt;');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toContain("default-src 'none'");
    // Nothing fetched: no URL other than the SVG namespace.
    expect([...html.matchAll(/(?:https?:)?\/\/[^\s"'<>)]+/g)].map((m) => m[0])).toEqual(Array(html.split('xmlns="http://www.w3.org/2000/svg"').length - 1).fill('http://www.w3.org/2000/svg'));
  });
});
