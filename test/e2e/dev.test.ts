/**
 * `toolflow dev` end to end over HTTP, as the README's walkthrough does it with curl (issue 8,
 * sections 3 and 7): a token, an upload, a submission, polling to the end, a tool's log, an output
 * file; a second owner sees none of it. In embedded mode, in services mode (RabbitMQ + MariaDB, a
 * connector feeding the functions over HTTP), and with each shared function in its own process,
 * one of them killed mid-run and restarted (all sharing TOOLFLOW_FUNCTION_SECRET). Its
 * `/functions/<name>` paths, on the API's port, refuse forged events (a new user's trial of issue 8).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, toolflow, until } from '../support/cli.js';
import { deleteAmqpNamespace, freshMysqlDatabase, AMQP_URL, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { binary, submitted } from '../http/helpers.js';

const EXAMPLES = join(import.meta.dirname, '../../examples');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts a toolflow process; resolves once `ready` matches its stderr, with what matched. */
function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  children.push(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = ready.exec(stderr);
      if (m) resolve({ child, match: m });
    });
    child.on('exit', (code) => reject(new Error(`toolflow ${args.join(' ')} exited ${code}: ${stderr}`)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function token(owner: string, env: Record<string, string>): Promise<string> {
  const r = await toolflow(['token', 'create', '--owner', owner], env);
  expect(r.code).toBe(0);
  return r.stdout.trim().split('\n').at(-1)!;
}

/** The README's walkthrough, against a dev server at `base`. */
async function walkthrough(base: string, env: Record<string, string>): Promise<void> {
  const ann = { authorization: `Bearer ${await token('ann', env)}` };
  const bob = { authorization: `Bearer ${await token('bob', env)}` };
  const reads = readFileSync(join(EXAMPLES, 'reads-qc/data/reads.fastq'));
  const up = await fetch(`${base}/v1/uploads?name=reads.fastq`, { method: 'POST', headers: ann, body: reads });
  expect(up.status).toBe(201);
  const { uploadId } = (await up.json()) as { uploadId: string };
  const submitted = await fetch(`${base}/v1/tasks`, {
    method: 'POST',
    headers: { ...ann, 'content-type': 'application/json' },
    body: JSON.stringify({ workflow: readFileSync(join(EXAMPLES, 'reads-qc/workflow.yaml'), 'utf8'), inputs: { reads: uploadId } }),
  });
  expect(submitted.status).toBe(202);
  const { taskId } = (await submitted.json()) as { taskId: string };
  expect(submitted.headers.get('location')).toBe(`/v1/tasks/${taskId}`);
  let task: { status: string; tools: { name: string; status: string }[] } = { status: 'queued', tools: [] };
  for (const t0 = Date.now(); !['succeeded', 'failed', 'cancelled'].includes(task.status) && Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 100))) {
    task = (await (await fetch(`${base}/v1/tasks/${taskId}`, { headers: ann })).json()) as typeof task;
  }
  expect(task.status).toBe('succeeded');
  expect(task.tools).toHaveLength(7);
  const log = await fetch(`${base}/v1/tasks/${taskId}/tools/read_stats/logs?stream=stdout`, { headers: ann });
  expect(log.status).toBe(200);
  const report = await fetch(`${base}/v1/tasks/${taskId}/tools/report/outputs/report.md`, { headers: ann });
  expect(report.status).toBe(200);
  expect(await report.text()).toContain('4000');
  // Another owner: every answer is the one a missing task gets.
  const missing = await fetch(`${base}/v1/tasks/ffffffffffff`, { headers: bob });
  const theirs = await fetch(`${base}/v1/tasks/${taskId}`, { headers: bob });
  expect(theirs.status).toBe(404);
  expect((await theirs.text()).replace(taskId, 'ffffffffffff')).toBe(await missing.text());
  expect(((await (await fetch(`${base}/v1/tasks`, { headers: bob })).json()) as { tasks: unknown[] }).tasks).toEqual([]);
  expect((await fetch(`${base}/v1/tasks/${taskId}/tools/report/outputs/report.md`, { headers: bob })).status).toBe(404);
}

