/**
 * What the work manager's watchdog and a cancel count (issue 12 §1), on the in-process runtime with
 * the fake executor (it reports only what its script says), scraped from the metrics server of its
 * own (`startMetricsServer`) over HTTP: an attempt that never starts (`undelivered`), one whose
 * keepalives stop (`lost`), one the platform reports lost (a Pod watch verdict), and a cancelled
 * one. The running gauge comes back to 0. Counts only, no times.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType } from '../../shared/events/catalog.js';
import { startMetricsServer, type MetricsServer } from '../../shared/metrics/server.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { eventually } from '../support/api.js';
import { FakeExecutor } from '../support/fake-executor.js';
import { tempDir } from '../support/tmp.js';
import { get, scrape, type Family } from './scrape.js';

let rt: Runtime;
let server: MetricsServer;
const dir = tempDir('toolflow-metrics-wd-');

const value = (f: Map<string, Family>, family: string, labels: Record<string, string>, name = family) =>
  f.get(family)?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

beforeAll(async () => {
  server = await startMetricsServer(0, '127.0.0.1');
  const executor = new FakeExecutor((req) => {
    if (req.tool === 'never') return { start: false, exit: null };
    if (req.tool === 'quiet' || req.tool === 'hang') return { exit: null };
    if (req.tool === 'vanished') return { exit: { exitCode: null, watchdog: 'lost', evidence: 'pod gone' } };
    return { delayMs: 5 };
  });
  const config = loadConfig({ TOOLFLOW_HOME: join(dir, 'home') }, { keepaliveSeconds: 0.1, lostAfterSeconds: 0.4, startTimeoutSeconds: 0.4 });
  rt = await createRuntime(config, { executor, store: openSqliteStore(':memory:'), log: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await rt?.close();
  await server?.close();
});

describe('the watchdog and cancel metrics', () => {
  it('counts undelivered and lost attempts by template tool, as failed attempts with their reason', async () => {
    const workflow = [
      'name: wd',
      'tools:',
      '  - {name: never, cmds: [x], retry: {max: 1}}',
      '  - {name: quiet, cmds: [x], retry: {max: 1}}',
      '  - {name: vanished, cmds: [x], retry: {max: 1}}',
      '  - {name: fine, cmds: [x]}',
      '',
    ].join('\n');
    const taskId = await rt.submit({ owner: 'me', workflowFile: 'wd.yaml', workflowText: workflow, values: [], inputs: {}, failFast: false });
    expect((await rt.waitFor(taskId)).type).toBe(EventType.taskFailed);
    const { families: f, text } = await scrape(server.url);
    expect(value(f, 'toolflow_tools_undelivered_total', { tool: 'never' })).toBe(1);
    expect(value(f, 'toolflow_keepalives_lost_total', { tool: 'quiet' })).toBe(1);
    expect(value(f, 'toolflow_keepalives_lost_total', { tool: 'vanished' })).toBe(1);
    expect(value(f, 'toolflow_tool_attempts_total', { tool: 'never', status: 'failed', reason: 'undelivered' })).toBe(1);
    expect(value(f, 'toolflow_tool_attempts_total', { tool: 'quiet', status: 'failed', reason: 'lost' })).toBe(1);
    expect(value(f, 'toolflow_tool_attempts_total', { tool: 'vanished', status: 'failed', reason: 'lost' })).toBe(1);
    expect(value(f, 'toolflow_tool_attempts_total', { tool: 'fine', status: 'succeeded', reason: 'none' })).toBe(1);
    // A watchdog verdict is no exit of the tool's: no duration (its series made at 0 when the work
    // manager started); the queue wait of what started is there.
    expect(value(f, 'toolflow_tool_duration_seconds', { tool: 'fine' }, 'toolflow_tool_duration_seconds_count')).toBe(1);
    expect(value(f, 'toolflow_tool_duration_seconds', { tool: 'quiet' }, 'toolflow_tool_duration_seconds_count')).toBe(0);
    expect(value(f, 'toolflow_tool_duration_seconds', { tool: 'vanished' }, 'toolflow_tool_duration_seconds_count')).toBe(0);
    expect(value(f, 'toolflow_tool_queue_wait_seconds', { tool: 'quiet' }, 'toolflow_tool_queue_wait_seconds_count')).toBe(1);
    expect(value(f, 'toolflow_tool_queue_wait_seconds', { tool: 'never' }, 'toolflow_tool_queue_wait_seconds_count')).toBe(0);
    expect(value(f, 'toolflow_tools_running', {})).toBe(0);
    expect(value(f, 'toolflow_tasks_finished_total', { status: 'failed' })).toBe(1);
    expect(text).not.toContain(taskId);
  });

  it('counts a cancelled task and its attempts; the running gauge goes back to 0', async () => {
    const workflow = 'name: hang\ntools:\n  - {name: hang, cmds: [x]}\n  - {name: after, cmds: [x], rely: [hang]}\n';
    const taskId = await rt.submit({ owner: 'me', workflowFile: 'hang.yaml', workflowText: workflow, values: [], inputs: {}, failFast: false });
    await eventually(async () => value((await scrape(server.url)).families, 'toolflow_tools_running', {}) === 1, 'hang to run', 10_000);
    await rt.cancel(taskId);
    expect((await rt.waitFor(taskId)).type).toBe(EventType.taskCancelled);
    await eventually(async () => value((await scrape(server.url)).families, 'toolflow_tool_attempts_total', { tool: 'after', status: 'cancelled' }) === 1, 'the cancels to be recorded', 10_000);
    const { families: f } = await scrape(server.url);
    expect(value(f, 'toolflow_tool_attempts_total', { tool: 'hang', status: 'cancelled', reason: 'cancelled' })).toBe(1);
    expect(value(f, 'toolflow_tasks_finished_total', { status: 'cancelled' })).toBe(1);
    // The exit of the attempt the cancel stopped ends its time as running.
    expect(value(f, 'toolflow_tool_duration_seconds', { tool: 'hang' }, 'toolflow_tool_duration_seconds_count')).toBe(1);
    expect(value(f, 'toolflow_tools_running', {})).toBe(0);
  });

  it('counts an attempt its dead driver left running, declared lost when the task is resumed, as keepalives lost', async () => {
    const db = join(dir, 'resume.db');
    const config = loadConfig({ TOOLFLOW_HOME: join(dir, 'home-resume') }, { keepaliveSeconds: 0.1, lostAfterSeconds: 60, startTimeoutSeconds: 60 });
    const first = await createRuntime(config, { executor: new FakeExecutor(() => ({ exit: null })), store: openSqliteStore(db), log: pino({ level: 'silent' }) });
    const workflow = 'name: orphan\ntools:\n  - {name: orphan, cmds: [x], retry: {max: 1}}\n';
    const taskId = await first.submit({ owner: 'me', workflowFile: 'o.yaml', workflowText: workflow, values: [], inputs: {}, failFast: false });
    await eventually(async () => (await first.ports.store.listToolRuns(taskId)).some((r) => r.status === 'running'), 'orphan to run', 10_000);
    const before = value((await scrape(server.url)).families, 'toolflow_keepalives_lost_total', { tool: 'orphan' }) ?? 0;
    await first.close(); // its work manager halts: the row stays running, as after a crash
    mkdirSync(join(config.workDir, taskId), { recursive: true }); // the fake executor makes no work dirs; resume checks they are here
    const second = await createRuntime(config, { executor: new FakeExecutor(() => ({})), store: openSqliteStore(db), log: pino({ level: 'silent' }) });
    try {
      await second.resume(taskId);
      expect((await second.waitFor(taskId)).type).toBe(EventType.taskFailed);
      const { families: f } = await scrape(server.url);
      expect(value(f, 'toolflow_keepalives_lost_total', { tool: 'orphan' })).toBe(before + 1);
      expect(value(f, 'toolflow_tool_attempts_total', { tool: 'orphan', status: 'failed', reason: 'lost' })).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('the metrics server answers only GET and HEAD /metrics', async () => {
    expect((await get(server.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await get(server.url.replace('/metrics', '/metrics/x'))).status).toBe(404);
    const post = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => request(server.url, { method: 'POST' }, (res) => resolve(res.statusCode!)).on('error', reject).end(), reject);
    });
    expect(post).toBe(405);
  });
});
