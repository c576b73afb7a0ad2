/**
 * The cpu time of attempts in the store (issue 12 §6): `tool_runs.cpu_time_ms`, written with an
 * attempt's end and read back as a number, and migration 0008 over a database at 0007, against
 * SQLite and the real MariaDB on loopback.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPool } from 'mysql2';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptView } from '../../shared/task-report/attempt-view.js';
import { migrations } from '../../shared/store/migrations.js';
import { openStore } from '../../shared/store/open-store.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun, type Store, type ToolRunRow } from '../../shared/store/store.js';
import { freshMysqlDatabase, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const sqliteDir = tempDir();
const ADAPTERS: { name: string; open: () => Promise<{ store: Store; cleanup: () => Promise<void> }> }[] = [
  { name: 'sqlite', open: async () => ({ store: openSqliteStore(join(sqliteDir, 'db', 'toolflow.db')), cleanup: async () => undefined }) },
  {
    name: 'mysql',
    open: async () => {
      const db = await freshMysqlDatabase();
      return { store: await openStore(db.url), cleanup: db.drop };
    },
  },
];

const task = (id: string) => ({ id, owner: 'me', name: 'w', status: 'processing' as const, spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: 100, started_at: null, finished_at: null });
const run = (taskId: string, tool: string, attempt = 1): ToolRunRow => newToolRun(taskId, tool, attempt, { cpuMillicores: 2000, memBytes: 1e9, diskBytes: null, timeSeconds: null });

describe.each(ADAPTERS.filter((a) => !skipped(a.name)))('attempt cpu time: $name', ({ open }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await open());
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  it('is null on a new attempt, kept with its end (also past 2^32 ms), and shown as a number', async () => {
    expect(await store.createTask(task('c1'), [run('c1', 'a'), run('c1', 'b')])).toBe(true);
    const a = { taskId: 'c1', tool: 'a', attempt: 1 };
    expect((await store.getToolRun(a))?.cpu_time_ms ?? null).toBeNull();
    expect(await store.moveToolRun(a, 'ready', { delivered_at: 1000 })).toBe(true);
    expect(await store.moveToolRun(a, 'running', { started_at: 1100 })).toBe(true);
    expect(await store.moveToolRun(a, 'failed', { exit_code: 137, reason: 'oom', peak_mem_bytes: 1e9, cpu_time_ms: 2 ** 33 + 7, finished_at: 5100 })).toBe(true);
    const row = (await store.getToolRun(a))!;
    expect(Number(row.cpu_time_ms)).toBe(2 ** 33 + 7);
    expect(attemptView(row)).toMatchObject({ attempt: 1, status: 'failed', cpuTimeMs: 2 ** 33 + 7, peakMemBytes: 1e9, durationMs: 4000, resources: { cpuMillicores: 2000, memBytes: 1e9 } });
    // The rerun: a row of its own, not measured (a cache hit).
    expect(await store.addToolRun({ ...run('c1', 'a', 2), mem_bytes: 2e9 })).toBe(true);
    const b = { taskId: 'c1', tool: 'a', attempt: 2 };
    expect(await store.moveToolRun(b, 'ready', { delivered_at: 6000 })).toBe(true);
    expect(await store.moveToolRun(b, 'succeeded', { exit_code: 0, cpu_time_ms: null, finished_at: 6000, cached_from: 'c0/a/1' })).toBe(true);
    expect((await store.listToolRuns('c1')).filter((r) => r.tool === 'a').map((r) => [r.attempt, r.cpu_time_ms === null ? null : Number(r.cpu_time_ms)])).toEqual([
      [1, 2 ** 33 + 7],
      [2, null],
    ]);
    expect(attemptView((await store.getToolRun(b))!)).toMatchObject({ cpuTimeMs: null, cachedFrom: { taskId: 'c0', tool: 'a', attempt: 1 } });
  });
});

/** Migrations up to and including `last`, in order. */
async function migrateUpTo(db: Kysely<unknown>, last: string): Promise<void> {
  for (const name of Object.keys(migrations).sort()) {
    await migrations[name]!.up(db);
    if (name === last) return;
  }
}

describe.each([
  { name: 'sqlite', open: async () => ({ db: new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) }), drop: async () => undefined }) },
  {
    name: 'mysql',
    open: async () => {
      const fresh = await freshMysqlDatabase();
      return { db: new Kysely<unknown>({ dialect: new MysqlDialect({ pool: createPool({ uri: fresh.url, connectionLimit: 2 }) }) }), drop: fresh.drop };
    },
  },
].filter((a) => !skipped(a.name)))('migration 0008 on $name', ({ open }) => {
  it('adds cpu_time_ms to a database at 0007 without touching its rows, runs again over a run of itself, and goes down', async () => {
    const { db, drop } = await open();
    try {
      await migrateUpTo(db, '0007_input_checksums');
      const t = db as unknown as Kysely<{ tool_runs: ToolRunRow }>;
      await t.insertInto('tool_runs').values(run('m1', 'a')).execute();
      await migrations['0008_attempt_cpu_time']!.up(db);
      await migrations['0008_attempt_cpu_time']!.up(db); // as after a connection killed mid-migration
      const columns = async () => (await db.introspection.getTables()).find((x) => x.name === 'tool_runs')!.columns.map((c) => c.name);
      expect(await columns()).toContain('cpu_time_ms');
      expect(await t.selectFrom('tool_runs').select(['tool', 'cpu_time_ms']).execute()).toEqual([{ tool: 'a', cpu_time_ms: null }]);
      await t.updateTable('tool_runs').set({ cpu_time_ms: 1234 }).execute();
      expect(Number((await t.selectFrom('tool_runs').select('cpu_time_ms').executeTakeFirst())?.cpu_time_ms)).toBe(1234);
      await migrations['0008_attempt_cpu_time']!.down!(db);
      expect(await columns()).not.toContain('cpu_time_ms');
    } finally {
      await db.destroy();
      await drop();
    }
  });
});
