/**
 * Series made at 0 before their first count (the new-user trial: a series born at 1 has no earlier
 * sample, so Prometheus' `increase()` over a window reads 0 for it). A fresh registry, scraped over
 * HTTP from a real metrics server (`startMetricsServer`), already has every series whose labels are
 * known in advance at 0: task ends by status, uploads, reports by kind, notifications, and each
 * function of the flow (`FLOW_FUNCTIONS`, the names of `FUNCTIONS`). Then a real task on the
 * in-process runtime (the real local executor): while its first tool runs, its work manager has made
 * its tools' durations, queue waits, undelivered and lost at 0, and handle-status (at the tool's
 * start) its attempts by every status and reason, its cache hits and reruns — so the end that
 * follows is an increase from 0. Counts only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType } from '../../shared/events/catalog.js';
import { FAILED_REASONS, FLOW_FUNCTIONS } from '../../shared/metrics/record.js';
import { startMetricsServer, type MetricsServer } from '../../shared/metrics/server.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { FUNCTIONS } from '../../shared/runtime/functions.js';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime.js';
import { eventually } from '../support/api.js';
import { tempDir } from '../support/tmp.js';
import { get, scrape } from './scrape.js';

let server: MetricsServer;
let rt: Runtime | undefined;
let fresh = '';
const dir = tempDir('toolflow-metrics-zero-');

beforeAll(async () => {
  server = await startMetricsServer(0, '127.0.0.1');
  // Before anything happened in this process (its own registry: vitest isolates test files).
  fresh = (await get(server.url)).text;
});

afterAll(async () => {
  await rt?.close();
  await server?.close();
});

/** The lines of `text` that are samples (not `#` comments). */
const sampleLines = (text: string) => new Set(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')));

describe('a fresh registry', () => {
  it('exposes the bounded label sets at 0 in its /metrics text', () => {
    const lines = sampleLines(fresh);
    const expected = [
      ...['succeeded', 'failed', 'cancelled'].map((s) => `toolflow_tasks_finished_total{status="${s}"} 0`),
      ...['successful', 'failed'].map((s) => `toolflow_uploads_total{status="${s}"} 0`),
      ...['start', 'keepalive', 'exit'].map((k) => `toolflow_work_manager_reports_total{kind="${k}"} 0`),
      ...['dingtalk', 'webhook'].flatMap((c) => ['sent', 'failed', 'folded'].map((o) => `toolflow_notifications_total{channel="${c}",outcome="${o}"} 0`)),
      ...FLOW_FUNCTIONS.flatMap((fn) => [
        `toolflow_event_handling_seconds_count{function="${fn}"} 0`,
        `toolflow_event_handling_seconds_bucket{le="+Inf",function="${fn}"} 0`,
        `toolflow_event_failures_total{function="${fn}"} 0`,
        `toolflow_events_dead_lettered_total{function="${fn}"} 0`,
      ]),
      'toolflow_tasks_submitted_total 0',
    ];
    for (const line of expected) expect(lines, line).toContain(line);
    // Nothing with a tool yet: tool names are not known in advance.
    expect(fresh).not.toMatch(/tool="/);
  });

  it('FLOW_FUNCTIONS are the functions of the flow (shared/runtime/functions.ts)', () => {
    expect([...FLOW_FUNCTIONS]).toEqual(FUNCTIONS.map((f) => f.name));
  });
});

describe('a task\'s tools', () => {
  it('have their series at 0 while the task runs, before their first count', async () => {
    const go = join(dir, 'go');
    rt = await createRuntime(loadConfig({ TOOLFLOW_HOME: join(dir, 'home') }), { log: pino({ level: 'silent' }) });
    const workflow = [
      'name: zero',
      'tools:',
      `  - {name: first, cmds: ['while [ ! -e ${go} ]; do sleep 0.05; done']}`,
      "  - {name: second, rely: [first], cmds: ['true']}",
      '',
    ].join('\n');
    const taskId = await rt.submit({ owner: 'me', workflowFile: 'zero.yaml', workflowText: workflow, values: [], inputs: {}, failFast: false });
    let lines = new Set<string>();
    await eventually(async () => {
      const { families, text } = await scrape(server.url);
      lines = sampleLines(text);
      return families.get('toolflow_tools_running')?.samples[0]?.value === 1 && lines.has('toolflow_tool_attempts_total{tool="first",status="succeeded",reason="none"} 0');
    }, 'the first tool to run, its start handled');
    // The work manager's, for both tools (the second waits on the first).
    for (const tool of ['first', 'second']) {
      for (const line of [
        `toolflow_tools_undelivered_total{tool="${tool}"} 0`,
        `toolflow_keepalives_lost_total{tool="${tool}"} 0`,
        `toolflow_tool_duration_seconds_count{tool="${tool}"} 0`,
        `toolflow_tool_duration_seconds_bucket{le="+Inf",tool="${tool}"} 0`,
      ]) {
        expect(lines, line).toContain(line);
      }
    }
    expect(lines).toContain('toolflow_tool_queue_wait_seconds_count{tool="second"} 0');
    // handle-status's, for the tool that started: every status and reason, cache hits, reruns.
    for (const reason of FAILED_REASONS) {
      expect(lines).toContain(`toolflow_tool_attempts_total{tool="first",status="failed",reason="${reason}"} 0`);
      expect(lines).toContain(`toolflow_tool_reruns_total{tool="first",reason="${reason}"} 0`);
    }
    expect(lines).toContain('toolflow_tool_attempts_total{tool="first",status="cancelled",reason="cancelled"} 0');
    expect(lines).toContain('toolflow_tool_cache_hits_total{tool="first"} 0');

    writeFileSync(go, '');
    expect((await rt.waitFor(taskId)).type).toBe(EventType.taskSucceeded);
    const after = sampleLines((await get(server.url)).text);
    expect(after).toContain('toolflow_tool_attempts_total{tool="first",status="succeeded",reason="none"} 1');
    expect(after).toContain('toolflow_tool_attempts_total{tool="second",status="succeeded",reason="none"} 1');
    expect(after).toContain('toolflow_tool_duration_seconds_count{tool="second"} 1');
    expect(after).toContain('toolflow_tasks_finished_total{status="succeeded"} 1');
    expect(after).toContain('toolflow_tasks_finished_total{status="failed"} 0');
  });
});
