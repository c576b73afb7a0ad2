import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { scheduleTool } from '../../shared/handlers/schedule-tool.js';
import type { Ports } from '../../shared/runtime/ports.js';
import { openSqliteStore } from '../../shared/store/kysely-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { FakeExecutor } from '../support/fake-executor.js';

/** schedule-tool against a real (SQLite) store and a fake executor. */
async function setup() {
  const store = openSqliteStore(':memory:');
  await store.migrate();
  await store.createTask(
    { id: 't', owner: 'me', name: 'w', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: 1, started_at: null, finished_at: null },
    [newToolRun('t', 'x', 1, { cpuMillicores: 100, memBytes: 1e6, diskBytes: null, timeSeconds: null })],
  );
  const executor = new FakeExecutor(() => ({ start: true, exit: null }));
  const ports = { store, executor, reports: { sinkFor: () => () => undefined }, log: pino({ level: 'silent' }) } as unknown as Ports;
  const ready = makeEvent(
    EventType.toolReady,
    '/test',
    { taskId: 't', tool: 'x', attempt: 1, owner: 'me', spec: { name: 'x', cmds: ['true'], env: [], outputs: [] }, values: {}, inputs: {}, deps: [], resources: { cpuMillicores: 100, memBytes: 1e6, diskBytes: null, timeSeconds: null } } as never,
    'ready/t/x/1',
  );
  return { store, executor, ports, ready };
}

describe('schedule-tool', () => {
  it('starts an attempt once, however often its tool.ready is delivered', async () => {
    const { store, executor, ports, ready } = await setup();
    await scheduleTool.handle(ready, ports);
    await scheduleTool.handle(ready, ports);
    expect(executor.started).toHaveLength(1);
    expect((await store.getToolRun({ taskId: 't', tool: 'x', attempt: 1 }))).toMatchObject({ status: 'ready', delivered_at: Date.parse(ready.time), job_name: 'tf-t-x-a1' });
  });

  it('starts the attempt when its move committed but reported false (a statement retried after its response was lost)', async () => {
    const { store, executor, ports, ready } = await setup();
    const lossy: Store = Object.assign(Object.create(store) as Store, {
      moveToolRun: async (...args: Parameters<Store['moveToolRun']>) => {
        await store.moveToolRun(...args);
        return false; // the retry of a committed move finds nothing to move
      },
    });
    await scheduleTool.handle(ready, { ...ports, store: lossy });
    expect(executor.started.map((r) => `${r.tool}/${r.attempt}`)).toEqual(['x/1']);
  });

  it('does nothing for another tool.ready of an attempt delivered already (a stale or fenced-out one)', async () => {
    const { executor, ports, ready } = await setup();
    await scheduleTool.handle(ready, ports);
    const other = { ...ready, id: 'ready/t/x/1-again', time: new Date(Date.parse(ready.time) + 5000).toISOString() };
    const fresh = new FakeExecutor(() => ({ start: true, exit: null }));
    await scheduleTool.handle(other, { ...ports, executor: fresh });
    expect(executor.started).toHaveLength(1);
    expect(fresh.started).toHaveLength(0);
  });
});
