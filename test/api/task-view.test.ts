/**
 * The API's view of a task's tools (issue 10): instances by their names with where they came from,
 * the recorded outputs of the newest succeeded attempt (name, path relative to the attempt, bytes,
 * sha256), the attempt a cache hit reused, and the cpu a capped tool asked for. Served over HTTP and
 * checked against the OpenAPI document by the test client; the view itself on stored rows.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../shared/api/openapi.js';
import { taskView } from '../../shared/api/task-view.js';
import type { ToolSpec } from '../../shared/spec/types.js';
import { newToolRun, type TaskRow, type ToolRunRow } from '../../shared/store/store.js';
import { startApi, type TestApi } from '../support/api.js';

const sha = (c: string) => c.repeat(64);
const resources = { cpuMillicores: 2000, memBytes: 1e9, diskBytes: null, timeSeconds: null };

/** Planned tools: align[A] (capped from 4 cpu to 2, a cache hit), align[B] (failed, then succeeded), call (pending, list-form outputs). */
function plan(): Partial<ToolSpec>[] {
  const align = (key: string, index: number) => ({
    name: `align[${key}]`,
    outputs: [`${key}.bam`, `${key}.bam.bai`],
    namedOutputs: { bam: `${key}.bam`, bai: `${key}.bam.bai` },
    rely: [],
    instance: { tool: 'align', input: 'samples', key, index },
    cpuMillicores: 2000,
    requestedCpuMillicores: 4000,
  });
  return [align('A', 0), align('B', 1), { name: 'call', outputs: ['calls.vcf'], namedOutputs: {}, rely: ['align[A]', 'align[B]'] }];
}

function rows(id: string): { task: Omit<TaskRow, 'updated_at' | 'fence_token' | 'cancel_requested_at' | 'work_dir'>; runs: ToolRunRow[] } {
  const run = (tool: string, attempt: number, fields: Partial<ToolRunRow>): ToolRunRow => ({ ...newToolRun(id, tool, attempt, resources), delivered_at: 1_000, started_at: 1_000, finished_at: 2_000, ...fields });
  return {
    task: { id, owner: 'ann', name: 'variants', status: 'processing', spec: JSON.stringify({ spec: { name: 'variants', description: '', inputs: [], tools: plan() } }), values_json: '{}', inputs_json: '{}', error: null, created_at: 1_000, started_at: 1_000, finished_at: null },
    runs: [
      run('align[A]', 1, {
        status: 'succeeded',
        exit_code: 0,
        outputs_json: JSON.stringify([
          { path: 'A.bam', bytes: 10, sha256: sha('a') },
          { path: 'A.bam.bai', bytes: 2, sha256: sha('b') },
        ]),
        cached_from: 'oldtask00001/align[A]/3',
        message: "cached: reused the outputs of task oldtask00001's attempt 3",
      }),
      run('align[B]', 1, { status: 'failed', exit_code: 137, reason: 'oom' }),
      run('align[B]', 2, { status: 'succeeded', exit_code: 0, outputs_json: JSON.stringify([{ path: 'B.bam', bytes: 11, sha256: sha('c') }, { path: 'B.bam.bai', bytes: 3, sha256: sha('d') }]) }),
      run('call', 1, { status: 'pending', delivered_at: null, started_at: null, finished_at: null }),
    ],
  };
}

