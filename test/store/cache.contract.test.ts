/**
 * The store's cache lookups (issue 10, cached reruns): `findCachedRun` and `findPreviousRun`, and
 * migration 0006 (cache columns, tool names of up to 160 characters), against SQLite and the real
 * MariaDB on loopback.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPool } from 'mysql2';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const task = (id: string, name: string, createdAt: number) => ({
  id,
  owner: 'me',
  name,
  status: 'processing' as const,
  spec: '{}',
  values_json: '{}',
  inputs_json: '{}',
  error: null,
  created_at: createdAt,
  started_at: null,
  finished_at: null,
});
const run = (taskId: string, tool: string, attempt = 1): ToolRunRow => newToolRun(taskId, tool, attempt, { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: null });
const K1 = '1'.repeat(64);
const K2 = '2'.repeat(64);
const OUT = JSON.stringify([{ path: 'a.txt', bytes: 2, sha256: 'f'.repeat(64) }]);

/** Moves an attempt to ready (with a key and parts), then to `end` (with outputs when given). */
async function finish(store: Store, key: { taskId: string; tool: string; attempt: number }, end: 'succeeded' | 'failed', fields: { cacheKey?: string | null; parts?: string; outputs?: string | null; finishedAt: number }) {
  expect(await store.moveToolRun(key, 'ready', { delivered_at: fields.finishedAt - 1, cache_key: fields.cacheKey ?? null, cache_parts: fields.parts ?? '{"v":1}' })).toBe(true);
  expect(await store.moveToolRun(key, end, { exit_code: end === 'succeeded' ? 0 : 1, finished_at: fields.finishedAt, outputs_json: fields.outputs ?? null })).toBe(true);
}

