import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { openStore } from '../../shared/store/open-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { freshMysqlDatabase, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

/**
 * The store contract: the same suite against every adapter, the embedded one (SQLite) and the real
 * MariaDB on loopback.
 */
const sqliteDir = tempDir();
const ADAPTERS: { name: string; open: () => Promise<{ store: Store; cleanup: () => Promise<void> }> }[] = [
  {
    name: 'sqlite',
    open: async () => ({ store: openSqliteStore(join(sqliteDir, 'db', 'toolflow.db')), cleanup: async () => undefined }),
  },
  {
    name: 'mysql',
    open: async () => {
      const db = await freshMysqlDatabase();
      return { store: await openStore(db.url), cleanup: db.drop };
    },
  },
];

const task = (id: string) => ({
  id,
  owner: 'me',
  name: 'w',
  status: 'queued' as const,
  spec: '{}',
  values_json: '{}',
  inputs_json: '{}',
  error: null,
  created_at: Date.now(),
  started_at: null,
  finished_at: null,
});
const run = (taskId: string, tool: string, attempt = 1) => newToolRun(taskId, tool, attempt, { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: null });

describe.each(ADAPTERS.filter((a) => !skipped(a.name)))('store contract: $name', ({ open }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await open());
  });
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  it('migrates twice without harm', async () => {
    await store.migrate();
    await store.migrate();
  });

  it('creates a task and its tool runs once; a second create changes nothing', async () => {
    expect(await store.createTask(task('t1'), [run('t1', 'a'), run('t1', 'b')])).toBe(true);
    expect(await store.createTask({ ...task('t1'), name: 'other' }, [run('t1', 'c')])).toBe(false);
    expect((await store.getTask('t1'))!.name).toBe('w');
    expect((await store.listToolRuns('t1')).map((r) => r.tool)).toEqual(['a', 'b']);
  });

  it('creates 2,000 tool runs in one task (chunked inserts)', async () => {
    const runs = Array.from({ length: 2000 }, (_, i) => run('big', `t${i}`));
    expect(await store.createTask(task('big'), runs)).toBe(true);
    expect(await store.listToolRuns('big')).toHaveLength(2000);
  });

  it('moves statuses only forward; duplicates and stale events change nothing', async () => {
    const key = { taskId: 't1', tool: 'a', attempt: 1 };
    expect(await store.moveToolRun(key, 'ready', { delivered_at: 1 })).toBe(true);
    expect(await store.moveToolRun(key, 'ready', { delivered_at: 2 })).toBe(false);
    expect(await store.moveToolRun(key, 'running', { started_at: 3 })).toBe(true);
    expect(await store.moveToolRun(key, 'succeeded', { exit_code: 0, finished_at: 4 })).toBe(true);
    expect(await store.moveToolRun(key, 'failed', { exit_code: 1 })).toBe(false);
    expect(await store.moveToolRun(key, 'running', { started_at: 9 })).toBe(false);
    const row = (await store.listToolRuns('t1')).find((r) => r.tool === 'a')!;
    expect(row).toMatchObject({ status: 'succeeded', delivered_at: 1, started_at: 3, exit_code: 0, finished_at: 4 });
  });

  it('moves tasks along their state machine', async () => {
    expect(await store.moveTask('t1', 'succeeded')).toBe(false);
    expect(await store.moveTask('t1', 'processing', { started_at: 5 })).toBe(true);
    expect(await store.moveTask('t1', 'processing')).toBe(false);
    expect(await store.moveTask('t1', 'failed', { error: 'boom', finished_at: 6 })).toBe(true);
    expect(await store.moveTask('t1', 'succeeded')).toBe(false);
    expect(await store.getTask('t1')).toMatchObject({ status: 'failed', error: 'boom', started_at: 5, finished_at: 6 });
  });

  it('adds an attempt once', async () => {
    expect(await store.addToolRun(run('t1', 'b', 2))).toBe(true);
    expect(await store.addToolRun(run('t1', 'b', 2))).toBe(false);
    expect((await store.listToolRuns('t1')).filter((r) => r.tool === 'b').map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('lists tasks newest first', async () => {
    expect((await store.listTasks(10)).map((t) => t.id)).toContain('t1');
    expect(await store.getTask('nope')).toBeUndefined();
  });

  it('fences writes: once a holder with a larger token claims the task, an older holder changes nothing', async () => {
    expect(await store.createTask({ ...task('f1'), status: 'processing' }, [run('f1', 'a'), run('f1', 'b')])).toBe(true);
    expect(await store.claimTask('f1', 10)).toBe(true);
    expect(await store.claimTask('f1', 10)).toBe(true); // the same holder again
    expect(await store.claimTask('f1', 9)).toBe(false);
    expect(await store.claimTask('nope', 10)).toBe(false);
    const old = store.fenced(10);
    const a = { taskId: 'f1', tool: 'a', attempt: 1 };
    expect(await old.moveToolRun(a, 'ready', { delivered_at: 1 })).toBe(true); // still the holder
    expect(await store.claimTask('f1', 12)).toBe(true); // a newer holder takes over
    expect(await old.moveToolRun(a, 'running', { started_at: 2 })).toBe(false);
    await old.updateToolRun(a, { message: 'from the old holder' });
    expect(await old.addToolRun(run('f1', 'a', 2))).toBe(false);
    expect(await old.moveTask('f1', 'failed', { error: 'old' })).toBe(false);
    expect((await store.listToolRuns('f1')).map((r) => [r.tool, r.attempt, r.status, r.message])).toEqual([
      ['a', 1, 'ready', null],
      ['b', 1, 'pending', null],
    ]);
    const current = store.fenced(12);
    expect(await current.moveToolRun(a, 'running', { started_at: 3 })).toBe(true);
    expect(await current.addToolRun(run('f1', 'a', 2))).toBe(true);
    expect(await current.addToolRun(run('f1', 'a', 2))).toBe(false);
    await current.updateToolRun(a, { message: 'from the holder' });
    expect(await current.moveTask('f1', 'succeeded')).toBe(true);
    expect((await store.getToolRun(a))!.message).toBe('from the holder');
    expect(await store.getTask('f1')).toMatchObject({ status: 'succeeded', fence_token: 12 });
  });
});
