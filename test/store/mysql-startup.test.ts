import { createServer, type Socket } from 'node:net';
import { Kysely, Migrator, MysqlDialect, type Migration } from 'kysely';
import { createPool } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { migrations } from '../../shared/store/migrations.js';
import { openStore } from '../../shared/store/open-store.js';
import { newToolRun } from '../../shared/store/store.js';
import { freshMysqlDatabase, MYSQL_URL, skipped } from '../support/services.js';

/** A server that takes every TCP connection and never sends a byte (not even MySQL's handshake). */
async function silentServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('MySQL start-up', () => {
  it('gives up on a server that takes the connection and never answers after 3 tries of 5 s, naming it', async () => {
    const silent = await silentServer();
    try {
      const err = await openStore(`mysql://root:s3cret@127.0.0.1:${silent.port}/toolflow`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe(
        `cannot use MySQL at mysql://root:***@127.0.0.1:${silent.port}/toolflow: the server is unreachable: no handshake within 5000 ms (the server takes the connection but does not answer)`,
      );
      // The bound: 3 connections of at most 5 s each (within 15 s in all), not the store's 7 statement tries of 10 s.
      expect(silent.connections()).toBe(3);
    } finally {
      await silent.close();
    }
  });

  it.skipIf(skipped('mysql'))('says the server refused the credentials, password masked', async () => {
    const server = new URL(MYSQL_URL);
    const url = `mysql://toolflow_no_such_user:s3cret@${server.host}/toolflow`;
    const err = await openStore(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      new RegExp(`^cannot use MySQL at mysql://toolflow_no_such_user:\\*\\*\\*@${server.host.replace(/\./g, '\\.')}/toolflow: the server refused the credentials \\(check the user name and password in TOOLFLOW_DATABASE_URL\\): Access denied`),
    );
    expect((err as Error).message).not.toContain('s3cret');
  });

  it.skipIf(skipped('mysql'))('says the database does not exist', async () => {
    const err = await openStore(`${MYSQL_URL.replace(/\/$/, '')}/toolflow_no_such_db_x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/: the server has no such database \(create it: CREATE DATABASE …\): Unknown database 'toolflow_no_such_db_x'$/);
  });
});

/** Migrations run again over a partial run of themselves (MySQL commits each DDL statement on its own). */
describe.skipIf(skipped('mysql'))('MySQL migrations after a partial run', () => {
  const dbs: Awaited<ReturnType<typeof freshMysqlDatabase>>[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });
  /** A fresh database, with `sql` run on it by hand (what a killed migration had applied). */
  async function partial(sql: string[], applied: string[] = []): Promise<string> {
    const db = await freshMysqlDatabase();
    dbs.push(db);
    if (applied.length) {
      // The migrations before the partial one ran whole and were recorded, through Kysely's own migrator.
      const k = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: createPool({ uri: db.url }) }) });
      const subset: Record<string, Migration> = Object.fromEntries(applied.map((n) => [n, migrations[n]!]));
      const { error } = await new Migrator({ db: k, provider: { getMigrations: async () => subset } }).migrateToLatest();
      await k.destroy();
      if (error) throw error;
    }
    const c = await createConnection(db.url);
    for (const s of sql) await c.query(s);
    await c.end();
    return db.url;
  }
  /** Migrates, then checks that the store works: every table and column is there. */
  async function migrateAndUse(url: string): Promise<string[]> {
    const store = await openStore(url);
    try {
      const run = newToolRun('p1', 'a', 1, { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: 60 });
      await store.createTask({ id: 'p1', owner: 'me', name: 'w', status: 'queued', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: 1, started_at: null, finished_at: null, work_dir: '/w' }, [run]);
      expect(await store.getToolRun({ taskId: 'p1', tool: 'a', attempt: 1 })).toMatchObject({ time_seconds: 60 });
      expect(await store.getTask('p1')).toMatchObject({ work_dir: '/w', fence_token: 0, cancel_requested_at: null });
      expect(await store.acquireLock('locks/p1', 'me', 1000, () => false)).not.toBeNull();
    } finally {
      await store.close();
    }
    const c = await createConnection(url);
    const [rows] = await c.query('SELECT name FROM kysely_migration ORDER BY name');
    await c.end();
    return (rows as { name: string }[]).map((r) => r.name);
  }

  it('finishes the very first migration after its connection was killed with `tasks` and its index created', async () => {
    const url = await partial([
      `CREATE TABLE tasks (id varchar(64) PRIMARY KEY, owner varchar(128) NOT NULL, name varchar(128) NOT NULL, status varchar(16) NOT NULL, spec mediumtext NOT NULL,
        values_json text NOT NULL, inputs_json text NOT NULL, error text, created_at bigint NOT NULL, updated_at bigint NOT NULL, started_at bigint, finished_at bigint)`,
      'CREATE INDEX tasks_created_at ON tasks (created_at)',
    ]);
    expect(await migrateAndUse(url)).toEqual(Object.keys(migrations).sort());
  });

  it('finishes a migration that adds columns when some were added already', async () => {
    const url = await partial(['ALTER TABLE tasks ADD COLUMN fence_token bigint NOT NULL DEFAULT 0'], ['0001_tasks_and_tool_runs']);
    expect(await migrateAndUse(url)).toEqual(Object.keys(migrations).sort());
  });

  it('finishes migration 0003 when its first column and the locks table exist', async () => {
    const url = await partial(
      ['ALTER TABLE tool_runs ADD COLUMN time_seconds bigint', 'CREATE TABLE locks (name varchar(191) PRIMARY KEY, token bigint NOT NULL, holder varchar(255) NOT NULL, expires_at bigint NOT NULL)'],
      ['0001_tasks_and_tool_runs', '0002_tasks_fence_token'],
    );
    expect(await migrateAndUse(url)).toEqual(Object.keys(migrations).sort());
  });
});
