// The SQLite store's direct statements (sqlite-store.ts: the per-attempt writes and reads run as
// prepared statements, not through Kysely's builder): what they must keep of Kysely's behaviour.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { tempDir } from '../support/tmp.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const dir = tempDir();
const path = join(dir, 'toolflow.db');
let store: Store;

const task = (id: string) => ({ id, owner: 'me', name: 'w', status: 'queued' as const, spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: Date.now(), started_at: null, finished_at: null });
const run = (taskId: string, tool: string, attempt = 1) => newToolRun(taskId, tool, attempt, { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: null });

beforeAll(async () => {
  store = openSqliteStore(path);
  await store.migrate();
});
afterAll(() => store.close());

describe('SQLite store, direct statements', () => {
  it('leaves out fields whose value is undefined, as Kysely does (they keep their value)', async () => {
    await store.createTask(task('u1'), [run('u1', 'a')]);
    const key = { taskId: 'u1', tool: 'a', attempt: 1 };
    await store.updateToolRun(key, { message: 'kept' });
    expect(await store.moveToolRun(key, 'ready', { delivered_at: 5, message: undefined })).toBe(true);
    expect(await store.getToolRun(key)).toMatchObject({ status: 'ready', delivered_at: 5, message: 'kept' });
    await store.updateToolRun(key, { message: undefined, job_name: 'j' });
    expect(await store.getToolRun(key)).toMatchObject({ message: 'kept', job_name: 'j' });
  });

  it('keeps moves made while a Kysely transaction is open out of it: a createTask that rolls back takes none of them along', async () => {
    const tools = Array.from({ length: 300 }, (_, i) => `t${i}`);
    await store.createTask(task('x1'), tools.map((t) => run('x1', t)));
    // 1,001 rows, the last a duplicate of the first: the third INSERT chunk fails and the whole
    // transaction rolls back, after awaits between its statements where the moves below run.
    const dup = [...Array.from({ length: 1000 }, (_, i) => run('x2', `r${i}`)), run('x2', 'r0')];
    const creating = store.createTask(task('x2'), dup);
    const moved: boolean[] = [];
    for (const t of tools) moved.push(await store.moveToolRun({ taskId: 'x1', tool: t, attempt: 1 }, 'ready', { delivered_at: 1 }));
    expect(await creating).toBe(false);
    expect(moved.every(Boolean)).toBe(true);
    expect(await store.getTask('x2')).toBeUndefined();
    const rows = await store.listToolRuns('x1');
    expect(rows.filter((r) => r.status === 'ready')).toHaveLength(tools.length);
  });

  it('waits out another process holding the write lock past busy_timeout (Kysely\'s retries), then moves', async () => {
    await store.createTask(task('b1'), [run('b1', 'a')]);
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const released = new Promise<void>((resolve) =>
        setTimeout(() => {
          other.exec('COMMIT');
          resolve();
        }, 1500),
      );
      // The first try waits busy_timeout (1 s) and fails with SQLITE_BUSY; Kysely's retry then succeeds.
      expect(await store.moveToolRun({ taskId: 'b1', tool: 'a', attempt: 1 }, 'ready', { delivered_at: 7 })).toBe(true);
      await released;
      expect((await store.getToolRun({ taskId: 'b1', tool: 'a', attempt: 1 }))?.delivered_at).toBe(7);
    } finally {
      other.close();
    }
  });

  it('fences direct moves and updates like Kysely\'s: a view with an older token changes nothing', async () => {
    await store.createTask(task('f1'), [run('f1', 'a')]);
    expect(await store.claimTask('f1', 20)).toBe(true);
    const key = { taskId: 'f1', tool: 'a', attempt: 1 };
    expect(await store.fenced(19).moveToolRun(key, 'ready', { delivered_at: 1 })).toBe(false);
    await store.fenced(19).updateToolRun(key, { message: 'old holder' });
    expect(await store.getToolRun(key)).toMatchObject({ status: 'pending', message: null });
    expect(await store.fenced(20).moveToolRun(key, 'ready', { delivered_at: 2 })).toBe(true);
  });
});
