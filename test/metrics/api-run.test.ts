/**
 * The metrics after real runs (issue 12 §1): the user API (`buildApi`, a real SQLite store, the
 * in-process bus, the real local executor) runs an upload, a scattered tool, a tool that runs out
 * of memory once and is rerun, and a tool that fails; then `GET /metrics` is scraped over HTTP
 * (the answer checked against the OpenAPI document) and parsed. Every metric of the catalogue
 * (/work/notes/design12-metrics.md) that such runs produce is there with its type and labels;
 * label values are bounded (`a[S1]` counts as `a`), and no task id, upload id, owner or file name
 * appears anywhere in the scrape. Counts, not times, are asserted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { DURATION_BUCKETS, EVENT_BUCKETS, UPLOAD_BUCKETS } from '../../shared/metrics/metrics.js';
import { eventually, startApi, type TestApi } from '../support/api.js';
import { tempDir } from '../support/tmp.js';
import { parseExposition, type Family } from './scrape.js';

let api: TestApi;
let token: string;
const OWNER = 'owner-zq7metrics';
const FILE_NAME = 'reads-k3v9.txt';
const dir = tempDir('toolflow-metrics-');
const taskIds: string[] = [];
let uploadId = '';
let families: Map<string, Family>;
let text = '';

const yaml = { 'content-type': 'application/yaml' };

/** The workflow: a scattered tool over a list, a tool that runs out of memory once (rerun), a slow one (keepalives), a tool reading the upload. */
function good(marker: string): string {
  return [
    'name: metrics-good',
    'inputs:',
    '  samples: {type: list, default: [S1, S2]}',
    '  data: {type: file}',
    'tools:',
    '  - name: a',
    '    scatter: samples',
    "    cmds: ['echo \"$TF_ITEM\" > out.txt']",
    '  - name: flaky',
    '    mem: 200Mi',
    '    cmds:',
    `      - 'if [ -e ${marker} ]; then echo ok; else touch ${marker}; echo "Cannot allocate memory" >&2; exit 1; fi'`,
    '  - name: slow',
    "    cmds: ['sleep 2.5']",
    '  - name: count',
    "    cmds: ['wc -c < \"$TF_INPUT_data\"']",
    '',
  ].join('\n');
}
const BAD = 'name: metrics-bad\ntools:\n  - name: bad\n    cmds: [\'exit 3\']\n';

async function submit(body: string, query = ''): Promise<string> {
  const r = await api.call('POST', `/v1/tasks${query}`, { token, body, headers: yaml });
  expect(r.status, r.text).toBe(202);
  const id = (r.json as { taskId: string }).taskId;
  taskIds.push(id);
  return id;
}

async function finished(id: string): Promise<string> {
  let status = '';
  await eventually(async () => {
    status = ((await api.call('GET', `/v1/tasks/${id}`, { token })).json as { status: string }).status;
    return ['succeeded', 'failed', 'cancelled'].includes(status);
  }, `task ${id} to finish`);
  return status;
}

