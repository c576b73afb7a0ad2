/**
 * The per-attempt trace of a new user's first failed run: tool `a` exits 3 and `b`, which relies on
 * it, never runs. `b` is shown as skipped with no attempt (it had "attempt 1" with empty times, from
 * the row the store makes for every tool at submission) in `toolflow status TASK --json` and
 * `--attempts`, in the API's task view and in `toolflow report`'s HTML (no bar on the timeline, the
 * DAG colours it skipped).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { eventually, startApi, type TestApi } from '../support/api.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir('toolflow-never-ran-');
const env = { TOOLFLOW_HOME: home };
const WORKFLOW = `name: never-ran
tools:
  - {name: a, cmds: ["exit 3"]}
  - {name: b, rely: [a], cmds: ["echo b"]}
  - name: short
    cmds:
      - perl -e '$x = "a" x 50_000_000'
`;

interface ToolJson {
  name: string;
  status: string;
  peakMemBytes: number | null;
  attempts: { attempt: number; status: string; peakMemBytes: number | null }[];
}

let taskId: string;
let tools: Map<string, ToolJson>;

beforeAll(async () => {
  const wf = join(home, 'never-ran.yaml');
  writeFileSync(wf, WORKFLOW);
  const run = await toolflow(['run', wf, '--json'], env);
  expect(run.code, run.stderr).toBe(1);
  taskId = (JSON.parse(run.stdout) as { taskId: string }).taskId;
  const status = await toolflow(['status', taskId, '--json'], env);
  expect(status.code, status.stderr).toBe(0);
  tools = new Map((JSON.parse(status.stdout) as { tools: ToolJson[] }).tools.map((t) => [t.name, t]));
}, 120_000);

describe('a tool skipped because the tool it relies on failed', () => {
  it('status --json: b is skipped with attempts: [], a has its one failed attempt', () => {
    expect(tools.get('a')).toMatchObject({ status: 'failed', attempts: [{ attempt: 1, status: 'failed' }] });
    expect(tools.get('b')).toMatchObject({ status: 'skipped', attempts: [] });
  });

  it('status --attempts: b has one row saying it did not run, and no attempt 1', async () => {
    const text = await toolflow(['status', taskId, '--attempts'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/│ b +│ - +│ skipped \(not run\) +│ - +│/);
    expect(text.stdout).not.toMatch(/│ b +│ 1 +│/);
    expect(text.stdout).toMatch(/│ b +│ skipped +│ 0 +│/); // the summary: 0 attempts
  });

  it('report: no timeline bar for b, its row says why, the DAG colours it skipped', async () => {
    const file = join(home, 'report.html');
    const r = await toolflow(['report', taskId, '-o', file], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${file}: task ${taskId} (failed), 3 tools, 2 attempts run, 1 failure\n`);
    const html = readFileSync(file, 'utf8');
    expect([...html.matchAll(/<g class="bar" data-tool="(\w+)"/g)].map((m) => m[1])).toEqual(['a', 'short']);
    expect(html).toContain('skipped: a failed');
    expect(html).toMatch(/<g class="node" data-tool="b" data-status="skipped">/);
  });
});

describe('the status API', () => {
  let api: TestApi;
  afterAll(async () => api?.close());

  it('GET /v1/tasks/{id}: b is skipped with attempts: [] (the answer checked against the OpenAPI document)', async () => {
    api = await startApi();
    const token = await api.token('ann');
    const submitted = await api.call('POST', '/v1/tasks', { token, body: { workflow: WORKFLOW } });
    expect(submitted.status, submitted.text).toBe(202);
    const id = (submitted.json as { taskId: string }).taskId;
    let view: { status: string; tools: ToolJson[] } | undefined;
    await eventually(async () => (view = (await api.call('GET', `/v1/tasks/${id}`, { token })).json as typeof view)!.status === 'failed', `task ${id} to fail`);
    expect(view!.tools.map((t) => [t.name, t.status, t.attempts.length])).toEqual([
      ['a', 'failed', 1],
      ['b', 'skipped', 0],
      ['short', 'succeeded', 1],
    ]);
  });
});

