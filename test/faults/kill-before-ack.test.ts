import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBus } from '../../shared/events/amqp-bus.js';
import { EventType, makeEvent, type EventTypeName, type ToolflowEvent } from '../../shared/events/catalog.js';
import { validateSubmission } from '../../shared/handlers/validate.js';
import { openStore } from '../../shared/store/open-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';

const HOST = join(import.meta.dirname, '../support/function-host.mjs');
const namespace = runPrefix();
const log = pino({ level: 'silent' });
const CAPACITY = { capacity: { cpuMillicores: 2000, memBytes: 8e9, diskBytes: null, timeSeconds: null } };

/** Starts one function in a child process; resolves once it is subscribed. */
async function startFunction(dbUrl: string, fn: string, flag?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [HOST, AMQP_URL, namespace, dbUrl, fn, ...(flag ? [flag] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l === 'ready' && resolve());
    child.on('exit', (code, signal) => reject(new Error(`function host exited early (${code ?? signal})`)));
  });
  return child;
}

/** A task in the store whose only tool `x` is running. */
async function runningTask(store: Store, taskId: string): Promise<{ taskId: string; tool: string; attempt: number }> {
  const ref = { taskId, tool: 'x', attempt: 1 };
  await store.createTask(
    { id: taskId, owner: 'me', name: 'w', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: Date.now(), started_at: null, finished_at: null },
    [newToolRun(taskId, 'x', 1, { cpuMillicores: 1000, memBytes: 64e6, diskBytes: null, timeSeconds: null })],
  );
  await store.moveToolRun(ref, 'ready');
  await store.moveToolRun(ref, 'running');
  return ref;
}

const tool = validateSubmission({ owner: 'me', workflowFile: 'w.yaml', workflowText: 'name: w\ntools:\n  - {name: x, mem: 64M, cmds: ["true"]}\n', values: [], inputs: {} }, CAPACITY).data.spec.tools[0]!;
const resources = { cpuMillicores: tool.cpuMillicores, memBytes: tool.memBytes, diskBytes: tool.diskBytes, timeSeconds: tool.timeSeconds };

/**
 * For each shared function: the event it consumes, the event its write implies, how to read the
 * rows its writes leave, and what those rows must be once the event is handled (exactly one effect;
 * a handler with two writes, killed between them, has its second one done by the redelivery).
 */
const CASES: {
  fn: string;
  setup: (store: Store, id: string) => Promise<ToolflowEvent>;
  emits: EventTypeName;
  id: (id: string) => string;
  rows: (store: Store, id: string) => Promise<unknown>;
  done?: (rows: unknown) => void;
}[] = [
  {
    fn: 'enqueue',
    setup: async (_store, id) => {
      const submitted = validateSubmission({ owner: 'me', workflowFile: 'w.yaml', workflowText: 'name: w\ntools:\n  - {name: x, cmds: ["true"]}\n', values: [], inputs: {} }, CAPACITY);
      return { ...submitted, subject: id, data: { ...submitted.data, taskId: id } }; // subject = task id, as validation requires
    },
    emits: EventType.taskQueued,
    id: (id) => `queued/${id}`,
    rows: async (store, id) => [await store.getTask(id), await store.listToolRuns(id)],
  },
  {
    fn: 'handle-status',
    setup: async (store, id) => {
      const ref = await runningTask(store, id);
      const exit = { exitCode: 0, signal: null, oomKilled: false, peakMemBytes: 1000, stderrTail: '', missingOutputs: [] };
      return makeEvent(EventType.toolExited, '/test', { ...ref, at: Date.now(), resources, retry: tool.retry, ...exit }, `exited/${id}/x/1`);
    },
    emits: EventType.toolSucceeded,
    id: (id) => `succeeded/${id}/x/1`,
    rows: (store, id) => store.listToolRuns(id),
  },
  {
    fn: 'rerun-policy',
    setup: async (store, id) => {
      const ref = await runningTask(store, id);
      await store.moveToolRun(ref, 'failed', { reason: 'oom', message: 'out of memory', finished_at: Date.now() });
      return makeEvent(EventType.toolAttemptFailed, '/test', { ...ref, reason: 'oom', message: 'out of memory', resources, retry: tool.retry }, `attempt-failed/${id}/x/1`);
    },
    emits: EventType.toolRetrying,
    id: (id) => `retrying/${id}/x/2`,
    rows: (store, id) => store.listToolRuns(id),
    done: (rows) => {
      const runs = rows as { attempt: number; status: string; mem_bytes: number; message: string | null }[];
      expect(runs.map((r) => [r.attempt, r.status, r.mem_bytes])).toEqual([
        [1, 'failed', 64e6],
        [2, 'pending', 128e6],
      ]);
      expect(runs[0]!.message).toBe('out of memory; rerun: memory 64M → 128M');
    },
  },
];

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
    await deleteAmqpNamespace(namespace, [...CASES.map((c) => c.fn), ...CASES.map((c) => `recorder-${c.fn}`)]);
  });

  it.each(CASES)('$fn: the redelivery is recognised, the same event is emitted once more, nothing is written twice', async ({ fn, setup, emits, id, rows, done }) => {
    const taskId = `kb-${fn}`;
    const event = await setup(store, taskId);
    const emitted: ToolflowEvent[] = [];
    bus.subscribe(`recorder-${fn}`, [emits], async (e) => void emitted.push(e), { taskId });

    const doomed = await startFunction(db.url, fn, '--die-after-write');
    const died = new Promise<NodeJS.Signals | null>((r) => doomed.on('exit', (_code, signal) => r(signal)));
    const before = await rows(store, taskId);
    await bus.publish([event]);
    expect(await died).toBe('SIGKILL');
    const written = await rows(store, taskId);
    expect(written).not.toEqual(before); // the write happened…
    await bus.idle();
    expect(emitted).toHaveLength(0); // …and its event did not

    const survivor = await startFunction(db.url, fn);
    try {
      for (let i = 0; i < 500 && emitted.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      await bus.idle();
      expect(emitted.map((e) => e.id)).toEqual([id(taskId)]);
      const after = await rows(store, taskId);
      if (done) done(after);
      else expect(after).toEqual(written);
    } finally {
      survivor.kill('SIGTERM');
    }
  });
});