async function scrapeApi(): Promise<{ text: string; families: Map<string, Family> }> {
  const r = await api.call('GET', '/metrics');
  expect(r.status).toBe(200);
  expect(String(r.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: r.text, families: parseExposition(r.text) };
}

/** Samples of `family` named `name` (default the family's own name). */
function samples(family: string, name = family) {
  const f = families.get(family);
  expect(f, `${family} in the scrape`).toBeDefined();
  return f!.samples.filter((s) => s.name === name);
}

function value(family: string, labels: Record<string, string> = {}, name = family): number | undefined {
  return samples(family, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length >= Object.keys(labels).length)?.value;
}

beforeAll(async () => {
  api = await startApi({ env: { TOOLFLOW_KEEPALIVE_SECONDS: '1' } });
  token = await api.token(OWNER);
  const file = join(dir, FILE_NAME);
  writeFileSync(file, 'ACGT\n'.repeat(1000));
  const up = await api.call('POST', `/v1/uploads?name=${FILE_NAME}`, { token, body: Buffer.from('ACGT\n'.repeat(1000)) });
  expect(up.status, up.text).toBe(201);
  uploadId = (up.json as { uploadId: string }).uploadId;
  const g = await submit(good(join(dir, 'oom-once')), `?input=data=${uploadId}`);
  const b = await submit(BAD);
  expect(await finished(g)).toBe('succeeded');
  expect(await finished(b)).toBe('failed');
  ({ text, families } = await scrapeApi());
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe('GET /metrics on the user API after real runs', () => {
  it('has each metric with its Prometheus type', () => {
    const types: Record<string, string> = {
      toolflow_tasks_submitted_total: 'counter',
      toolflow_tasks_finished_total: 'counter',
      toolflow_tasks: 'gauge',
      toolflow_tool_attempts_total: 'counter',
      toolflow_tool_reruns_total: 'counter',
      toolflow_tool_cache_hits_total: 'counter',
      toolflow_tool_duration_seconds: 'histogram',
      toolflow_tool_queue_wait_seconds: 'histogram',
      toolflow_tools_running: 'gauge',
      toolflow_tools_undelivered_total: 'counter',
      toolflow_keepalives_lost_total: 'counter',
      toolflow_upload_bytes_total: 'counter',
      toolflow_uploads_total: 'counter',
      toolflow_upload_duration_seconds: 'histogram',
      toolflow_event_handling_seconds: 'histogram',
      toolflow_event_failures_total: 'counter',
      toolflow_events_dead_lettered_total: 'counter',
      toolflow_queue_depth: 'gauge',
      toolflow_work_manager_reports_total: 'counter',
      toolflow_notifications_total: 'counter',
      // prom-client's default process metrics, under toolflow_.
      toolflow_process_cpu_user_seconds_total: 'counter',
      toolflow_process_resident_memory_bytes: 'gauge',
      toolflow_nodejs_eventloop_lag_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(types)) {
      expect(families.get(name)?.type, name).toBe(type);
      expect(families.get(name)?.help, name).not.toBe('');
    }
  });

  it('counts the tasks: submitted, finished by status, and in the store by status at scrape', () => {
    expect(value('toolflow_tasks_submitted_total')).toBe(2);
    expect(value('toolflow_tasks_finished_total', { status: 'succeeded' })).toBe(1);
    expect(value('toolflow_tasks_finished_total', { status: 'failed' })).toBe(1);
    expect(Object.fromEntries(samples('toolflow_tasks').map((s) => [s.labels.status, s.value]))).toEqual({ queued: 0, processing: 0, succeeded: 1, failed: 1, cancelled: 0 });
  });

  it('counts attempts by template tool, status and reason: both instances of a as a, the oom and the exit failures', () => {
    const attempts = samples('toolflow_tool_attempts_total').filter((s) => s.value > 0).map((s) => `${s.labels.tool} ${s.labels.status} ${s.labels.reason} ${s.value}`);
    expect(attempts.sort()).toEqual(['a succeeded none 2', 'bad failed exit 1', 'count succeeded none 1', 'flaky failed oom 1', 'flaky succeeded none 1', 'slow succeeded none 1']);
    // Every status and reason of each tool is there from its first event, at 0 when none (so increase() sees the first).
    expect(samples('toolflow_tool_attempts_total').filter((s) => s.labels.tool === 'slow')).toHaveLength(9);
    expect(value('toolflow_tool_attempts_total', { tool: 'slow', status: 'failed', reason: 'oom' })).toBe(0);
  });

  it('counts the rerun by tool and reason', () => {
    expect(samples('toolflow_tool_reruns_total').filter((s) => s.value > 0).map((s) => [s.labels, s.value])).toEqual([[{ tool: 'flaky', reason: 'oom' }, 1]]);
    expect(value('toolflow_tool_reruns_total', { tool: 'flaky', reason: 'disk' })).toBe(0);
  });

  it('observes each started attempt\'s duration and queue wait per template tool, on the catalogue\'s buckets', () => {
    for (const h of ['toolflow_tool_duration_seconds', 'toolflow_tool_queue_wait_seconds']) {
      const counts = Object.fromEntries(samples(h, `${h}_count`).map((s) => [s.labels.tool, s.value]));
      expect(counts, h).toEqual({ a: 2, flaky: 2, slow: 1, count: 1, bad: 1 });
      const les = samples(h, `${h}_bucket`).filter((s) => s.labels.tool === 'a').map((s) => s.labels.le);
      expect(les).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
    }
    // `slow` slept 2.5 s: its one observation is above the 1 s bucket and within the 5 s one.
    expect(value('toolflow_tool_duration_seconds', { tool: 'slow', le: '1' }, 'toolflow_tool_duration_seconds_bucket')).toBe(0);
    expect(value('toolflow_tool_duration_seconds', { tool: 'slow', le: '15' }, 'toolflow_tool_duration_seconds_bucket')).toBe(1);
    expect(value('toolflow_tools_running')).toBe(0);
  });

  it('counts the work manager\'s reports by kind, keepalives of the slow tool included', () => {
    expect(value('toolflow_work_manager_reports_total', { kind: 'start' })).toBe(7); // a[S1], a[S2], flaky twice, slow, count, bad
    expect(value('toolflow_work_manager_reports_total', { kind: 'exit' })).toBe(7);
    expect(value('toolflow_work_manager_reports_total', { kind: 'keepalive' })).toBeGreaterThanOrEqual(1);
  });

  it('counts the upload: its bytes, its end and its duration', () => {
    expect(value('toolflow_upload_bytes_total')).toBe(5000);
    expect(value('toolflow_uploads_total', { status: 'successful' })).toBe(1);
    expect(value('toolflow_upload_duration_seconds', {}, 'toolflow_upload_duration_seconds_count')).toBe(1);
    expect(samples('toolflow_upload_duration_seconds', 'toolflow_upload_duration_seconds_bucket').map((s) => s.labels.le)).toEqual([...UPLOAD_BUCKETS.map(String), '+Inf']);
  });

  it('observes the handling of events by function', () => {
    const counts = Object.fromEntries(samples('toolflow_event_handling_seconds', 'toolflow_event_handling_seconds_count').map((s) => [s.labels.function, s.value]));
    expect(counts.enqueue).toBe(2);
    expect(counts['start-workflow']).toBe(2);
    expect(counts['schedule-tool']).toBe(7); // one per attempt: a[S1], a[S2], flaky twice, slow, count, bad
    expect(counts['rerun-policy']).toBe(2); // flaky's oom, bad's exit
    expect(counts['handle-status']).toBeGreaterThanOrEqual(7 + 7 + 2); // starts, exits, the tasks' ends (and keepalives)
    expect(samples('toolflow_event_handling_seconds', 'toolflow_event_handling_seconds_bucket').filter((s) => s.labels.function === 'enqueue').map((s) => s.labels.le)).toEqual([...EVENT_BUCKETS.map(String), '+Inf']);
    expect(samples('toolflow_event_failures_total').filter((s) => s.value > 0)).toEqual([]);
  });

  it('keeps label values bounded: only the declared label names, template tool names, and no task id, upload id, owner or file name anywhere', () => {
    const allowed: Record<string, string[]> = {
      toolflow_tool_attempts_total: ['tool', 'status', 'reason'],
      toolflow_tool_reruns_total: ['tool', 'reason'],
      toolflow_tool_duration_seconds: ['tool', 'le'],
      toolflow_tool_queue_wait_seconds: ['tool', 'le'],
      toolflow_event_handling_seconds: ['function', 'le'],
    };
    for (const [name, labels] of Object.entries(allowed)) {
      for (const s of families.get(name)!.samples) for (const l of Object.keys(s.labels)) expect(labels, `${name} label ${l}`).toContain(l);
    }
    const tools = new Set([...families.values()].flatMap((f) => f.samples.map((s) => s.labels.tool)).filter((t) => t !== undefined));
    expect([...tools].sort()).toEqual(['a', 'bad', 'count', 'flaky', 'slow']);
    expect(text).not.toContain('[S1]');
    expect(text).not.toContain('[S');
    expect(taskIds).toHaveLength(2);
    for (const id of [...taskIds, uploadId, OWNER, FILE_NAME]) expect(text, id).not.toContain(id);
  });

  it('counts an event the in-process bus dead-letters by function, a task-scoped consumer without its task id', async () => {
    const taskId = taskIds[0]!;
    const consumer = `metrics-probe/${taskId}`;
    const off = api.runtime.ports.bus.subscribe(
      consumer,
      [EventType.toolKeepalive],
      async () => {
        throw new Error('this consumer always fails');
      },
      { taskId },
    );
    try {
      await api.runtime.ports.bus.publish([makeEvent(EventType.toolKeepalive, '/test', { taskId, tool: 'slow', attempt: 99, at: Date.now(), memBytes: null })]);
      await eventually(async () => {
        const now = (await scrapeApi()).families;
        return now.get('toolflow_events_dead_lettered_total')!.samples.some((s) => s.labels.function === 'metrics-probe' && s.value === 1);
      }, 'the dead letter to be counted', 30_000);
      const after = await scrapeApi();
      expect(after.text).not.toContain(taskId);
    } finally {
      off();
    }
  });
});
