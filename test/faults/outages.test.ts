import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { EventType } from '../../shared/events/catalog.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { createRuntime } from '../../shared/runtime/runtime.js';
import { openStore } from '../../shared/store/open-store.js';
import type { Store } from '../../shared/store/store.js';
import { FakeExecutor } from '../support/fake-executor.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/toolflow.js');
const dir = tempDir();
const namespace = runPrefix();
const log = pino({ level: 'silent' });

/** Outages longer than every retry inside one call: the run waits them out and completes. */
describe.skipIf(skipped('mysql') || skipped('rabbitmq'))('services mode through outages', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let store: Store;
  beforeAll(async () => {
    await requireRabbitmq();
    db = await freshMysqlDatabase();
    store = await openStore(db.url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
    await deleteAmqpNamespace(namespace, ['enqueue', 'handle-status', 'rerun-policy']);
  });

  it('a broker outage longer than the publish timeout while a tool exits: the work manager keeps its exit and publishes it when the broker is back', async () => {
    const broker = new URL(AMQP_URL);
    const proxy = await startTcpProxy(broker.hostname, Number(broker.port || 5672));
    const url = `${broker.protocol}//${broker.username}:${broker.password}@127.0.0.1:${proxy.port}${broker.pathname}`;
    let exitTool: (() => void) | undefined;
    const executor = new FakeExecutor((req) => (req.tool === 'a' ? { start: true, exit: null, extra: (sink) => (exitTool = () => sink({ kind: 'exit', taskId: req.taskId, tool: 'a', attempt: 1, at: Date.now(), exitCode: 0, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [] })) } : { exit: { exitCode: 0 } }));
    const bus = await AmqpBus.connect({ url, namespace, log, publishTimeoutMs: 1000 });
    const config = loadConfig({ TOOLFLOW_HOME: join(dir, 'broker'), TOOLFLOW_DATABASE_URL: db.url, TOOLFLOW_AMQP_URL: url, TOOLFLOW_NAMESPACE: namespace });
    const rt = await createRuntime(config, { executor, bus, store: await openStore(db.url), log });
    try {
      const taskId = await rt.submit({ owner: 'me', workflowFile: 'wf.yaml', workflowText: 'name: w\ntools:\n  - {name: a, cmds: [x]}\n  - {name: b, cmds: [x], rely: [a]}\n', values: [], inputs: {} });
      const done = rt.waitFor(taskId);
      while (!exitTool) await new Promise((r) => setTimeout(r, 10));
      proxy.cut();
      exitTool(); // the exit comes while the broker is away, for longer than a publish waits
      await new Promise((r) => setTimeout(r, 3000));
      proxy.restore();
      expect((await done).type).toBe(EventType.taskSucceeded);
      expect((await store.listToolRuns(taskId)).map((r) => `${r.tool}/${r.attempt}/${r.status}`)).toEqual(['a/1/succeeded', 'b/1/succeeded']);
    } finally {
      await rt.close();
      await proxy.close();
    }
  });

  it('a database outage longer than a statement’s retries and the delivery limit mid-run (locks on etcd): the events wait, nothing is dead-lettered, the task completes', { timeout: 90_000 }, async () => {
    const server = new URL(db.url);
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    const dbUrl = `mysql://${server.username}${server.password ? `:${server.password}` : ''}@127.0.0.1:${proxy.port}${server.pathname}`;
    const wf = join(dir, 'chain.yaml');
    writeFileSync(wf, 'name: chain\ntools:\n  - {name: a, cpu: 100m, mem: 16Mi, cmds: ["sleep 1"]}\n  - {name: b, cpu: 100m, mem: 16Mi, cmds: ["true"], rely: [a]}\n');
    const env = { ...process.env, TOOLFLOW_HOME: join(dir, 'db'), TOOLFLOW_DATABASE_URL: dbUrl, TOOLFLOW_AMQP_URL: AMQP_URL, TOOLFLOW_NAMESPACE: namespace, TOOLFLOW_ETCD_ENDPOINTS: inject('etcdEndpoints') };
    const cli = exec('node', [BIN, 'run', wf, '--json', '--no-cache'], { env });
    try {
      for (let i = 0; i < 400; i++) {
        const [task] = await store.listTasks(1);
        if (task && (await store.listToolRuns(task.id)).some((r) => r.tool === 'a' && r.status === 'running')) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      proxy.cut(); // tool a exits during the outage: its status cannot be written for 25 s, longer than 5 deliveries take
      await new Promise((r) => setTimeout(r, 25_000));
      proxy.restore();
      const result = JSON.parse((await cli).stdout) as { taskId: string; status: string };
      expect(result.status).toBe('succeeded');
      expect((await store.listToolRuns(result.taskId)).map((r) => `${r.tool}/${r.attempt}/${r.status}`)).toEqual(['a/1/succeeded', 'b/1/succeeded']);
    } finally {
      await proxy.close();
    }
  });

  it('without etcd, the task lock lives in the database: an outage longer than its TTL halts the driver (exit 1, how to resume), and resume completes the task', { timeout: 90_000 }, async () => {
    const server = new URL(db.url);
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    const dbUrl = `mysql://${server.username}${server.password ? `:${server.password}` : ''}@127.0.0.1:${proxy.port}${server.pathname}`;
    const wf = join(dir, 'locked.yaml');
    writeFileSync(wf, 'name: locked\ntools:\n  - {name: a, cpu: 100m, mem: 16Mi, cmds: ["sleep 1"]}\n  - {name: b, cpu: 100m, mem: 16Mi, cmds: ["true"], rely: [a]}\n');
    const env = { ...process.env, TOOLFLOW_HOME: join(dir, 'db2'), TOOLFLOW_DATABASE_URL: dbUrl, TOOLFLOW_AMQP_URL: AMQP_URL, TOOLFLOW_NAMESPACE: namespace, TOOLFLOW_LOCK_TTL_SECONDS: '3' };
    const cli = exec('node', [BIN, 'run', wf, '--json', '--no-cache'], { env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: unknown) => e as { code: number; stdout: string; stderr: string },
    );
    try {
      let taskId = '';
      for (let i = 0; i < 400 && !taskId; i++) {
        const [task] = await store.listTasks(1);
        if (task?.name === 'locked' && (await store.listToolRuns(task.id)).some((r) => r.tool === 'a' && r.status === 'running')) taskId = task.id;
        else await new Promise((r) => setTimeout(r, 25));
      }
      proxy.cut();
      await new Promise((r) => setTimeout(r, 8_000));
      proxy.restore();
      const halted = await cli;
      expect(halted.code, halted.stderr).toBe(1);
      expect(JSON.parse(halted.stdout)).toMatchObject({ status: 'lost', error: expect.stringContaining(`take it over with: toolflow resume ${taskId}`) });
      const resumed = await exec('node', [BIN, 'resume', taskId, '--json'], { env });
      expect(JSON.parse(resumed.stdout)).toMatchObject({ taskId, status: 'succeeded' });
    } finally {
      await proxy.close();
    }
  });
});
