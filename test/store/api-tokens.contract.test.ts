/**
 * The store's API tokens and owner-scoped, keyset-paginated task lists (issue 8, section 4): the same
 * suite against SQLite and the real MariaDB on loopback.
 */
import { join } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { migrations } from '../../shared/store/migrations.js';
import { openStore } from '../../shared/store/open-store.js';
import type { ApiTokenRow, Store, TaskRow } from '../../shared/store/store.js';
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

const task = (id: string, owner: string, createdAt: number, status: TaskRow['status'] = 'queued') => ({
  id,
  owner,
  name: 'w',
  status,
  spec: '{}',
  values_json: '{}',
  inputs_json: '{}',
  error: null,
  created_at: createdAt,
  started_at: null,
  finished_at: null,
});

const token = (id: string, owner: string, hash: string, createdAt: number): ApiTokenRow => ({ id, owner, token_hash: hash, label: null, created_at: createdAt, revoked_at: null });

describe.each(ADAPTERS.filter((a) => !skipped(a.name)))('api tokens and task pages: $name', ({ open }) => {
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

  it('stores a token once, finds it by hash, lists by owner newest first, and revokes it once', async () => {
    const h1 = 'a'.repeat(64);
    expect(await store.createToken({ ...token('0000000000000001', 'ann', h1, 1000), label: 'laptop' })).toBe(true);
    expect(await store.createToken(token('0000000000000002', 'bob', 'b'.repeat(64), 2000))).toBe(true);
    expect(await store.createToken(token('0000000000000003', 'ann', 'c'.repeat(64), 3000))).toBe(true);
    // Same id, or same hash: refused, nothing changed.
    expect(await store.createToken(token('0000000000000001', 'eve', 'd'.repeat(64), 4000))).toBe(false);
    expect(await store.createToken(token('0000000000000009', 'eve', h1, 4000))).toBe(false);
    expect(await store.findToken(h1)).toEqual({ id: '0000000000000001', owner: 'ann', token_hash: h1, label: 'laptop', created_at: 1000, revoked_at: null });
    expect(await store.findToken('e'.repeat(64))).toBeUndefined();
    expect((await store.listTokens('ann')).map((t) => t.id)).toEqual(['0000000000000003', '0000000000000001']);
    expect((await store.listTokens()).map((t) => t.id)).toEqual(['0000000000000003', '0000000000000002', '0000000000000001']);
    expect((await store.revokeToken('0000000000000001', 5000))?.revoked_at).toBe(5000);
    // A second revocation keeps the first one's time.
    expect((await store.revokeToken('0000000000000001', 6000))?.revoked_at).toBe(5000);
    expect((await store.findToken(h1))?.revoked_at).toBe(5000);
    expect(await store.revokeToken('ffffffffffffffff', 6000)).toBeUndefined();
  });

  it('lists an owner\'s tasks newest first, page by page after a cursor, ties on created_at broken by id', async () => {
    for (const [id, owner, at, status] of [
      ['p1', 'ann', 100, 'queued'],
      ['p2', 'ann', 200, 'failed'],
      ['p3', 'bob', 300, 'queued'],
      ['p4', 'ann', 300, 'queued'],
      ['p5', 'ann', 300, 'failed'],
      ['p6', 'ann', 400, 'queued'],
    ] as const) {
      expect(await store.createTask(task(id, owner, at, status), [])).toBe(true);
    }
    const ann = { owner: 'ann' };
    expect((await store.listTasks(null, ann)).map((t) => t.id)).toEqual(['p6', 'p5', 'p4', 'p2', 'p1']);
    const page1 = await store.listTasks(2, ann);
    expect(page1.map((t) => t.id)).toEqual(['p6', 'p5']);
    const last = page1[1]!;
    const page2 = await store.listTasks(2, { ...ann, after: { createdAt: Number(last.created_at), id: last.id } });
    expect(page2.map((t) => t.id)).toEqual(['p4', 'p2']);
    const page3 = await store.listTasks(2, { ...ann, after: { createdAt: 200, id: 'p2' } });
    expect(page3.map((t) => t.id)).toEqual(['p1']);
    expect((await store.listTasks(10, { ...ann, status: ['failed'] })).map((t) => t.id)).toEqual(['p5', 'p2']);
    expect((await store.listTasks(10, { owner: 'bob' })).map((t) => t.id)).toEqual(['p3']);
    expect(await store.listTasks(10, { owner: 'nobody' })).toEqual([]);
  });
});

describe('migration 0004', () => {
  it('runs again over a run of itself (as after a connection killed mid-migration) without harm', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      for (const name of Object.keys(migrations).sort()) await migrations[name]!.up(db);
      await migrations['0004_api_tokens']!.up(db);
      const tables = await db.introspection.getTables();
      expect(tables.find((t) => t.name === 'api_tokens')?.columns.map((c) => c.name)).toEqual(['id', 'owner', 'token_hash', 'label', 'created_at', 'revoked_at']);
    } finally {
      await db.destroy();
    }
  });
});