describe.each(ADAPTERS.filter((a) => !skipped(a.name)))('cache lookups: $name', ({ open }) => {
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

  it('findCachedRun: the newest succeeded attempt with the key and recorded outputs, in any task; failed attempts and attempts without outputs never', async () => {
    expect(await store.createTask(task('c1', 'w', 100), [run('c1', 'a'), run('c1', 'b'), run('c1', 'c')])).toBe(true);
    expect(await store.createTask(task('c2', 'w', 200), [run('c2', 'a'), run('c2', 'd')])).toBe(true);
    expect(await store.findCachedRun(K1)).toBeUndefined();
    await finish(store, { taskId: 'c1', tool: 'a', attempt: 1 }, 'succeeded', { cacheKey: K1, outputs: OUT, finishedAt: 1000 });
    await finish(store, { taskId: 'c1', tool: 'b', attempt: 1 }, 'failed', { cacheKey: K1, outputs: OUT, finishedAt: 3000 });
    await finish(store, { taskId: 'c1', tool: 'c', attempt: 1 }, 'succeeded', { cacheKey: K1, outputs: null, finishedAt: 4000 });
    expect(await store.findCachedRun(K1)).toMatchObject({ task_id: 'c1', tool: 'a', attempt: 1, cache_key: K1, outputs_json: OUT });
    await finish(store, { taskId: 'c2', tool: 'a', attempt: 1 }, 'succeeded', { cacheKey: K1, outputs: OUT, finishedAt: 2000 });
    await finish(store, { taskId: 'c2', tool: 'd', attempt: 1 }, 'succeeded', { cacheKey: K2, outputs: '[]', finishedAt: 5000 });
    expect(await store.findCachedRun(K1)).toMatchObject({ task_id: 'c2', tool: 'a', attempt: 1 });
    expect(await store.findCachedRun(K2)).toMatchObject({ task_id: 'c2', tool: 'd', outputs_json: '[]' });
    expect(await store.findCachedRun('3'.repeat(64))).toBeUndefined();
  });

  it('findPreviousRun: the newest attempt with cache parts of that tool in an earlier task of the same workflow', async () => {
    expect(await store.createTask(task('p1', 'flow', 1000), [run('p1', 'x'), run('p1', 'x', 2), run('p1', 'y')])).toBe(true);
    expect(await store.createTask(task('p2', 'flow', 2000), [run('p2', 'x'), run('p2', 'y')])).toBe(true);
    expect(await store.createTask(task('q1', 'other', 2500), [run('q1', 'x')])).toBe(true);
    expect(await store.createTask(task('p3', 'flow', 3000), [run('p3', 'x')])).toBe(true);
    await finish(store, { taskId: 'p1', tool: 'x', attempt: 1 }, 'failed', { parts: '{"n":"p1x1"}', finishedAt: 1100 });
    await finish(store, { taskId: 'p1', tool: 'x', attempt: 2 }, 'succeeded', { parts: '{"n":"p1x2"}', finishedAt: 1200 });
    await finish(store, { taskId: 'q1', tool: 'x', attempt: 1 }, 'succeeded', { parts: '{"n":"q1x1"}', finishedAt: 2600 });
    await finish(store, { taskId: 'p3', tool: 'x', attempt: 1 }, 'succeeded', { parts: '{"n":"p3x1"}', finishedAt: 3100 });
    // p2's x was never delivered (no cache parts): p1's latest attempt is the previous run.
    expect((await store.findPreviousRun('flow', 'x', 2000, 'p2'))?.cache_parts).toBe('{"n":"p1x2"}');
    expect((await store.findPreviousRun('flow', 'x', 3000, 'p3'))?.cache_parts).toBe('{"n":"p1x2"}');
    // Another workflow's tool of the same name, later tasks and the task itself never count.
    expect((await store.findPreviousRun('other', 'x', 9000, 'zz'))?.task_id).toBe('q1');
    expect(await store.findPreviousRun('flow', 'x', 1000, 'p1')).toBeUndefined();
    expect(await store.findPreviousRun('flow', 'y', 3000, 'p3')).toBeUndefined();
    expect(await store.findPreviousRun('nothing', 'x', 9000, 'p3')).toBeUndefined();
  });

  it('keeps tool names of 160 characters (instances `template[key]`: 63 + 2 + 64 and more) and cache parts longer than 64 KiB', async () => {
    const long = `${'t'.repeat(94)}[${'k'.repeat(64)}]`;
    expect(long).toHaveLength(160);
    const parts = JSON.stringify({ deps: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`${'d'.repeat(60)}[${i}]`, 'e'.repeat(64)])) });
    expect(parts.length).toBeGreaterThan(65_536);
    expect(await store.createTask(task('l1', 'long', 100), [run('l1', long)])).toBe(true);
    const key = { taskId: 'l1', tool: long, attempt: 1 };
    await finish(store, key, 'succeeded', { cacheKey: K2.replace(/2/g, '4'), parts, outputs: OUT, finishedAt: 200 });
    const row = await store.getToolRun(key);
    expect(row?.tool).toBe(long);
    expect(row?.cache_parts).toBe(parts);
    expect(await store.updateToolRun(key, { cached_from: `l0/${long}/1` })).toBeUndefined();
    expect((await store.getToolRun(key))?.cached_from).toBe(`l0/${long}/1`);
    expect((await store.findPreviousRun('long', long, 200, 'l2'))?.tool).toBe(long);
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
].filter((a) => !skipped(a.name)))('migration 0006 on $name', ({ open }) => {
  it('adds the cache columns to a database at 0005 without touching its rows, widens tool names, and runs again over a run of itself', async () => {
    const { db, drop } = await open();
    try {
      await migrateUpTo(db, '0005_attempt_evidence');
      const t = db as unknown as Kysely<{ tool_runs: ToolRunRow }>;
      const { cache_key: _k, cache_parts: _p, outputs_json: _o, cached_from: _c, ...old } = run('m1', 'a'.repeat(64));
      await t.insertInto('tool_runs').values(old as ToolRunRow).execute();
      await migrations['0006_cache_and_outputs']!.up(db);
      await migrations['0006_cache_and_outputs']!.up(db); // as after a connection killed mid-migration
      const columns = (await db.introspection.getTables()).find((x) => x.name === 'tool_runs')!.columns.map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(['cache_key', 'cache_parts', 'outputs_json', 'cached_from']));
      expect(await t.selectFrom('tool_runs').select(['tool', 'cache_key', 'outputs_json']).execute()).toEqual([{ tool: 'a'.repeat(64), cache_key: null, outputs_json: null }]);
      // A name of 160 characters fits whole (MySQL would refuse it, strict, or cut it, not strict, at 64).
      await t.insertInto('tool_runs').values(run('m1', 'b'.repeat(160))).execute();
      expect((await t.selectFrom('tool_runs').select('tool').where('tool', 'like', 'b%').executeTakeFirst())?.tool).toBe('b'.repeat(160));
    } finally {
      await db.destroy();
      await drop();
    }
  });
});
