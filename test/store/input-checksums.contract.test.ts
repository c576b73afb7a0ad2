/**
 * The checksum cache of embedded-mode inputs in the store (`input_checksums`, migration 0007),
 * against SQLite and the real MariaDB on loopback: a row by (host, device, inode), replaced whole by
 * a later put, listed by host, deleted; 64-bit numbers kept exactly as decimal text; and migration
 * 0007 run on a database at 0006, twice (as after a connection killed mid-migration).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPool } from 'mysql2';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../shared/store/migrations.js';
import { openStore } from '../../shared/store/open-store.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import type { InputChecksumRow, Store } from '../../shared/store/store.js';
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

/** A row; device, inode and times past 2^53, as on XFS or btrfs and for every time in ns. */
const row = (over: Partial<InputChecksumRow> = {}): InputChecksumRow => ({
  host: 'node-1',
  dev: '18446744073709551557',
  ino: '9223372036854775807',
  size: 6_000_000_000,
  mtime_ns: '1767225600123456789',
  ctime_ns: '1767225600987654321',
  sha256: 'a'.repeat(64),
  path: '/data/reads_1.fq.gz',
  hashed_at: 1_767_225_600_123,
  seen_at: 1_767_225_600_456,
  ...over,
});

describe.each(ADAPTERS.filter((a) => !skipped(a.name)))('input checksums: $name', ({ open }) => {
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

  it('keeps a row by host, device and inode, exactly; a later put replaces it; list and delete', async () => {
    const key = { host: 'node-1', dev: row().dev, ino: row().ino };
    expect(await store.getInputChecksum(key)).toBeUndefined();
    await store.putInputChecksum(row());
    expect(await store.getInputChecksum(key)).toEqual(row());
    await store.putInputChecksum(row({ ctime_ns: '1767225700000000001', sha256: 'b'.repeat(64), seen_at: 1_767_225_700_000 }));
    expect(await store.getInputChecksum(key)).toEqual(row({ ctime_ns: '1767225700000000001', sha256: 'b'.repeat(64), seen_at: 1_767_225_700_000 }));
    // The same inode on another machine, and another inode here: rows of their own.
    await store.putInputChecksum(row({ host: 'node-2' }));
    await store.putInputChecksum(row({ ino: '12', path: '/data/ref.fa' }));
    expect((await store.listInputChecksums('node-1')).map((r) => r.path)).toEqual(['/data/reads_1.fq.gz', '/data/ref.fa']);
    expect(await store.listInputChecksums('node-2')).toHaveLength(1);
    await store.deleteInputChecksum(key);
    await store.deleteInputChecksum(key); // gone already: nothing happens
    expect(await store.getInputChecksum(key)).toBeUndefined();
    expect(await store.getInputChecksum({ ...key, host: 'node-2' })).toBeDefined();
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
].filter((a) => !skipped(a.name)))('migration 0007 on $name', ({ open }) => {
  it('adds input_checksums to a database at 0006, runs again over a run of itself, and goes down', async () => {
    const { db, drop } = await open();
    try {
      await migrateUpTo(db, '0006_cache_and_outputs');
      await migrations['0007_input_checksums']!.up(db);
      await migrations['0007_input_checksums']!.up(db); // as after a connection killed mid-migration
      const table = (await db.introspection.getTables()).find((t) => t.name === 'input_checksums');
      expect(table?.columns.map((c) => c.name).sort()).toEqual(['ctime_ns', 'dev', 'hashed_at', 'host', 'ino', 'mtime_ns', 'path', 'seen_at', 'sha256', 'size'].sort());
      const t = db as unknown as Kysely<{ input_checksums: InputChecksumRow }>;
      await t.insertInto('input_checksums').values(row()).execute();
      await expect(t.insertInto('input_checksums').values(row({ sha256: 'c'.repeat(64) })).execute()).rejects.toThrow(); // (host, dev, ino) is the key
      await migrations['0007_input_checksums']!.down!(db);
      expect((await db.introspection.getTables()).some((x) => x.name === 'input_checksums')).toBe(false);
    } finally {
      await db.destroy();
      await drop();
    }
  });
});
