import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { openStore } from '../../shared/store/open-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';

const HOST = join(import.meta.dirname, '../support/function-host.mjs');
const namespace = runPrefix();
const log = pino({ level: 'silent' });

/** Starts one function in a child process; resolves once it is subscribed. */
async function startFunction(dbUrl: string, fn: string, flag?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [HOST, AMQP_URL, namespace, dbUrl, fn, ...(flag ? [flag] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l === 'ready' && resolve());
    child.on('exit', (code, signal) => reject(new Error(`function host exited early (${code ?? signal})`)));
  });
  return child;
}

describe.skipIf(skipped('mysql') || skipped('rabbitmq'))('a consumer killed after its database write and before its ack', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let store: Store;
  let bus: AmqpBus;
  beforeAll(async () => {
    await requireRabbitmq();
    db = await freshMysqlDatabase();
    store = await openStore(db.url);
    bus = await AmqpBus.connect({ url: AMQP_URL, namespace, log });
  });
  afterAll(async () => {
    await bus?.close();
    await store?.close();
    await db?.drop();
    await deleteAmqpNamespace(namespace, ['handle-status', 'recorder']);
  });

  it('the redelivery is recognised: the same events are emitted once more, and nothing is written twice', async () => {
    const ref = { taskId: 'kb1', tool: 'x', attempt: 1 };
    await store.createTask(
      { id: 'kb1', owner: 'me', name: 'w', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: Date.now(), started_at: null, finished_at: null },
      [newToolRun('kb1', 'x', 1, { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null })],
    );
    await store.moveToolRun(ref, 'ready');
    await store.moveToolRun(ref, 'running');
    const succeeded: ToolflowEvent[] = [];
    bus.subscribe('recorder', [EventType.toolSucceeded], async (e) => void succeeded.push(e));

    const doomed = await startFunction(db.url, 'handle-status', '--die-after-write');
    const died = new Promise<NodeJS.Signals | null>((r) => doomed.on('exit', (_code, signal) => r(signal)));
    const at = Date.now();
    const exited = makeEvent(
      EventType.toolExited,
      '/test',
      { ...ref, at, resources: { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null }, retry: { max: 0, on: [], grow: 2, cap: {} } as never, exitCode: 0, signal: null, oomKilled: false, peakMemBytes: 1000, stderrTail: '', missingOutputs: [] },
      'exited/kb1/x/1',
    );
    await bus.publish([exited]);
    expect(await died).toBe('SIGKILL');
    const written = (await store.getToolRun(ref))!;
    expect(written).toMatchObject({ status: 'succeeded', exit_code: 0, finished_at: at });
    await bus.idle();
    expect(succeeded).toHaveLength(0); // the write happened; its event did not

    const survivor = await startFunction(db.url, 'handle-status');
    try {
      for (let i = 0; i < 500 && succeeded.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      await bus.idle();
      expect(succeeded.map((e) => e.id)).toEqual(['succeeded/kb1/x/1']);
      expect(await store.getToolRun(ref)).toEqual(written);
    } finally {
      survivor.kill('SIGTERM');
    }
  });
});
