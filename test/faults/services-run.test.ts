import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { connect as amqpConnect, type GetMessage } from 'amqplib';
import { createConnection } from 'mysql2/promise';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EtcdCoordination } from '../../shared/coordination/etcd-coordination.js';
import { amqpNames, fromMessage } from '../../shared/events/amqp-binding.js';
import { EventType, type ToolflowEvent } from '../../shared/events/catalog.js';
import { openStore } from '../../shared/store/open-store.js';
import type { Store } from '../../shared/store/store.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/toolflow.js');
const HOST = join(import.meta.dirname, '../support/function-host.mjs');
const dir = tempDir();
const namespace = runPrefix();
const names = amqpNames(namespace);
const etcdEndpoints = inject('etcdEndpoints');

/** Declares a queue that records every event of this run's namespace. */
async function startRecorder(): Promise<void> {
  const c = await amqpConnect(AMQP_URL);
  const ch = await c.createChannel();
  await ch.assertExchange(names.exchange, 'topic', { durable: true });
  await ch.assertQueue(names.queue('recorder'), { durable: true });
  await ch.purgeQueue(names.queue('recorder'));
  await ch.bindQueue(names.queue('recorder'), names.exchange, '#');
  await c.close();
}

/** Everything the recorder got. */
async function recorded(): Promise<ToolflowEvent[]> {
  const c = await amqpConnect(AMQP_URL);
  const ch = await c.createChannel();
  const events: ToolflowEvent[] = [];
  for (let msg: GetMessage | false; (msg = await ch.get(names.queue('recorder'), { noAck: true })); ) events.push(fromMessage(msg));
  await c.close();
  return events;
}