describe('the task view', () => {
  it('shows instances, recorded outputs of the newest succeeded attempt, cache hits and capped cpu', () => {
    const { task, runs } = rows('v1');
    const view = taskView({ ...task, updated_at: 1, fence_token: 0, cancel_requested_at: null, work_dir: '/srv/work' }, runs);
    expect(view.tools.map((t) => ({ name: t.name, status: t.status, outputFiles: t.outputFiles, cached: t.cached, instance: t.instance, requestedCpuMillicores: t.requestedCpuMillicores }))).toEqual([
      {
        name: 'align[A]',
        status: 'succeeded',
        outputFiles: [
          { name: 'bam', path: 'A.bam', bytes: 10, sha256: sha('a') },
          { name: 'bai', path: 'A.bam.bai', bytes: 2, sha256: sha('b') },
        ],
        cached: { taskId: 'oldtask00001', tool: 'align[A]', attempt: 3 },
        instance: { tool: 'align', input: 'samples', key: 'A', index: 0 },
        requestedCpuMillicores: 4000,
      },
      {
        name: 'align[B]',
        status: 'succeeded',
        outputFiles: [
          { name: 'bam', path: 'B.bam', bytes: 11, sha256: sha('c') },
          { name: 'bai', path: 'B.bam.bai', bytes: 3, sha256: sha('d') },
        ],
        cached: null,
        instance: { tool: 'align', input: 'samples', key: 'B', index: 1 },
        requestedCpuMillicores: 4000,
      },
      { name: 'call', status: 'pending', outputFiles: [], cached: null, instance: null, requestedCpuMillicores: null },
    ]);
    // No server path anywhere in the view.
    expect(JSON.stringify(view)).not.toContain('/srv/work');
    // What the document says a task is.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', true);
    ajv.addSchema(openApiDocument(), 'openapi');
    const valid = ajv.getSchema('openapi#/components/schemas/Task')!;
    expect(valid(JSON.parse(JSON.stringify(view))), JSON.stringify(valid.errors)).toBe(true);
    expect(valid({ ...view, tools: [{ ...view.tools[0], outputFiles: [{ name: 'bam', path: 'A.bam', bytes: 10, sha256: 'not hex' }] }] })).toBe(false);
  });

  it('shows the declared outputs without sizes for a succeeded attempt that recorded none (tasks stored before outputs were recorded)', () => {
    const { task } = rows('v2');
    const spec = JSON.stringify({ spec: { name: 'old', description: '', inputs: [], tools: [{ name: 't', outputs: ['x.txt'], rely: [] }] } });
    const view = taskView({ ...task, spec, updated_at: 1, fence_token: 0, cancel_requested_at: null, work_dir: null }, [{ ...newToolRun('v2', 't', 1, resources), status: 'succeeded', outputs_json: null }]);
    expect(view.tools[0]).toMatchObject({ outputs: ['x.txt'], outputFiles: [{ name: null, path: 'x.txt', bytes: null, sha256: null }], cached: null, instance: null, requestedCpuMillicores: null });
  });
});

describe('GET /v1/tasks/{taskId}', () => {
  let api: TestApi;
  let ann: string;
  beforeAll(async () => {
    api = await startApi();
    ann = await api.token('ann');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers with the instance, output, cache and cpu fields, as the OpenAPI document says (the client checks the answer)', async () => {
    const { task, runs } = rows('v0000000000a');
    expect(await api.runtime.ports.store.createTask(task, runs)).toBe(true);
    const r = await api.call('GET', '/v1/tasks/v0000000000a', { token: ann });
    expect(r.status).toBe(200);
    const tools = (r.json as { tools: { name: string; outputFiles: unknown[]; cached: unknown; instance: unknown }[] }).tools;
    expect(tools.map((t) => [t.name, t.outputFiles.length, t.cached !== null, t.instance !== null])).toEqual([
      ['align[A]', 2, true, true],
      ['align[B]', 2, false, true],
      ['call', 0, false, false],
    ]);
    // An instance's name is a tool name in the URLs too (its work dir is not on this machine: no files listed).
    const outputs = await api.call('GET', `/v1/tasks/v0000000000a/tools/${encodeURIComponent('align[A]')}/outputs`, { token: ann });
    expect([outputs.status, outputs.json]).toEqual([200, { taskId: 'v0000000000a', tool: 'align[A]', attempt: 1, outputs: [] }]);
    const bad = await api.call('GET', `/v1/tasks/v0000000000a/tools/${encodeURIComponent('align[../x]')}/outputs`, { token: ann });
    expect(bad.status).toBe(400);
  });
});
