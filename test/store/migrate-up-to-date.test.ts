// KyselyStore.migrate on a database that is up to date reads the migration table and stops there
// (no migrator, no migration lock: start-up cost, issue 8 §6); any other state still goes through
// Kysely's migrator, with its checks.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { migrations } from '../../shared/store/migrations.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const tables = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
};
const sqlite = (file: string, statement: string) => {
  const db = new Database(file);
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
};

describe('migrate', () => {
  it('leaves an up-to-date database alone: the migrator (and its lock table) is not used', async () => {
    const file = join(dir, 'up-to-date.db');
    const first = openSqliteStore(file);
    await first.migrate();
    await first.close();
    expect(tables(file)).toContain('kysely_migration_lock');
    sqlite(file, 'drop table kysely_migration_lock');
    const again = openSqliteStore(file);
    await again.migrate();
    await again.close();
    expect(tables(file)).not.toContain('kysely_migration_lock'); // the migrator would have made it again
  });

  it('runs the migrator when a migration is not recorded, and records it', async () => {
    const file = join(dir, 'behind.db');
    const first = openSqliteStore(file);
    await first.migrate();
    await first.close();
    const last = Object.keys(migrations).at(-1)!;
    sqlite(file, `delete from kysely_migration where name = '${last}'`);
    const again = openSqliteStore(file);
    await again.migrate(); // every migration is safe to run again over itself (migrations.ts)
    await again.close();
    const db = new Database(file, { readonly: true });
    const names = (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
    db.close();
    expect(names).toEqual(Object.keys(migrations).sort());
  });

  it('still refuses a database migrated by a newer toolflow (a migration this version does not know)', async () => {
    const file = join(dir, 'newer.db');
    const first = openSqliteStore(file);
    await first.migrate();
    await first.close();
    sqlite(file, "insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00.000Z')");
    const again = openSqliteStore(file);
    await expect(again.migrate()).rejects.toThrow(/9999_from_the_future/);
    await again.close();
  });
});