/** Waits until the newest task is `name` and its tool `tool` has `status`; @returns its id. */
async function taskWithTool(store: Store, name: string, tool: string, status: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const [task] = await store.listTasks(1);
    if (task?.name === name && (await store.listToolRuns(task.id)).some((r) => r.tool === tool && r.status === status)) return task.id;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${name}: tool ${tool} never became ${status}`);
}

describe.skipIf(skipped('mysql') || skipped('rabbitmq') || skipped('etcd'))('services mode under faults (the CLI on RabbitMQ, MariaDB and etcd)', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let store: Store;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    await requireRabbitmq();
    db = await freshMysqlDatabase();
    store = await openStore(db.url);
    env = { ...process.env, TOOLFLOW_HOME: join(dir, 'home'), TOOLFLOW_DATABASE_URL: db.url, TOOLFLOW_AMQP_URL: AMQP_URL, TOOLFLOW_ETCD_ENDPOINTS: etcdEndpoints, TOOLFLOW_NAMESPACE: namespace };
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
    await deleteAmqpNamespace(namespace, ['enqueue', 'handle-status', 'rerun-policy', 'recorder']);
  });

  it('completes the task when every broker connection is closed mid-run (rabbitmqctl close_all_connections)', async () => {
    const wf = join(dir, 'chain.yaml');
    writeFileSync(wf, 'name: chain\ntools:\n' + ['a', 'b', 'c', 'd'].map((t, i) => `  - {name: ${t}, cpu: 100m, mem: 16Mi, cmds: ["sleep 0.7"]${i ? `, rely: [${'abcd'[i - 1]}]` : ''}}\n`).join(''));
    const cli = exec('node', [BIN, 'run', wf, '--json', '--no-cache'], { env });
    // Once the first tool has finished, cut every connection to the broker.
    const taskId = await taskWithTool(store, 'chain', 'a', 'succeeded');
    execFileSync('rabbitmqctl', ['-q', 'close_all_connections', 'toolflow fault test: mid-run'], { stdio: 'ignore' });
    const result = JSON.parse((await cli).stdout) as { taskId: string; status: string };
    expect(result).toMatchObject({ taskId, status: 'succeeded' });
    const runs = await store.listToolRuns(taskId);
    expect(runs.map((r) => `${r.tool}/${r.attempt}/${r.status}`)).toEqual(['a/1/succeeded', 'b/1/succeeded', 'c/1/succeeded', 'd/1/succeeded']);
  });

  it('fifty sibling tools finishing at once: each status recorded once, the task’s status set once, the join run once', async () => {
    const wf = join(dir, 'fan.yaml');
    const siblings = Array.from({ length: 50 }, (_, i) => `s${i}`);
    writeFileSync(
      wf,
      'name: fan\ntools:\n' +
        siblings.map((s) => `  - {name: ${s}, cpu: 10m, mem: 4Mi, cmds: ['sleep 0.3']}\n`).join('') +
        `  - {name: join, cpu: 10m, mem: 4Mi, cmds: ['true'], rely: [${siblings.join(', ')}]}\n`,
    );
    await startRecorder();
    // A second handle-status process competes with the CLI's own for the same queue.
    const other: ChildProcess = spawn(process.execPath, [HOST, AMQP_URL, namespace, db.url, 'handle-status'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => createInterface({ input: other.stdout! }).on('line', (l) => l === 'ready' && resolve()));
    try {
      const { stdout } = await exec('node', [BIN, 'run', wf, '--json', '--no-cache'], { env: { ...env, TOOLFLOW_CPUS: '2' } });
      const result = JSON.parse(stdout) as { taskId: string; status: string };
      expect(result.status).toBe('succeeded');
      const runs = await store.listToolRuns(result.taskId);
      expect(runs).toHaveLength(51);
      expect(runs.every((r) => r.attempt === 1 && r.status === 'succeeded' && r.exit_code === 0)).toBe(true);
      const join_ = runs.find((r) => r.tool === 'join')!;
      expect(Math.min(...runs.filter((r) => r.tool !== 'join').map((r) => r.started_at!))).toBeLessThan(Math.min(...runs.filter((r) => r.tool !== 'join').map((r) => r.finished_at!)));
      expect(join_.started_at!).toBeGreaterThanOrEqual(Math.max(...runs.filter((r) => r.tool !== 'join').map((r) => r.finished_at!)));
      const events = (await recorded()).filter((e) => e.data.taskId === result.taskId);
      const count = (type: string, tool?: string) => events.filter((e) => e.type === type && (tool === undefined || (e.data as { tool?: string }).tool === tool)).length;
      for (const t of [...siblings, 'join']) {
        expect(count(EventType.toolExited, t)).toBe(1);
        expect(count(EventType.toolSucceeded, t)).toBe(1);
      }
      expect(count(EventType.toolReady, 'join')).toBe(1);
      expect(count(EventType.toolStarted, 'join')).toBe(1);
      expect(count(EventType.taskSucceeded)).toBe(1);
      expect((await store.getTask(result.taskId))!.status).toBe('succeeded');
    } finally {
      other.kill('SIGTERM');
    }
  });

  it('a work manager paused past its lock’s lease while another holder claims the task: its later writes change nothing', async () => {
    const wf = join(dir, 'paused.yaml');
    writeFileSync(wf, 'name: paused\ntools:\n  - {name: a, cpu: 100m, mem: 16Mi, cmds: ["sleep 3"]}\n  - {name: b, cpu: 100m, mem: 16Mi, cmds: ["true"], rely: [a]}\n');
    await startRecorder();
    const cli = spawn(process.execPath, [BIN, 'run', wf, '--json', '--no-cache'], { env: { ...env, TOOLFLOW_LOCK_TTL_SECONDS: '2' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    cli.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
    const taskId = await taskWithTool(store, 'paused', 'a', 'running');
    cli.kill('SIGSTOP');
    // Another holder: takes the lock once the paused one's lease has run out, and claims the task.
    const etcd = await EtcdCoordination.connect({ endpoints: etcdEndpoints, namespace, log: pino({ level: 'silent' }) });
    try {
      let lease = null;
      for (let i = 0; i < 150 && !lease; i++) {
        lease = await etcd.tryLock(`locks/work-manager/${taskId}`, 30);
        if (!lease) await new Promise((r) => setTimeout(r, 100));
      }
      expect(lease).not.toBeNull();
      expect(await store.claimTask(taskId, lease!.token)).toBe(true);
      const before = await store.listToolRuns(taskId);
      await new Promise((r) => setTimeout(r, 1500)); // tool a finishes while its work manager is paused
      cli.kill('SIGCONT');
      expect(await exited).toBe(1);
      expect(stderr).toContain(`task ${taskId}: its work manager stopped (its task lock was lost`);
      expect(JSON.parse(stdout)).toMatchObject({ status: 'lost' });
      // What the paused work manager said after waking (if anything) was refused by the fence.
      // Woken, it reported tool a's exit under its old token before it learned of the loss…
      const events = (await recorded()).filter((e) => e.data.taskId === taskId);
      const exit = events.find((e) => e.type === EventType.toolExited);
      expect(Number(exit?.fencetoken)).toBeLessThan(lease!.token);
      // …and once handle-status has handled that (here, or in a process started now), nothing moved.
      const other = spawn(process.execPath, [HOST, AMQP_URL, namespace, db.url, 'handle-status'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => createInterface({ input: other.stdout! }).on('line', (l) => l === 'ready' && resolve()));
      other.kill('SIGTERM');
      await new Promise((r) => other.on('exit', r));
      expect(events.filter((e) => e.type === EventType.toolSucceeded || e.type === EventType.taskSucceeded || e.type === EventType.taskFailed)).toEqual([]);
      expect(await store.listToolRuns(taskId)).toEqual(before);
      expect(before.map((r) => `${r.tool}/${r.status}`)).toEqual(['a/running', 'b/pending']);
      expect(await store.getTask(taskId)).toMatchObject({ status: 'processing', fence_token: lease!.token });
      await lease!.release();
    } finally {
      await etcd.close();
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  });

  it('resume takes over a task whose process was SIGKILLed, once its lock has expired, with a larger fencing token', async () => {
    const wf = join(dir, 'killed.yaml');
    writeFileSync(wf, 'name: killed\ntools:\n  - {name: a, cpu: 100m, mem: 16Mi, cmds: ["true"]}\n  - {name: b, cpu: 100m, mem: 16Mi, cmds: ["sleep 1"], rely: [a]}\n');
    const ttl = { ...env, TOOLFLOW_LOCK_TTL_SECONDS: '2' };
    const cli = spawn(process.execPath, [BIN, 'run', wf, '--json', '--no-cache'], { env: ttl, stdio: 'ignore' });
    const died = new Promise((r) => cli.on('exit', r));
    const taskId = await taskWithTool(store, 'killed', 'b', 'running');
    cli.kill('SIGKILL');
    await died;
    const fenceBefore = (await store.getTask(taskId))!.fence_token;
    // Its lock is still held for up to 2 s: resume waits for it.
    const { stdout } = await exec('node', [BIN, 'resume', taskId, '--json'], { env: ttl });
    expect(JSON.parse(stdout)).toMatchObject({ taskId, status: 'succeeded' });
    expect((await store.listToolRuns(taskId)).map((r) => `${r.tool}/${r.attempt}/${r.status}/${r.reason}`)).toEqual(['a/1/succeeded/null', 'b/1/failed/lost', 'b/2/succeeded/null']);
    expect((await store.getTask(taskId))!.fence_token).toBeGreaterThan(fenceBefore);
  });

  it('resume of a task a live run on this machine drives is refused at once, naming that process (the lock in etcd says who holds it)', async () => {
    const wf = join(dir, 'dual.yaml');
    writeFileSync(wf, 'name: dual\ntools:\n  - {name: a, cpu: 100m, mem: 16Mi, cmds: ["sleep 3"]}\n');
    const cli = spawn(process.execPath, [BIN, 'run', wf, '--json', '--no-cache'], { env, stdio: 'ignore' });
    const done = new Promise((r) => cli.on('exit', r));
    const taskId = await taskWithTool(store, 'dual', 'a', 'running');
    const resumed = await exec('node', [BIN, 'resume', taskId], { env }).catch((e: unknown) => e as { stderr: string; code: number });
    expect((resumed as { code: number }).code).toBe(2);
    expect(resumed.stderr).toContain(`task ${taskId} is driven by a live process ${cli.pid} on`);
    expect(await done).toBe(0);
  });

  it('resume of a task that finishes while resume waits for its lock (held on another machine) ends with the task, says what it waited for, and leaves no queue behind', async () => {
    const wf = join(dir, 'race.yaml');
    writeFileSync(wf, 'name: race\ntools:\n  - {name: a, cpu: 100m, mem: 16Mi, cmds: ["sleep 4"]}\n');
    // The run on "another machine": its own UTS namespace, another host name.
    const cli = exec('unshare', ['--uts', 'sh', '-c', `hostname other-host && exec node ${BIN} run ${wf} --json`], { env });
    const taskId = await taskWithTool(store, 'race', 'a', 'running');
    const resumed = await exec('node', [BIN, 'resume', taskId, '--json'], { env: { ...env, TOOLFLOW_LOCK_TTL_SECONDS: '30' }, timeout: 40_000 }).catch((e: unknown) => e as { stdout: string; stderr: string; code: number });
    expect(resumed.stderr).toContain(`waiting for the lock of task ${taskId}: process`);
    expect(resumed.stderr).toContain('on other-host (toolflow run) holds it');
    expect(JSON.parse(resumed.stdout)).toMatchObject({ taskId, status: 'succeeded' });
    expect(JSON.parse((await cli).stdout)).toMatchObject({ taskId, status: 'succeeded' });
    const left = execFileSync('rabbitmqctl', ['-q', 'list_queues', '--no-table-headers', 'name'], { encoding: 'utf8' }).split('\n').filter((q) => q.includes(taskId));
    expect(left).toEqual([]);
  });

  it('Ctrl-C while resume waits for the lease of a killed run to run out stops the wait at once (exit 130)', async () => {
    const wf = join(dir, 'waiting.yaml');
    writeFileSync(wf, 'name: waiting\ntools:\n  - {name: a, cpu: 100m, mem: 16Mi, cmds: ["sleep 30"]}\n');
    const cli = spawn(process.execPath, [BIN, 'run', wf, '--json', '--no-cache'], { env: { ...env, TOOLFLOW_LOCK_TTL_SECONDS: '60' }, stdio: 'ignore' });
    const died = new Promise((r) => cli.on('exit', r));
    const taskId = await taskWithTool(store, 'waiting', 'a', 'running');
    cli.kill('SIGKILL');
    await died;
    const resume = spawn(process.execPath, [BIN, 'resume', taskId], { env });
    let stderr = '';
    resume.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; i < 200 && !stderr.includes('waiting for the lock'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain(`waiting for the lock of task ${taskId}: process ${cli.pid} on`);
    expect(stderr).toContain('which held it, is gone; its lease runs out within');
    resume.kill('SIGINT');
    expect(await new Promise((r) => resume.on('exit', r))).toBe(130);
  });

  it('goes on when its MariaDB connections are KILLed mid-run', async () => {
    const wf = join(dir, 'killdb.yaml');
    writeFileSync(wf, 'name: killdb\ntools:\n' + Array.from({ length: 12 }, (_, i) => `  - {name: t${i}, cpu: 100m, mem: 16Mi, cmds: ["sleep 0.2"]${i ? `, rely: [t${i - 1}]` : ''}}\n`).join(''));
    const cli = exec('node', [BIN, 'run', wf, '--json', '--no-cache'], { env: { ...env, TOOLFLOW_LOG_LEVEL: 'info' }, timeout: 40_000 });
    const admin = await createConnection(db.url);
    let killed = 0;
    try {
      // Every 300 ms, KILL every connection toolflow has open on its database.
      const dbName = new URL(db.url).pathname.slice(1);
      let done = false;
      void cli.finally(() => (done = true)).catch(() => undefined);
      while (!done) {
        const [rows] = await admin.query('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [dbName]);
        for (const { id } of rows as { id: number }[]) {
          await admin.query(`KILL ${Number(id)}`).catch(() => undefined); // it may have closed meanwhile
          killed++;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    } finally {
      await admin.end();
    }
    const result = JSON.parse((await cli).stdout) as { taskId: string; status: string };
    expect(result.status).toBe('succeeded');
    expect(killed).toBeGreaterThan(5);
    const runs = await store.listToolRuns(result.taskId);
    expect(runs).toHaveLength(12);
    expect(runs.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
  });
});
