/**
 * Cache hits in the metrics (the exact case of the new-user trial): the same workflow submitted
 * twice through the user API (`buildApi`, SQLite, the in-process bus, the real local executor).
 * The second task's tools are reused from the first's attempts and do not run: they count in
 * `toolflow_tool_cache_hits_total` by template tool, and not in `toolflow_tool_attempts_total`,
 * the duration or queue-wait histograms, or the running gauge. Counts, not times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startApi, type TestApi } from '../support/api.js';
import { parseExposition, type Family } from './scrape.js';

let api: TestApi;
let token: string;

/** A scattered tool (two instances) and one after it. */
const WORKFLOW = [
  'name: cached-twice',
  'inputs:',
  '  samples: {type: list, default: [S1, S2]}',
  'tools:',
  '  - name: split',
  '    scatter: samples',
  "    cmds: ['echo \"$TF_ITEM\" > part.txt']",
  '    outputs: [part.txt]',
  '  - name: join',
  '    rely: [split]',
  "    cmds: ['echo joined > all.txt']",
  '    outputs: [all.txt]',
  '',
].join('\n');

async function runOnce(): Promise<string> {
  const r = await api.call('POST', '/v1/tasks', { token, body: WORKFLOW, headers: { 'content-type': 'application/yaml' } });
  expect(r.status, r.text).toBe(202);
  const id = (r.json as { taskId: string }).taskId;
  await eventually(async () => ((await api.call('GET', `/v1/tasks/${id}`, { token })).json as { status: string }).status === 'succeeded', `task ${id} to succeed`);
  return id;
}

async function scrapeApi(): Promise<Map<string, Family>> {
  const r = await api.call('GET', '/metrics');
  expect(r.status).toBe(200);
  return parseExposition(r.text);
}

/** `{tool: value}` of the samples named `name` in `family` matching `labels`. */
function byTool(f: Map<string, Family>, family: string, name = family, labels: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of f.get(family)?.samples ?? []) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) out[s.labels.tool!] = (out[s.labels.tool!] ?? 0) + s.value;
  return out;
}

let first: Map<string, Family>;
let second: Map<string, Family>;
let secondTask = '';

beforeAll(async () => {
  api = await startApi();
  token = await api.token('cache-owner');
  await runOnce();
  first = await scrapeApi();
  secondTask = await runOnce();
  second = await scrapeApi();
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe('cache hits in the metrics', () => {
  it('the second task really reused every attempt (the case under test)', async () => {
    const view = (await api.call('GET', `/v1/tasks/${secondTask}`, { token })).json as { tools: { name: string; cached: unknown }[] };
    expect(view.tools.length).toBe(3);
    for (const t of view.tools) expect(t.cached, t.name).not.toBeNull();
  });

  it('counts them in toolflow_tool_cache_hits_total by template tool, and nowhere as attempts', () => {
    expect(byTool(first, 'toolflow_tool_cache_hits_total')).toEqual({ split: 0, join: 0 });
    expect(byTool(second, 'toolflow_tool_cache_hits_total')).toEqual({ split: 2, join: 1 });
    const attempts = byTool(first, 'toolflow_tool_attempts_total', 'toolflow_tool_attempts_total', { status: 'succeeded' });
    expect(attempts).toEqual({ split: 2, join: 1 });
    expect(byTool(second, 'toolflow_tool_attempts_total')).toEqual(attempts);
  });

  it('observes no duration and no queue wait for them, and never shows them running', () => {
    for (const h of ['toolflow_tool_duration_seconds', 'toolflow_tool_queue_wait_seconds']) {
      expect(byTool(first, h, `${h}_count`), h).toEqual({ split: 2, join: 1 });
      expect(byTool(second, h, `${h}_count`), h).toEqual({ split: 2, join: 1 });
      expect(byTool(second, h, `${h}_bucket`), h).toEqual(byTool(first, h, `${h}_bucket`));
    }
    expect(second.get('toolflow_tools_running')?.samples[0]?.value).toBe(0);
    expect(second.get('toolflow_tasks_finished_total')?.samples.find((s) => s.labels.status === 'succeeded')?.value).toBe(2);
  });
});
