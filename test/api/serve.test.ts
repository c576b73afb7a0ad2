/**
 * `toolflow serve` as a user runs it (the built CLI, embedded mode): a token from `toolflow token
 * create`, the example's input uploaded, the example workflow submitted, followed to its end, a
 * log read and an output downloaded over HTTP; SIGTERM stops the server. Every answer is checked
 * against the OpenAPI document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { send } from '../support/api.js';
import { startToolflow, toolflow, until, type BackgroundRun } from '../support/cli.js';
import { checkAnswer } from '../support/openapi-check.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir('toolflow-serve-');
const env = { TOOLFLOW_HOME: home };
const EXAMPLE = join(import.meta.dirname, '../../examples/reads-qc');
let server: BackgroundRun | undefined;

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exitCode;
  }
});

describe('toolflow serve', () => {
  it('serves the example end to end over HTTP with a CLI-made token, and stops on SIGTERM', async () => {
    const token = (await toolflow(['token', 'create', '--owner', 'ann'], env)).stdout.trim();
    server = startToolflow(['serve', '--port', '0'], env);
    await until(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(server!.stderr()), 30_000, 'the server to listen');
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stderr())![1]!;
    const call = async (method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; auth?: boolean } = {}) => {
      const answer = await send(base, method, path, { ...(options.auth === false ? {} : { token }), ...options });
      checkAnswer(method, path.replace(/\?.*$/, ''), answer);
      return { ...answer, text: answer.body.toString('utf8') };
    };

    expect((await call('GET', '/health/readiness', { auth: false })).status).toBe(200);
    const reads = readFileSync(join(EXAMPLE, 'data/reads.fastq'));
    const up = await call('POST', '/v1/uploads?name=reads.fastq', { body: reads });
    expect(up.status).toBe(201);
    const { uploadId } = JSON.parse(up.text) as { uploadId: string };
    const submitted = await call('POST', `/v1/tasks?input=reads=${uploadId}&set=quality_filter.min_quality=30`, {
      body: readFileSync(join(EXAMPLE, 'workflow.yaml')),
      headers: { 'content-type': 'application/yaml' },
    });
    expect(submitted.status).toBe(202);
    const { taskId } = JSON.parse(submitted.text) as { taskId: string };
    let status = '';
    for (const t0 = Date.now(); !['succeeded', 'failed', 'cancelled'].includes(status); await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() - t0 > 60_000) throw new Error(`task ${taskId} did not end; last status ${status}`);
      status = (JSON.parse((await call('GET', `/v1/tasks/${taskId}`)).text) as { status: string }).status;
    }
    expect(status).toBe('succeeded');
    const outputs = JSON.parse((await call('GET', `/v1/tasks/${taskId}/tools/report/outputs`)).text) as { outputs: { name: string; size: number }[] };
    expect(outputs.outputs.map((o) => o.name)).toEqual(['report.md']);
    const report = await call('GET', `/v1/tasks/${taskId}/tools/report/outputs/report.md`);
    expect(report.text.length).toBe(outputs.outputs[0]!.size);
    expect(report.text).toContain('reads');
    const tasks = JSON.parse((await call('GET', '/v1/tasks')).text) as { tasks: { taskId: string }[] };
    expect(tasks.tasks.map((t) => t.taskId)).toEqual([taskId]);

    server.child.kill('SIGTERM');
    expect(await server.exitCode).toBe(0);
    expect(server.stderr()).toContain('toolflow serve: stopping');
    // The task's rows stay in the store: `toolflow status` sees what the API ran.
    expect((await toolflow(['status', taskId, '--json'], env)).stdout).toContain('"status":"succeeded"');
  });

  it('refuses a port in use, naming it (exit 2)', async () => {
    const first = startToolflow(['serve', '--port', '0'], env);
    try {
      await until(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.test(first.stderr()), 30_000, 'the first server to listen');
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(first.stderr())![1]!;
      const second = await toolflow(['serve', '--port', port], env);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(second.stderr).toContain('choose another --port or --host');
    } finally {
      first.child.kill('SIGTERM');
      await first.exitCode;
    }
  });
});