describe('toolflow dev', () => {
  it('embedded mode: the walkthrough with no services at all', async () => {
    const env = { TOOLFLOW_HOME: tempDir() };
    const { child, match } = await start(['dev', '--port', '0'], env, /listening on (http:\/\/\S+)/);
    await walkthrough(match[1]!, env);
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
  });

  it('embedded mode: /functions/* take no event without the secret dev made up (401): a forged task.failed leaves another owner’s running task to succeed, a forged task.submitted creates no task', async () => {
    const env = { TOOLFLOW_HOME: tempDir() };
    const { child, match } = await start(['dev', '--port', '0'], env, /listening on (http:\/\/\S+)/);
    const base = match[1]!;
    const ann = { authorization: `Bearer ${await token('ann', env)}` };
    const bob = { authorization: `Bearer ${await token('bob', env)}` };
    const marker = join(env.TOOLFLOW_HOME, 'running');
    const wf = `name: slow\ntools:\n  - {name: a, cmds: ["touch ${marker}; sleep 2"]}\n`;
    const res = await fetch(`${base}/v1/tasks`, { method: 'POST', headers: { ...ann, 'content-type': 'application/yaml' }, body: wf });
    const { taskId } = (await res.json()) as { taskId: string };
    await until(() => existsSync(marker), 30_000, 'the tool to run');
    // The trial's requests: no token, then a user's own API token (not the function secret).
    const failed = binary(makeEvent(EventType.taskFailed, '/attacker', { taskId, error: 'forged' }));
    const forgedSub = submitted();
    const forgedSubmit = binary({ ...forgedSub, data: { ...forgedSub.data, owner: 'bob' } });
    for (const [path, m] of [['handle-status', failed], ['enqueue', forgedSubmit]] as const) {
      for (const headers of [m.headers, { ...m.headers, ...bob }]) {
        const r = await fetch(`${base}/functions/${path}`, { method: 'POST', headers, body: m.body });
        expect(r.status, path).toBe(401);
        expect(((await r.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
      }
    }
    expect((await fetch(`${base}/health/readiness`)).status).toBe(200);
    expect(((await (await fetch(`${base}/v1/tasks`, { headers: bob })).json()) as { tasks: unknown[] }).tasks).toEqual([]);
    let status = 'processing';
    for (const t0 = Date.now(); !['succeeded', 'failed', 'cancelled'].includes(status) && Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 100))) {
      status = ((await (await fetch(`${base}/v1/tasks/${taskId}`, { headers: ann })).json()) as { status: string }).status;
    }
    expect(status).toBe('succeeded');
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
  });

  describe.skipIf(skipped('mysql') || skipped('rabbitmq'))('services mode', () => {
    const namespace = runPrefix();
    const dbs: { drop(): Promise<void> }[] = [];
    afterAll(async () => {
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(dbs.map((d) => d.drop()));
      await deleteAmqpNamespace(namespace, ['enqueue', 'handle-status', 'rerun-policy']);
    });
    const servicesEnv = async () => {
      await requireRabbitmq();
      const db = await freshMysqlDatabase();
      dbs.push(db);
      return { TOOLFLOW_HOME: tempDir(), TOOLFLOW_DATABASE_URL: db.url, TOOLFLOW_AMQP_URL: AMQP_URL, TOOLFLOW_NAMESPACE: namespace };
    };

    it('the walkthrough, the shared functions fed over HTTP by the connector', async () => {
      const env = await servicesEnv();
      const { child, match } = await start(['dev', '--port', '0'], env, /listening on (http:\/\/\S+)/);
      await walkthrough(match[1]!, env);
      child.kill('SIGTERM');
      expect(await new Promise((r) => child.on('exit', r))).toBe(0);
    });

    it('each shared function in its own process behind the connector: one killed mid-run and restarted, the task completes and nothing is done twice', async () => {
      // dev's peers share one function secret (README, "toolflow dev").
      const env = { ...(await servicesEnv()), TOOLFLOW_FUNCTION_SECRET: 'e2e-function-secret-0123456789' };
      const ports = { enqueue: await freePort(), 'handle-status': await freePort(), 'rerun-policy': await freePort() };
      // Ready is told by its readiness probe (waitReady), not by what it prints.
      const fn = (name: keyof typeof ports) => void start(['function', name, '--port', String(ports[name])], env, /(?!)/).catch(() => undefined);
      for (const name of Object.keys(ports) as (keyof typeof ports)[]) fn(name);
      for (const port of Object.values(ports)) await waitReady(port);
      const targets = Object.entries(ports).flatMap(([name, port]) => ['--target', `${name}=http://127.0.0.1:${port}/`]);
      await start(['connector', ...targets], env, /delivering from RabbitMQ/);
      const { match } = await start(['dev', '--port', '0', '--external-functions'], env, /listening on (http:\/\/\S+)/);
      const base = match[1]!;
      const ann = { authorization: `Bearer ${await token('ann', env)}` };
      const trace = join(env.TOOLFLOW_HOME, 'trace');
      const wf = 'name: chain\ntools:\n' + Array.from({ length: 8 }, (_, i) => `  - {name: t${i}, cpu: 100m, mem: 16Mi, cmds: ["echo t${i} >> ${trace}; sleep 0.3"]${i ? `, rely: [t${i - 1}]` : ''}}\n`).join('');
      writeFileSync(join(env.TOOLFLOW_HOME, 'chain.yaml'), wf);
      const submitted = await fetch(`${base}/v1/tasks`, { method: 'POST', headers: { ...ann, 'content-type': 'application/yaml' }, body: wf });
      const { taskId } = (await submitted.json()) as { taskId: string };
      // Mid-run, handle-status's process is killed; its events wait in its queue; it is started again.
      await until(() => existsSync(trace) && (readFileSync(trace, 'utf8').match(/\n/g) ?? []).length >= 2, 30_000, 'two tools to start');
      const victim = children.find((c) => c.spawnargs.includes('handle-status') && c.spawnargs.includes('function'))!;
      victim.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 1500));
      fn('handle-status');
      await waitReady(ports['handle-status']);
      let status = 'queued';
      for (const t0 = Date.now(); status !== 'succeeded' && Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 100))) {
        status = ((await (await fetch(`${base}/v1/tasks/${taskId}`, { headers: ann })).json()) as { status: string }).status;
      }
      expect(status).toBe('succeeded');
      const task = (await (await fetch(`${base}/v1/tasks/${taskId}`, { headers: ann })).json()) as { tools: { name: string; attempts: { status: string }[] }[] };
      expect(task.tools.map((t) => [t.name, t.attempts.map((a) => a.status)])).toEqual(Array.from({ length: 8 }, (_, i) => [`t${i}`, ['succeeded']]));
      expect(readFileSync(trace, 'utf8')).toBe(Array.from({ length: 8 }, (_, i) => `t${i}\n`).join(''));
    });
  });
});

/** Waits until a function process answers its readiness probe. */
async function waitReady(port: number): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < 30_000; await new Promise((r) => setTimeout(r, 100))) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/readiness`).then((r) => r.ok, () => false);
    if (ok) return;
  }
  throw new Error(`the function on port ${port} never became ready`);
}
